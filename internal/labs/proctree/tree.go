// Package proctree is the process tree explorer lab: it holds a typical Windows 11 boot tree,
// reads a learner's own process list (Get-CimInstance Win32_Process as JSON, or tasklist CSV),
// rebuilds the tree from parent PIDs with care for exited and reused parents, and flags what
// deviates from a normal machine, saying why it matters and which topic explains it.
//
// The package is pure: no I/O, no clock. Identical input gives identical output.
package proctree

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"ntatlas/internal/labs"
)

// Process is one row of a process list, whatever its source.
type Process struct {
	PID         uint32
	PPID        uint32
	HasPPID     bool // false for tasklist, which has no parent column
	Name        string
	Session     int // -1 when unknown
	Created     time.Time
	HasCreated  bool
	Path        string
	CommandLine string
	User        string // tasklist /v only; "" when unknown
	Where       string // where the row came from ("process[3] (line 40)", "line 7"), for messages
}

// Parent link states of a node.
const (
	ParentRoot    = "root"    // no parent by design (Idle, System) or PPID 0 with no PID 0 row
	ParentAlive   = "alive"   // the parent is in the list and was created before the child
	ParentExited  = "exited"  // no process with that PID is in the list any more
	ParentReused  = "reused"  // a process has that PID now, but it was created after the child
	ParentCycle   = "cycle"   // following parent links leads back here; the link is cut
	ParentUnknown = "unknown" // the source has no parent column (tasklist)
)

// Node is one process in the rebuilt tree.
type Node struct {
	PID         uint32  `json:"pid"`
	PPID        *uint32 `json:"ppid"`
	Name        string  `json:"name"`
	Session     *int    `json:"session"`
	Created     string  `json:"created,omitempty"`
	Path        string  `json:"path,omitempty"`
	CommandLine string  `json:"commandLine,omitempty"`
	User        string  `json:"user,omitempty"`
	Parent      string  `json:"parent"`
	ParentName  string  `json:"parentName,omitempty"`
	Profile     string  `json:"profile,omitempty"`
	Detached    bool    `json:"detached,omitempty"` // shown as a root only to bound nesting
	Children    []*Node `json:"children,omitempty"`
}

// MaxDepth bounds how deeply nodes nest in the JSON tree. Real trees are a few dozen levels
// deep; a crafted list could chain thousands, which JSON parsers (Go's included) refuse, so a
// node at every MaxDepth-th level is listed as a root and marked detached.
const MaxDepth = 200

// built is the tree plus the per-process parent decisions the rules need.
type built struct {
	roots  []*Node
	procs  []Process
	status []string // parent status per procs index
	parent []int    // index of the live parent in procs, -1 if none
}

// buildTree links processes to their parents. It never loops: a parent link is kept only when
// the parent exists and is not younger than the child (a younger "parent" means its PID was
// reused, which Win32_Process documents as possible:
// https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/win32-process), and any cycle that remains (possible when
// creation times are missing) is cut at its lowest PID.
func buildTree(procs []Process) built {
	n := len(procs)
	b := built{procs: procs, status: make([]string, n), parent: make([]int, n)}
	byPID := make(map[uint32]int, n)
	for i, p := range procs {
		byPID[p.PID] = i
	}
	for i, p := range procs {
		b.parent[i] = -1
		switch {
		case !p.HasPPID:
			b.status[i] = ParentUnknown
		case p.PID == 0:
			b.status[i] = ParentRoot
		case p.PPID == p.PID:
			b.status[i] = ParentCycle
		default:
			j, ok := byPID[p.PPID]
			switch {
			case !ok && p.PPID == 0:
				b.status[i] = ParentRoot
			case !ok:
				b.status[i] = ParentExited
			case procs[j].HasCreated && p.HasCreated && procs[j].Created.After(p.Created):
				b.status[i] = ParentReused
			default:
				b.status[i] = ParentAlive
				b.parent[i] = j
			}
		}
	}
	// Cut cycles. Colour: 0 unvisited, 1 on the current path, 2 done.
	colour := make([]uint8, n)
	for start := range n {
		if colour[start] != 0 {
			continue
		}
		var path []int
		v := start
		for v >= 0 && colour[v] == 0 {
			colour[v] = 1
			path = append(path, v)
			v = b.parent[v]
		}
		if v >= 0 && colour[v] == 1 {
			// v is on the current path: the cycle is path[k:] where path[k] == v.
			k := len(path) - 1
			for path[k] != v {
				k--
			}
			cut := path[k]
			for _, c := range path[k:] {
				if procs[c].PID < procs[cut].PID {
					cut = c
				}
			}
			b.parent[cut] = -1
			b.status[cut] = ParentCycle
		}
		for _, c := range path {
			colour[c] = 2
		}
	}

	nodes := make([]*Node, n)
	for i, p := range procs {
		nd := &Node{PID: p.PID, Name: p.Name, Path: p.Path, CommandLine: p.CommandLine, User: p.User, Parent: b.status[i]}
		if p.HasPPID {
			pp := p.PPID
			nd.PPID = &pp
		}
		if p.Session >= 0 {
			s := p.Session
			nd.Session = &s
		}
		if p.HasCreated {
			nd.Created = formatCreated(p.Created)
		}
		if pr := profileByName(p.Name); pr != nil {
			nd.Profile = pr.Name
		}
		if b.parent[i] >= 0 {
			nd.ParentName = procs[b.parent[i]].Name
		}
		nodes[i] = nd
	}
	depth := b.depths()
	for i := range procs {
		j := b.parent[i]
		switch {
		case j >= 0 && depth[i]%MaxDepth == 0:
			nodes[i].Detached = true
			b.roots = append(b.roots, nodes[i])
		case j >= 0:
			nodes[j].Children = append(nodes[j].Children, nodes[i])
		default:
			b.roots = append(b.roots, nodes[i])
		}
	}
	for _, nd := range nodes {
		sortNodes(nd.Children, procs, byPID)
	}
	sortNodes(b.roots, procs, byPID)
	return b
}

// depths returns each process's distance from its root, without recursion (the parent links
// are acyclic once buildTree has cut cycles).
func (b built) depths() []int {
	d := make([]int, len(b.procs))
	for i := range d {
		d[i] = -1
	}
	var path []int
	for i := range b.procs {
		path = path[:0]
		v := i
		for v >= 0 && d[v] < 0 {
			path = append(path, v)
			v = b.parent[v]
		}
		base := -1
		if v >= 0 {
			base = d[v]
		}
		for k := len(path) - 1; k >= 0; k-- {
			base++
			d[path[k]] = base
		}
	}
	return d
}

// sortNodes orders siblings by creation time (boot order reads naturally), then PID.
func sortNodes(ns []*Node, procs []Process, byPID map[uint32]int) {
	sort.SliceStable(ns, func(a, c int) bool {
		pa, pc := procs[byPID[ns[a].PID]], procs[byPID[ns[c].PID]]
		if pa.HasCreated != pc.HasCreated {
			return pa.HasCreated
		}
		if pa.HasCreated && !pa.Created.Equal(pc.Created) {
			return pa.Created.Before(pc.Created)
		}
		return pa.PID < pc.PID
	})
}

// lowerName is the comparison form of an image name.
func lowerName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// formatCreated is t.UTC().Format("2006-01-02T15:04:05.000Z07:00") written out, so that time's
// layout engine stays out of the WebAssembly bundle: milliseconds truncated, the year with at
// least four digits (and a sign when negative, which a /Date()/ value can give).
func formatCreated(t time.Time) string {
	y, mo, d, h, mi, s := labs.CivilFromUnix(t.Unix())
	year, month, day, hour, minute, sec := int(y), int(mo), int(d), int(h), int(mi), int(s)
	b := make([]byte, 0, 32)
	if year < 0 {
		b = append(b, '-')
		year = -year
	}
	b = appendPadded(b, year, 4)
	for _, f := range []struct {
		sep byte
		v   int
	}{{'-', int(month)}, {'-', day}, {'T', hour}, {':', minute}, {':', sec}} {
		b = appendPadded(append(b, f.sep), f.v, 2)
	}
	b = appendPadded(append(b, '.'), t.Nanosecond()/1e6, 3)
	return string(append(b, 'Z'))
}

// appendPadded writes v (not negative) in decimal with at least width digits.
func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
