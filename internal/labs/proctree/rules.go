package proctree

import (
	"fmt"
	"sort"
	"strings"
)

// Finding is one deviation from a normal Windows 11 machine.
type Finding struct {
	PID   uint32 `json:"pid"`
	Name  string `json:"name"`
	Rule  string `json:"rule"`
	Why   string `json:"why"`
	Topic string `json:"topic"`
	Basis string `json:"basis"`
}

// Rule identifiers, stable for tests, the page and the exercises.
const (
	RuleSystemPID        = "system-pid"
	RuleUnexpectedParent = "unexpected-parent"
	RuleParentAlive      = "parent-still-running"
	RuleParentMissing    = "parent-missing"
	RuleUnexpectedPath   = "unexpected-path"
	RuleTooMany          = "too-many-instances"
	RuleSession          = "unexpected-session"
	RuleUser             = "unexpected-user"
	RuleLookalike        = "lookalike-name"
)

// special adds what a generic sentence cannot say about the processes attackers imitate most.
var special = map[string]string{
	"svchost.exe|" + RuleUnexpectedParent:  " Only the Service Control Manager (services.exe) starts service hosts, so any other parent is a classic sign of a program hiding under a trusted name.",
	"svchost.exe|" + RuleUnexpectedPath:    " Malware often copies itself as svchost.exe into a writable folder such as AppData or Temp.",
	"lsass.exe|" + RuleUnexpectedParent:    " LSASS holds credential material; a copy started by anything but wininit.exe is how fakes and credential stealers show up.",
	"lsass.exe|" + RuleTooMany:             " A second lsass.exe is never normal: only one Local Security Authority runs per boot.",
	"lsass.exe|" + RuleUnexpectedPath:      " The real LSASS is loaded from System32 only; another location means another program using its name.",
	"services.exe|" + RuleUnexpectedParent: " The Service Control Manager is started by wininit.exe in session 0.",
	"csrss.exe|" + RuleParentAlive:         " The smss.exe copy that starts a session exits once csrss.exe and winlogon.exe or wininit.exe run, so a csrss.exe whose parent is still alive was probably started some other way.",
}

// analyze applies every rule that the available columns allow.
func analyze(b built) []Finding {
	var out []Finding
	add := func(i int, rule, why, topic, basis string) {
		p := b.procs[i]
		if s, ok := special[lowerName(p.Name)+"|"+rule]; ok {
			why += s
		}
		out = append(out, Finding{PID: p.PID, Name: p.Name, Rule: rule, Why: why, Topic: topic, Basis: basis})
	}

	for i, p := range b.procs {
		name := lowerName(p.Name)
		if name == "system" && p.PID != 4 {
			add(i, RuleSystemPID, fmt.Sprintf("The kernel's System process always has PID 4; a process named System with PID %d is something else using the name.", p.PID), "processes", Observed)
		}
		if p.PID == 4 && name != "system" && name != "" {
			add(i, RuleSystemPID, "PID 4 always belongs to the System process; this list shows another name there, so the list was edited or is not a plain Windows snapshot.", "processes", Observed)
		}
		pr := profileByName(p.Name)
		if pr == nil {
			if target := lookalike(name); target != "" {
				add(i, RuleLookalike, fmt.Sprintf("%s differs from %s by a single changed, added, dropped or swapped letter. Look-alike names are a common way to make a program pass for a Windows component in a process list.", p.Name, target), "processes", Observed)
			}
			continue
		}
		// Parent rules need a parent column.
		if p.HasPPID {
			st := b.status[i]
			parentName := ""
			if j := b.parent[i]; j >= 0 {
				parentName = lowerName(b.procs[j].Name)
			}
			switch {
			case st == ParentAlive && len(pr.parents) > 0 && !contains(pr.parents, parentName):
				add(i, RuleUnexpectedParent, fmt.Sprintf("%s is normally started by %s; here its parent is %s (PID %d).", pr.Name, pr.StartedBy, b.procs[b.parent[i]].Name, p.PPID), parentTopic(pr), pr.Basis)
			case st == ParentAlive && pr.parentExits:
				add(i, RuleParentAlive, fmt.Sprintf("%s is started by a short-lived copy of smss.exe that exits straight away; here its parent %s (PID %d) is still running.", pr.Name, b.procs[b.parent[i]].Name, p.PPID), "startup/session-manager", Observed)
			case (st == ParentExited || st == ParentReused || st == ParentCycle) && pr.parentStays:
				add(i, RuleParentMissing, fmt.Sprintf("%s is started by %s, which runs until shutdown; here no live process is its parent (PID %d, %s), so it was started some other way or its parent was killed.", pr.Name, pr.StartedBy, p.PPID, describeStatus(st)), parentTopic(pr), pr.Basis)
			}
		}
		if p.Path != "" && len(pr.paths) > 0 {
			if np := normPath(p.Path); !contains(pr.paths, np) {
				add(i, RuleUnexpectedPath, fmt.Sprintf("%s normally runs from %s; this one runs from %s.", pr.Name, pr.Path, p.Path), pr.Topic, pr.Basis)
			}
		}
		if p.Session >= 0 {
			switch {
			case pr.session0 == 1 && p.Session != 0:
				add(i, RuleSession, fmt.Sprintf("%s belongs in session 0, where services and system processes are isolated from users; this one is in session %d.", pr.Name, p.Session), "startup/session-manager", Documented)
			case pr.session0 == -1 && p.Session == 0:
				add(i, RuleSession, fmt.Sprintf("%s belongs to an interactive session (1 or above); session 0 has no user desktop, yet this one runs there.", pr.Name), "startup/session-manager", Documented)
			}
		}
		if pr.systemUser && p.User != "" && !strings.HasSuffix(strings.ToLower(p.User), `\system`) {
			add(i, RuleUser, fmt.Sprintf("%s runs as NT AUTHORITY\\SYSTEM; this one runs as %s.", pr.Name, p.User), "security/token", Observed)
		}
	}
	out = append(out, instanceFindings(b)...)
	sort.SliceStable(out, func(a, c int) bool {
		if out[a].PID != out[c].PID {
			return out[a].PID < out[c].PID
		}
		return out[a].Rule < out[c].Rule
	})
	return out
}

// instanceFindings flags copies beyond the normal count. The copy that looks most legitimate
// (expected parent, expected path, oldest) is kept; the others are flagged, because that is
// the one a learner should distrust.
func instanceFindings(b built) []Finding {
	groups := map[string][]int{}
	var keys []string
	for i, p := range b.procs {
		pr := profileByName(p.Name)
		if pr == nil || (pr.maxTotal == 0 && pr.maxPerSess == 0) {
			continue
		}
		k := strings.ToLower(pr.Name)
		if pr.maxTotal == 0 {
			if p.Session < 0 {
				continue
			}
			k = fmt.Sprintf("%s|%d", k, p.Session)
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] }) // sort.Slice, not sort.Strings: one sort implementation in the WebAssembly bundle
	var out []Finding
	for _, k := range keys {
		idx := groups[k]
		pr := profileByName(b.procs[idx[0]].Name)
		limit, scope := pr.maxTotal, "on the machine"
		if limit == 0 {
			limit, scope = pr.maxPerSess, fmt.Sprintf("in session %d", b.procs[idx[0]].Session)
		}
		if len(idx) <= limit {
			continue
		}
		sort.SliceStable(idx, func(a, c int) bool { return better(b, pr, idx[a], idx[c]) })
		for _, i := range idx[limit:] {
			p := b.procs[i]
			why := fmt.Sprintf("%d copies of %s run %s where %s is normal; this copy looks least like the genuine one.", len(idx), pr.Name, scope, pr.Instances)
			if s, ok := special[lowerName(p.Name)+"|"+RuleTooMany]; ok {
				why += s
			}
			out = append(out, Finding{PID: p.PID, Name: p.Name, Rule: RuleTooMany, Why: why, Topic: pr.Topic, Basis: Observed})
		}
	}
	return out
}

// better reports whether process a looks more genuine than process c.
func better(b built, pr *Profile, a, c int) bool {
	score := func(i int) int {
		s := 0
		p := b.procs[i]
		if j := b.parent[i]; j >= 0 && contains(pr.parents, lowerName(b.procs[j].Name)) {
			s += 2
		}
		if p.Path != "" && contains(pr.paths, normPath(p.Path)) {
			s += 2
		}
		if pr.parentExits && b.status[i] == ParentExited {
			s++
		}
		return s
	}
	sa, sc := score(a), score(c)
	if sa != sc {
		return sa > sc
	}
	pa, pc := b.procs[a], b.procs[c]
	if pa.HasCreated && pc.HasCreated && !pa.Created.Equal(pc.Created) {
		return pa.Created.Before(pc.Created)
	}
	return pa.PID < pc.PID
}

//go:noinline
func parentTopic(pr *Profile) string {
	switch strings.ToLower(pr.Name) {
	case "svchost.exe":
		return "services/svchost"
	case "lsass.exe":
		return "auth/lsass-sam"
	}
	return pr.Topic
}

func describeStatus(st string) string {
	switch st {
	case ParentReused:
		return "a PID now used by a younger process"
	case ParentCycle:
		return "a parent link that loops back"
	}
	return "no longer running"
}

// normPath turns "\\?\C:\Windows\System32\lsass.exe" or "C:\WINDOWS\system32\lsass.exe" into
// "\windows\system32\lsass.exe". The drive letter is dropped on purpose: Windows may be
// installed on another drive, and the folder under it is what matters here (model choice).
func normPath(p string) string {
	s := strings.ToLower(strings.TrimSpace(p))
	s = strings.ReplaceAll(s, "/", `\`)
	for _, pre := range []string{`\\?\`, `\??\`, `\\.\`} {
		s = strings.TrimPrefix(s, pre)
	}
	if strings.HasPrefix(s, `%systemroot%`) {
		s = `\windows` + s[len(`%systemroot%`):]
	} else if len(s) >= 2 && s[1] == ':' {
		s = s[2:]
	}
	return s
}

//go:noinline
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// lookalike returns the protected name that name imitates (one edit or one swap away), or "".
func lookalike(name string) string {
	if name == "" {
		return ""
	}
	for i := range profiles {
		pr := &profiles[i]
		if !pr.lookalikeKey {
			continue
		}
		target := strings.ToLower(pr.Name)
		if name != target && osaDistance(name, target) == 1 {
			return pr.Name
		}
	}
	return ""
}

// osaDistance is the optimal-string-alignment edit distance (insert, delete, substitute,
// swap of neighbours), on bytes; names longer than 64 bytes are never look-alikes.
func osaDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range len(b) + 1 {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
