package proctree

import "time"

// sampleBoot is an arbitrary fixed boot time, so the sample is the same on every run:
// 2026-01-12T08:00:00Z (as seconds since 1970, to keep time.Date out of the WebAssembly bundle).
var sampleBoot = time.Unix(1768204800, 0).UTC()

// row builds a sample process; at is milliseconds after boot, -1 for no creation time.
func row(pid, ppid uint32, name string, session int, at int64, path, cmd string) Process {
	p := Process{PID: pid, PPID: ppid, HasPPID: true, Name: name, Session: session, Path: path, CommandLine: cmd}
	if at >= 0 {
		p.Created, p.HasCreated = sampleBoot.Add(time.Duration(at)*time.Millisecond), true
	}
	return p
}

const (
	sys32 = `C:\Windows\System32\`
)

// sampleProcesses is a typical Windows 11 23H2/24H2 machine a few minutes after one user
// signed in, with VBS and Credential Guard on. PIDs and times are invented but plausible; the
// shape (who starts whom, which parents have exited) is what Process Explorer shows. Parent
// PIDs 508, 592 and 4480 belong to the smss.exe copies and userinit.exe that have exited.
func sampleProcesses() []Process {
	svc := func(pid uint32, at int64, cmd string) Process {
		return row(pid, 760, "svchost.exe", 0, at, sys32+"svchost.exe", sys32+"svchost.exe "+cmd)
	}
	ps := []Process{
		row(0, 0, "System Idle Process", 0, -1, "", ""),
		row(4, 0, "System", 0, 0, "", ""),
		row(72, 4, "Secure System", 0, 150, "", ""),
		row(120, 4, "Registry", 0, 180, "", ""),
		row(388, 4, "smss.exe", 0, 900, sys32+"smss.exe", `\SystemRoot\System32\smss.exe`),
		row(532, 508, "csrss.exe", 0, 2100, sys32+"csrss.exe", `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`),
		row(604, 508, "wininit.exe", 0, 2300, sys32+"wininit.exe", "wininit.exe"),
		row(616, 592, "csrss.exe", 1, 2350, sys32+"csrss.exe", `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16`),
		row(700, 592, "winlogon.exe", 1, 2500, sys32+"winlogon.exe", "winlogon.exe"),
		row(760, 604, "services.exe", 0, 2700, sys32+"services.exe", sys32+"services.exe"),
		row(772, 604, "LsaIso.exe", 0, 2720, sys32+"LsaIso.exe", `\??\C:\Windows\system32\lsaiso.exe`),
		row(780, 604, "lsass.exe", 0, 2750, sys32+"lsass.exe", sys32+"lsass.exe"),
		row(896, 604, "fontdrvhost.exe", 0, 3000, sys32+"fontdrvhost.exe", `"fontdrvhost.exe"`),
		row(904, 700, "fontdrvhost.exe", 1, 3010, sys32+"fontdrvhost.exe", `"fontdrvhost.exe"`),
		svc(880, 2900, "-k DcomLaunch -p"),
		svc(968, 3100, "-k RPCSS -p"),
		row(1060, 700, "dwm.exe", 1, 3300, sys32+"dwm.exe", `"dwm.exe"`),
		svc(1164, 3500, "-k LocalServiceNetworkRestricted -p -s lmhosts"),
		svc(1236, 3600, "-k netsvcs -p -s Schedule"),
		svc(1300, 3700, "-k netsvcs -p -s UserManager"),
		svc(1388, 3800, "-k LocalService -p -s EventSystem"),
		svc(1520, 4000, "-k NetworkService -p -s Dnscache"),
		row(1820, 4, "Memory Compression", 0, 5000, "", ""),
		row(2412, 760, "spoolsv.exe", 0, 6000, sys32+"spoolsv.exe", sys32+"spoolsv.exe"),
		row(3072, 760, "MsMpEng.exe", 0, 7000, `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.25010.11-0\MsMpEng.exe`, `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.25010.11-0\MsMpEng.exe"`),
		row(4208, 1300, "sihost.exe", 1, 40000, sys32+"sihost.exe", "sihost.exe"),
		row(4236, 760, "svchost.exe", 1, 40200, sys32+"svchost.exe", sys32+"svchost.exe -k UnistackSvcGroup -s CDPUserSvc"),
		row(4300, 1236, "taskhostw.exe", 1, 40500, sys32+"taskhostw.exe", "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}"),
		row(4512, 4480, "explorer.exe", 1, 41000, `C:\Windows\explorer.exe`, `C:\Windows\Explorer.EXE`),
		row(5020, 880, "StartMenuExperienceHost.exe", 1, 43000, `C:\Windows\SystemApps\Microsoft.Windows.StartMenuExperienceHost_cw5n1h2txyewy\StartMenuExperienceHost.exe`, `"C:\Windows\SystemApps\Microsoft.Windows.StartMenuExperienceHost_cw5n1h2txyewy\StartMenuExperienceHost.exe" -ServerName:App.AppXywbrabmsek0gm3tkwpr5kwzbs55tkqay.mca`),
		row(5144, 880, "RuntimeBroker.exe", 1, 43500, sys32+"RuntimeBroker.exe", sys32+"RuntimeBroker.exe -Embedding"),
		row(6600, 4512, "msedge.exe", 1, 90000, `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"`),
		row(7312, 4512, "Notepad.exe", 1, 120000, `C:\Program Files\WindowsApps\Microsoft.WindowsNotepad_11.2410.21.0_x64__8wekyb3d8bbwe\Notepad\Notepad.exe`, `"C:\Program Files\WindowsApps\Microsoft.WindowsNotepad_11.2410.21.0_x64__8wekyb3d8bbwe\Notepad\Notepad.exe"`),
		row(7888, 4512, "cmd.exe", 1, 150000, sys32+"cmd.exe", `"C:\Windows\system32\cmd.exe"`),
		row(7896, 7888, "conhost.exe", 1, 150020, sys32+"conhost.exe", `\??\C:\Windows\system32\conhost.exe 0x4`),
	}
	return ps
}
