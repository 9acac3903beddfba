package evtxgen

import "strconv"

// account is a security principal of the synthetic machine. The well-known ones have their
// real SIDs; the local users' SIDs use an invented machine prefix.
type account struct {
	sid, name, domain string
	logonID           uint64 // the account's session, when it has a fixed one
}

var (
	acctSystem  = account{"S-1-5-18", "SYSTEM", "NT AUTHORITY", 0x3e7}
	acctMachine = account{"S-1-5-18", Computer + "$", "WORKGROUP", 0x3e7} // SYSTEM as a subject
	acctLocal   = account{"S-1-5-19", "LOCAL SERVICE", "NT AUTHORITY", 0x3e5}
	acctNetwork = account{"S-1-5-20", "NETWORK SERVICE", "NT AUTHORITY", 0x3e4}
	acctNull    = account{"S-1-0-0", "-", "-", 0}
	acctAlice   = account{machineSIDPrefix + "1001", "alice", Computer, 0}
	acctBob     = account{machineSIDPrefix + "1002", "bob", Computer, 0}
	acctAdmin   = account{machineSIDPrefix + "500", "Administrator", Computer, 0}
)

// Privileges as 4672 lists them: one per line, the continuation lines indented with tabs.
var (
	privsSystem  = "SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeAuditPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege"
	privsService = "SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeAuditPrivilege\r\n\t\t\tSeImpersonatePrivilege"
	privsAdmin   = "SeSecurityPrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege"
)

// Message parameter references Windows writes in these events (%%n inserts a string of the
// provider's parameter file): 1833 Impersonation, 1842 Yes, 1843 No, 1936/1937/1938 token
// elevation types 1/2/3, 2313 "Unknown user name or bad password".
const (
	impersonation = "%%1833"
	yes           = "%%1842"
	no            = "%%1843"
	tokenFull     = "%%1936"
	tokenElevated = "%%1937"
	tokenLimited  = "%%1938"
	badPassword   = "%%2313"
)

// Mandatory integrity labels (S-1-16-x).
const (
	labelSystem = "S-1-16-16384"
	labelHigh   = "S-1-16-12288"
	labelMedium = "S-1-16-8192"
)

const nullGUID = "{00000000-0000-0000-0000-000000000000}"

// script accumulates events with a clock that only moves forward by fixed steps.
type script struct {
	evs     []event
	ft      uint64
	nextLID uint64
	nextPID uint64
	thread  uint32
}

func hex(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

// wait moves the clock on by sec seconds plus a fraction that varies from event to event, so
// that times look like a real log's and stay distinct.
func (s *script) wait(sec int) {
	s.ft += uint64(sec)*10_000_000 + uint64(len(s.evs)*7919%1000)*10_000
}

func (s *script) add(sh *shape, kw uint64, data ...string) {
	if len(data) != len(sh.fields) {
		panic("evtxgen: event " + strconv.Itoa(int(sh.id)) + " needs " + strconv.Itoa(len(sh.fields)) + " values")
	}
	s.thread = 700 + uint32(len(s.evs)*37%900)*4
	s.evs = append(s.evs, event{s: sh, keywords: kw, ft: s.ft, thread: s.thread, data: data})
}

func (s *script) newLogonID() uint64 {
	s.nextLID += 0x1d3 + uint64(len(s.evs)%7)*0x40
	return s.nextLID
}

func (s *script) newPID() uint64 {
	s.nextPID += 4 * uint64(13+len(s.evs)%29)
	return s.nextPID
}

// logon writes a 4624 and returns the new session's logon id. Interactive and remote
// interactive logons carry the local address; network logons the caller's address.
func (s *script) logon(subject, target account, logonType int, proc, authPkg, ip, port, workstation, procName string, procID uint64, elevated bool, linked uint64) uint64 {
	lid := target.logonID
	if lid == 0 {
		lid = s.newLogonID()
	}
	lm, keyLen := "-", "0"
	if authPkg == "NTLM" {
		lm, keyLen = "NTLM V2", "128"
	}
	virtual := no
	el := no
	if elevated {
		el = yes
	}
	restricted := "-"
	if logonType == 10 {
		restricted = no
	}
	s.add(&shape4624, kwSuccess,
		subject.sid, subject.name, subject.domain, hex(subject.logonID),
		target.sid, target.name, target.domain, hex(lid),
		strconv.Itoa(logonType), proc, authPkg, workstation,
		nullGUID, "-", lm, keyLen,
		hex(procID), procName, ip, port,
		impersonation, restricted, "-", "-", virtual, hex(linked), el)
	return lid
}

func (s *script) special(a account, lid uint64, privs string) {
	s.add(&shape4672, kwSuccess, a.sid, a.name, a.domain, hex(lid), privs)
}

func (s *script) logoff(a account, lid uint64, logonType int) {
	s.add(&shape4634, kwSuccess, a.sid, a.name, a.domain, hex(lid), strconv.Itoa(logonType))
}

// process writes a 4688 and returns the new process id.
func (s *script) process(a account, lid uint64, image, cmdline string, parentPID uint64, parent, elevation, label string) uint64 {
	pid := s.newPID()
	s.add(&shape4688, kwSuccess, a.sid, a.name, a.domain, hex(lid),
		hex(pid), image, elevation, hex(parentPID), cmdline,
		acctNull.sid, acctNull.name, acctNull.domain, "0x0", parent, label)
	return pid
}

func (s *script) failed(user, ip, port string, subStatus string) {
	s.add(&shape4625, kwFailure,
		acctNull.sid, "-", "-", "0x0",
		acctNull.sid, user, "", "0xc000006d", badPassword, subStatus,
		"3", "NtLmSsp ", "NTLM", "WS-UNKNOWN",
		"-", "-", "0", "0x0", "-", ip, port)
}

const (
	sys32    = `C:\Windows\System32\`
	services = sys32 + "services.exe"
	svchost  = sys32 + "svchost.exe"
	lsass    = sys32 + "lsass.exe"
)

// rounds of the working morning: as many as fill the log's two chunks.
const rounds = 14

// scenario is the invented morning of ATLAS-LAB-PC: services start, alice signs in at the
// console and works, bob reads a share from another machine and later connects over Remote
// Desktop, someone at a documentation-range address guesses passwords, and scheduled work
// runs in between. Addresses are from the documentation ranges of RFC 5737.
func scenario() []event {
	s := &script{ft: StartFileTime, nextLID: 0x5a000, nextPID: 0x300}
	servicesPID := uint64(0x2a8)

	// Services sign in as SYSTEM, LOCAL SERVICE and NETWORK SERVICE.
	for _, a := range []account{acctSystem, acctNetwork, acctLocal} {
		lid := s.logon(acctMachine, a, 5, "Advapi  ", "Negotiate", "-", "-", "-", services, servicesPID, true, 0)
		privs := privsService
		if a == acctSystem {
			privs = privsSystem
		}
		s.special(a, lid, privs)
		s.wait(1)
	}
	for _, k := range []string{"DcomLaunch", "RPCSS", "LocalServiceNetworkRestricted", "netsvcs", "NetworkService"} {
		s.process(acctMachine, 0x3e7, svchost, svchost+" -k "+k+" -p", servicesPID, services, tokenFull, labelSystem)
		s.wait(1)
	}

	// alice, an administrator, signs in at the console: two linked sessions (full and
	// filtered token), special privileges for the full one, then her shell.
	s.wait(40)
	full := s.newLogonID()
	filtered := s.newLogonID()
	aliceFull := acctAlice
	aliceFull.logonID = full
	aliceFiltered := acctAlice
	aliceFiltered.logonID = filtered
	s.logon(acctMachine, aliceFull, 2, "User32 ", "Negotiate", "127.0.0.1", "0", Computer, svchost, 0x4c4, true, filtered)
	s.logon(acctMachine, aliceFiltered, 2, "User32 ", "Negotiate", "127.0.0.1", "0", Computer, svchost, 0x4c4, false, full)
	s.special(acctAlice, full, privsAdmin)
	s.wait(2)
	winlogon := uint64(0x2fc)
	userinit := s.process(acctAlice, filtered, sys32+"userinit.exe", sys32+"userinit.exe", winlogon, sys32+"winlogon.exe", tokenLimited, labelMedium)
	s.wait(1)
	explorer := s.process(acctAlice, filtered, `C:\Windows\explorer.exe`, `C:\Windows\Explorer.EXE`, userinit, sys32+"userinit.exe", tokenLimited, labelMedium)
	s.wait(3)

	// A working morning: alice's programs, bob's visits to a share, scheduled tasks.
	work := []struct{ image, cmd string }{
		{sys32 + "notepad.exe", `"C:\Windows\System32\notepad.exe" C:\Users\alice\Documents\notes.txt`},
		{sys32 + "cmd.exe", `"C:\Windows\System32\cmd.exe"`},
		{sys32 + "whoami.exe", `whoami  /groups`},
		{sys32 + "ipconfig.exe", `ipconfig  /all`},
		{sys32 + `WindowsPowerShell\v1.0\powershell.exe`, `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"`},
		{sys32 + "mmc.exe", `"C:\Windows\system32\mmc.exe" "C:\Windows\system32\eventvwr.msc"`},
		{sys32 + "taskmgr.exe", `"C:\Windows\system32\taskmgr.exe" /7`},
		{sys32 + "calc.exe", `"C:\Windows\System32\calc.exe"`},
	}
	for round := 0; round < rounds; round++ {
		for k := 0; k < 5; k++ {
			i := (round + k) % len(work)
			w := work[i]
			elevation, label, lid := tokenLimited, labelMedium, filtered
			if (round+i)%5 == 0 {
				// Run as administrator: the full token of the linked session.
				elevation, label, lid = tokenElevated, labelHigh, full
			}
			s.process(acctAlice, lid, w.image, w.cmd, explorer, `C:\Windows\explorer.exe`, elevation, label)
			s.wait(4 + (round*3+i)%9)
		}
		// bob opens a file share from his machine: a network logon that ends seconds later.
		ip := "192.0.2." + strconv.Itoa(20+round%3)
		lid := s.logon(acctNull, acctBob, 3, "NtLmSsp ", "NTLM", ip, strconv.Itoa(49700+round*13), "BOB-LAPTOP", "-", 0, false, 0)
		s.wait(6)
		s.logoff(acctBob, lid, 3)
		s.wait(2)
		// A scheduled task runs as SYSTEM.
		s.process(acctMachine, 0x3e7, sys32+"taskhostw.exe", "taskhostw.exe", 0x4a0, svchost, tokenFull, labelSystem)
		s.wait(5)
		s.logon(acctMachine, acctSystem, 5, "Advapi  ", "Negotiate", "-", "-", "-", services, servicesPID, true, 0)
		s.special(acctSystem, 0x3e7, privsSystem)
		s.wait(7)

		if round == 2 {
			// A burst of failed network logons from one address: wrong passwords for the
			// built-in Administrator, unknown names for the rest.
			for i, u := range []string{"administrator", "admin", "administrator", "user", "test", "administrator", "guest1", "administrator", "backup", "administrator", "scanner", "administrator"} {
				sub := "0xc0000064" // no such user
				if u == "administrator" {
					sub = "0xc000006a" // wrong password
				}
				s.failed(u, "198.51.100.77", strconv.Itoa(51000+i*7), sub)
				s.wait(1)
			}
			s.wait(20)
		}
		if round == 3 {
			// bob connects over Remote Desktop and starts a few programs.
			bobLID := s.logon(acctMachine, acctBob, 10, "User32 ", "Negotiate", "203.0.113.25", "0", Computer, svchost, 0x4c4, false, 0)
			s.wait(3)
			bobInit := s.process(acctBob, bobLID, sys32+"userinit.exe", sys32+"userinit.exe", winlogon+0x200, sys32+"winlogon.exe", tokenFull, labelMedium)
			s.wait(1)
			bobExplorer := s.process(acctBob, bobLID, `C:\Windows\explorer.exe`, `C:\Windows\Explorer.EXE`, bobInit, sys32+"userinit.exe", tokenFull, labelMedium)
			s.wait(2)
			s.process(acctBob, bobLID, sys32+"rdpclip.exe", "rdpclip", 0x3b8, svchost, tokenFull, labelMedium)
			s.wait(30)
			s.process(acctBob, bobLID, sys32+"net.exe", `net  user`, bobExplorer, `C:\Windows\explorer.exe`, tokenFull, labelMedium)
			s.wait(45)
			s.logoff(acctBob, bobLID, 10)
			s.wait(3)
		}
	}
	// The administrator account signs in once at the console, and the session ends.
	admin := acctAdmin
	adminLID := s.logon(acctMachine, admin, 2, "User32 ", "Negotiate", "127.0.0.1", "0", Computer, svchost, 0x4c4, true, 0)
	s.special(acctAdmin, adminLID, privsAdmin)
	s.wait(20)
	s.logoff(acctAdmin, adminLID, 2)
	s.wait(2)
	// A process started by lsass itself closes the log's story.
	s.process(acctMachine, 0x3e7, sys32+"consent.exe", sys32+"consent.exe 1024 238 000001F2A3B4C5D0", 0x2c8, lsass, tokenFull, labelSystem)
	return s.evs
}
