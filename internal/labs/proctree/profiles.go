package proctree

import "strings"

// Basis says where a statement comes from, so the page can label it: "documented" (Microsoft
// documentation), "observed" (what a default Windows 11 shows and what the DFIR community, e.g.
// the SANS "Hunt Evil" poster, records as normal) or "model" (a simplification of ours).
const (
	Documented = "documented"
	Observed   = "observed"
	Model      = "model"
)

// Source is one reference behind a profile.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Basis string `json:"basis"`
}

// Profile is what is normal for one well-known process of a Windows 11 boot.
type Profile struct {
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	StartedBy string   `json:"startedBy"`
	Session   string   `json:"session"`
	Account   string   `json:"account"`
	Integrity string   `json:"integrity"`
	Path      string   `json:"path"`
	Instances string   `json:"instances"`
	Topic     string   `json:"topic"`
	Basis     string   `json:"basis"`
	Sources   []Source `json:"sources"`

	// The fields below drive the rules; they are not shown to the learner as such.
	parents      []string // expected parent names (lower case); empty = not checked
	parentExits  bool     // the creator normally exits, so a live parent is odd
	parentStays  bool     // the creator never exits, so a missing parent is odd
	paths        []string // expected image paths, lower case, without the drive letter
	session0     int      // 1: must be session 0, -1: must not be session 0, 0: not checked
	maxTotal     int      // most instances machine-wide (0 = not checked)
	maxPerSess   int      // most instances per session (0 = not checked)
	systemUser   bool     // runs as NT AUTHORITY\SYSTEM
	lookalikeKey bool     // a name malware likes to imitate
}

var (
	srcHuntEvil  = Source{"SANS DFIR \"Hunt Evil\" poster (normal Windows processes)", "https://www.sans.org/posters/hunt-evil/", Observed}
	srcSvchost   = Source{"Service host grouping in Windows 10 (one service per svchost above 3.5 GB RAM)", "https://learn.microsoft.com/en-us/windows/application-management/svchost-service-refactoring", Documented}
	srcLsaProt   = Source{"Configure added LSA protection", "https://learn.microsoft.com/en-us/windows-server/security/credentials-protection-and-management/configuring-additional-lsa-protection", Documented}
	srcCredGuard = Source{"How Credential Guard works (LSAIso in a VBS-isolated environment)", "https://learn.microsoft.com/en-us/windows/security/identity-protection/credential-guard/how-it-works", Documented}
	srcLocalSvc  = Source{"LocalService account", "https://learn.microsoft.com/en-us/windows/win32/services/localservice-account", Documented}
	srcWinlogon  = Source{"Winlogon and credential providers", "https://learn.microsoft.com/en-us/windows/win32/secauthn/winlogon-and-credential-providers", Documented}
	srcDwm       = Source{"Desktop Window Manager", "https://learn.microsoft.com/en-us/windows/win32/dwm/dwm-overview", Documented}
	srcSession0  = Source{"Session 0 isolation (services run in session 0, users in 1 and above)", "https://learn.microsoft.com/en-us/windows/win32/services/interactive-services", Documented}
)

// profiles is the table of well-known processes, keyed by lower-case image name.
var profiles = []Profile{
	{
		Name: "System Idle Process", Role: "Not a real program: one idle thread per logical processor, accounting for time the CPU has nothing to do.",
		StartedBy: "the kernel at boot", Session: "0", Account: "SYSTEM (shown as such by tools)", Integrity: "n/a", Path: "none (no image file)",
		Instances: "exactly one, always PID 0", Topic: "processes/scheduling", Basis: Observed, Sources: []Source{srcHuntEvil},
		session0: 1, maxTotal: 1,
	},
	{
		Name: "System", Role: "Home of kernel-mode system threads (drivers' worker threads, the memory manager's writers); its image is ntoskrnl.exe.",
		StartedBy: "the kernel during phase 1 initialisation", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\ntoskrnl.exe (ExecutablePath is empty in Win32_Process)",
		Instances: "exactly one, always PID 4", Topic: "processes", Basis: Observed, Sources: []Source{srcHuntEvil},
		session0: 1, maxTotal: 1, systemUser: true,
	},
	{
		Name: "Secure System", Role: "Represents the secure kernel (VTL 1) when virtualization-based security is on; its memory is not visible to the normal OS.",
		StartedBy: "the kernel (child of System)", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "none shown",
		Instances: "one when VBS is enabled, otherwise none", Topic: "virtualization/security", Basis: Observed, Sources: []Source{srcCredGuard},
		parents: []string{"system"}, parentStays: true, session0: 1, maxTotal: 1,
	},
	{
		Name: "Registry", Role: "A minimal process that holds the registry hives' data in its user address space, so it can be trimmed like any working set.",
		StartedBy: "the kernel (child of System)", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "none (minimal process)",
		Instances: "exactly one", Topic: "registry/config-manager", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"system"}, parentStays: true, session0: 1, maxTotal: 1,
	},
	{
		Name: "Memory Compression", Role: "A minimal process whose working set holds the compression store (compressed pages that would otherwise be paged out).",
		StartedBy: "the memory manager (child of System)", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "none (minimal process)",
		Instances: "exactly one", Topic: "memory/working-set", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"system"}, parentStays: true, session0: 1, maxTotal: 1,
	},
	{
		Name: "smss.exe", Role: "Session Manager: the first user-mode process. The master instance stays; for each new session it starts a copy of itself that launches csrss.exe plus wininit.exe (session 0) or winlogon.exe (other sessions), then exits.",
		StartedBy: "System (PID 4)", Session: "0 (master instance)", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\smss.exe",
		Instances: "one that stays; per-session children exit within seconds", Topic: "startup/session-manager", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"system"}, parentStays: true, paths: []string{`\windows\system32\smss.exe`}, session0: 1, maxTotal: 1, systemUser: true, lookalikeKey: true,
	},
	{
		Name: "csrss.exe", Role: "Client/Server Runtime: the user-mode half of the Windows subsystem for one session (process and thread bookkeeping, console and shutdown support).",
		StartedBy: "a per-session smss.exe child that has exited, so tools show no living parent", Session: "one per session: 0, 1, and one more per additional session", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\csrss.exe",
		Instances: "two or more (one per session)", Topic: "gui/csrss-win32k", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"smss.exe"}, parentExits: true, paths: []string{`\windows\system32\csrss.exe`}, maxPerSess: 1, systemUser: true, lookalikeKey: true,
	},
	{
		Name: "wininit.exe", Role: "Windows Initialization: starts services.exe, lsass.exe (and LsaIso.exe) in session 0, and the session-0 font driver host.",
		StartedBy: "the session-0 smss.exe child, which has exited", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\wininit.exe",
		Instances: "exactly one", Topic: "startup/session-manager", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"smss.exe"}, parentExits: true, paths: []string{`\windows\system32\wininit.exe`}, session0: 1, maxTotal: 1, systemUser: true, lookalikeKey: true,
	},
	{
		Name: "services.exe", Role: "Service Control Manager: starts and controls services and is therefore the parent of every svchost.exe and other service process.",
		StartedBy: "wininit.exe", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\services.exe",
		Instances: "exactly one", Topic: "services", Basis: Observed, Sources: []Source{srcHuntEvil, srcSession0},
		parents: []string{"wininit.exe"}, parentStays: true, paths: []string{`\windows\system32\services.exe`}, session0: 1, maxTotal: 1, systemUser: true, lookalikeKey: true,
	},
	{
		Name: "lsass.exe", Role: "Local Security Authority: checks logons, builds access tokens, enforces local security policy and holds credential material; often run as a protected process (LSA protection).",
		StartedBy: "wininit.exe", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\lsass.exe",
		Instances: "exactly one", Topic: "auth/lsass-sam", Basis: Observed, Sources: []Source{srcHuntEvil, srcLsaProt},
		parents: []string{"wininit.exe"}, parentStays: true, paths: []string{`\windows\system32\lsass.exe`}, session0: 1, maxTotal: 1, systemUser: true, lookalikeKey: true,
	},
	{
		Name: "LsaIso.exe", Role: "Credential Guard's isolated LSA: a trustlet in the VBS-protected environment that keeps secrets lsass.exe only refers to.",
		StartedBy: "wininit.exe (only when Credential Guard runs)", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "n/a (isolated user mode; tools cannot open it)", Path: "%SystemRoot%\\System32\\LsaIso.exe",
		Instances: "one with Credential Guard, otherwise none", Topic: "virtualization/security", Basis: Observed, Sources: []Source{srcCredGuard},
		parents: []string{"wininit.exe"}, parentStays: true, paths: []string{`\windows\system32\lsaiso.exe`}, session0: 1, maxTotal: 1, lookalikeKey: true,
	},
	{
		Name: "svchost.exe", Role: "Service Host: loads services implemented as DLLs; the command line names the group (-k) and, on machines with more than 3.5 GB of RAM, usually one service (-s).",
		StartedBy: "services.exe", Session: "0 for system services; per-user services can run in the user's session", Account: "SYSTEM, LOCAL SERVICE, NETWORK SERVICE, or the user for per-user services", Integrity: "System for the service accounts; Medium for per-user services", Path: "%SystemRoot%\\System32\\svchost.exe",
		Instances: "many (dozens on Windows 11)", Topic: "services/svchost", Basis: Documented, Sources: []Source{srcSvchost, srcHuntEvil, srcLocalSvc},
		parents: []string{"services.exe"}, parentStays: true, paths: []string{`\windows\system32\svchost.exe`}, lookalikeKey: true,
	},
	{
		Name: "fontdrvhost.exe", Role: "User-mode font driver host: parses fonts outside the kernel, in a restricted process, one per session.",
		StartedBy: "wininit.exe for session 0, winlogon.exe for interactive sessions", Session: "one per session", Account: "Font Driver Host\\UMFD-<session>", Integrity: "Low (AppContainer)", Path: "%SystemRoot%\\System32\\fontdrvhost.exe",
		Instances: "one per session", Topic: "gui/user-gdi", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"wininit.exe", "winlogon.exe"}, parentStays: true, paths: []string{`\windows\system32\fontdrvhost.exe`}, maxPerSess: 1,
	},
	{
		Name: "winlogon.exe", Role: "Winlogon: handles secure attention (Ctrl+Alt+Del), starts LogonUI.exe for sign-in, then userinit.exe for the user; also starts dwm.exe for its session.",
		StartedBy: "a per-session smss.exe child that has exited", Session: "1 and above (one per interactive session)", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\winlogon.exe",
		Instances: "one per interactive session", Topic: "auth/logon-flow", Basis: Observed, Sources: []Source{srcHuntEvil, srcWinlogon},
		parents: []string{"smss.exe"}, parentExits: true, paths: []string{`\windows\system32\winlogon.exe`}, session0: -1, maxPerSess: 1, systemUser: true, lookalikeKey: true,
	},
	{
		Name: "LogonUI.exe", Role: "Shows the sign-in and lock screens and hosts credential providers; runs only while such a screen is shown.",
		StartedBy: "winlogon.exe", Session: "the interactive session", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\LogonUI.exe",
		Instances: "zero or one per session", Topic: "auth/logon-flow", Basis: Documented, Sources: []Source{srcWinlogon},
		parents: []string{"winlogon.exe"}, paths: []string{`\windows\system32\logonui.exe`}, session0: -1, maxPerSess: 1,
	},
	{
		Name: "dwm.exe", Role: "Desktop Window Manager: composes every window of the session into the final image on screen.",
		StartedBy: "winlogon.exe", Session: "1 and above", Account: "Window Manager\\DWM-<session>", Integrity: "System", Path: "%SystemRoot%\\System32\\dwm.exe",
		Instances: "one per interactive session", Topic: "gui", Basis: Observed, Sources: []Source{srcDwm, srcHuntEvil},
		parents: []string{"winlogon.exe"}, parentStays: true, paths: []string{`\windows\system32\dwm.exe`}, session0: -1, maxPerSess: 1,
	},
	{
		Name: "userinit.exe", Role: "Runs logon scripts and restores network connections, starts the shell named in the Winlogon Shell value (explorer.exe), then exits.",
		StartedBy: "winlogon.exe", Session: "the user's session", Account: "the signed-in user", Integrity: "Medium", Path: "%SystemRoot%\\System32\\userinit.exe",
		Instances: "none after logon completes (it exits)", Topic: "auth/logon-flow", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"winlogon.exe"}, paths: []string{`\windows\system32\userinit.exe`}, session0: -1,
	},
	{
		Name: "explorer.exe", Role: "The shell: desktop, taskbar and File Explorer windows; the usual parent of programs the user starts.",
		StartedBy: "userinit.exe, which exits, so tools show no living parent", Session: "the user's session", Account: "the signed-in user", Integrity: "Medium", Path: "%SystemRoot%\\explorer.exe",
		Instances: "one per signed-in user (more if folder windows run in separate processes)", Topic: "processes", Basis: Observed, Sources: []Source{srcHuntEvil},
		paths: []string{`\windows\explorer.exe`}, session0: -1, lookalikeKey: true,
	},
	{
		Name: "sihost.exe", Role: "Shell Infrastructure Host: parts of the shell experience (notifications, background) for the signed-in user.",
		StartedBy: "an svchost.exe (User Manager service)", Session: "the user's session", Account: "the signed-in user", Integrity: "Medium", Path: "%SystemRoot%\\System32\\sihost.exe",
		Instances: "one per signed-in user", Topic: "processes", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"svchost.exe"}, paths: []string{`\windows\system32\sihost.exe`}, session0: -1,
	},
	{
		Name: "taskhostw.exe", Role: "Host for DLL-based scheduled tasks that run in the user's session.",
		StartedBy: "an svchost.exe (Task Scheduler service)", Session: "the user's session", Account: "the signed-in user", Integrity: "Medium", Path: "%SystemRoot%\\System32\\taskhostw.exe",
		Instances: "one or more", Topic: "services/svchost", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"svchost.exe"}, paths: []string{`\windows\system32\taskhostw.exe`},
	},
	{
		Name: "RuntimeBroker.exe", Role: "Checks what packaged (Store) apps may do on the user's behalf and brokers access.",
		StartedBy: "an svchost.exe (DCOM Server Process Launcher)", Session: "the user's session", Account: "the signed-in user", Integrity: "Medium", Path: "%SystemRoot%\\System32\\RuntimeBroker.exe",
		Instances: "several", Topic: "security/appcontainer", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"svchost.exe"}, paths: []string{`\windows\system32\runtimebroker.exe`},
	},
	{
		Name: "spoolsv.exe", Role: "Print Spooler service, running in its own process rather than in an svchost.exe.",
		StartedBy: "services.exe", Session: "0", Account: "NT AUTHORITY\\SYSTEM", Integrity: "System", Path: "%SystemRoot%\\System32\\spoolsv.exe",
		Instances: "zero or one", Topic: "services", Basis: Observed, Sources: []Source{srcHuntEvil},
		parents: []string{"services.exe"}, parentStays: true, paths: []string{`\windows\system32\spoolsv.exe`}, session0: 1, maxTotal: 1,
	},
	{
		Name: "conhost.exe", Role: "Console Window Host: draws the console window for a command-line program; started by that program.",
		StartedBy: "the console program itself (cmd.exe, powershell.exe, ...)", Session: "same as its console program", Account: "same as its console program", Integrity: "same as its console program", Path: "%SystemRoot%\\System32\\conhost.exe",
		Instances: "one per console", Topic: "gui/csrss-win32k", Basis: Observed, Sources: []Source{srcHuntEvil},
		paths: []string{`\windows\system32\conhost.exe`},
	},
}

// profileByName finds a profile by image name, case-insensitively.
func profileByName(name string) *Profile {
	n := strings.ToLower(name)
	for i := range profiles {
		if strings.ToLower(profiles[i].Name) == n {
			return &profiles[i]
		}
	}
	return nil
}

// Profiles returns a copy of the table, in boot order, for the page.
func Profiles() []Profile {
	out := make([]Profile, len(profiles))
	copy(out, profiles)
	return out
}
