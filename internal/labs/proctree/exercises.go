package proctree

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ntatlas/internal/labs"
)

// Choice is one process offered in a pick-the-processes exercise (without the answer column).
type Choice struct {
	PID         uint32 `json:"pid"`
	Name        string `json:"name"`
	CommandLine string `json:"commandLine,omitempty"`
}

// Exercise is a question the engine can check.
type Exercise struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"` // "session-0" or "odd-one-out"
	Question string   `json:"question"`
	Choices  []Choice `json:"choices,omitempty"`
	Tree     []*Node  `json:"tree,omitempty"`
}

// CheckResult is the verdict on a learner's answer.
type CheckResult struct {
	Exercise    string    `json:"exercise"`
	Correct     bool      `json:"correct"`
	Expected    []uint32  `json:"expected"`
	Missing     []uint32  `json:"missing"`
	Unexpected  []uint32  `json:"unexpected"`
	Explanation string    `json:"explanation"`
	Findings    []Finding `json:"findings,omitempty"`
}

// session0Choices are the processes offered in the session-0 question: a mix where names alone
// do not give the answer away (two csrss.exe, two fontdrvhost.exe, a per-user svchost.exe).
var session0Choices = []uint32{532, 604, 616, 700, 760, 780, 880, 896, 904, 1060, 2412, 4236, 4512}

// oddTrees are the prepared "find the odd one out" lists: the sample with one planted anomaly.
type oddTree struct {
	id, question string
	add          []Process
}

var oddTrees = []oddTree{
	{"odd-svchost-parent", "One service host in this tree was not started the way service hosts are. Which PID?",
		[]Process{row(6120, 4512, "svchost.exe", 1, 200000, sys32+"svchost.exe", sys32+"svchost.exe -k netsvcs")}},
	{"odd-second-lsass", "Something in this tree is pretending to be part of the security subsystem. Which PID?",
		[]Process{row(6344, 4512, "lsass.exe", 1, 210000, `C:\Users\Public\lsass.exe`, `C:\Users\Public\lsass.exe`)}},
	{"odd-csrss-parent", "A new session was started in this tree, but one of its processes has the wrong kind of parent. Which PID?",
		[]Process{row(6500, 388, "csrss.exe", 2, 220000, sys32+"csrss.exe", `%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows`)}},
	{"odd-svchost-path", "Every process here has a believable parent. Which PID is still wrong?",
		[]Process{row(6720, 760, "svchost.exe", 0, 230000, `C:\Users\alex\AppData\Local\Temp\svchost.exe`, `C:\Users\alex\AppData\Local\Temp\svchost.exe -k netsvcs`)}},
	{"odd-lookalike", "Read the names carefully. Which PID is not what it seems?",
		[]Process{row(6900, 4512, "scvhost.exe", 1, 240000, `C:\Users\alex\AppData\Roaming\scvhost.exe`, `C:\Users\alex\AppData\Roaming\scvhost.exe`)}},
}

func oddProcesses(i int) []Process {
	return append(sampleProcesses(), oddTrees[i].add...)
}

// Exercises lists every exercise, without answers.
func Exercises() []Exercise {
	byPID := map[uint32]Process{}
	for _, p := range sampleProcesses() {
		byPID[p.PID] = p
	}
	s0 := Exercise{ID: "session-0", Kind: "session-0", Question: "Which of these processes run in session 0, the non-interactive session of services and system processes? Pick every one."}
	for _, pid := range session0Choices {
		p := byPID[pid]
		s0.Choices = append(s0.Choices, Choice{PID: p.PID, Name: p.Name, CommandLine: p.CommandLine})
	}
	out := []Exercise{s0}
	for i, o := range oddTrees {
		out = append(out, Exercise{ID: o.id, Kind: "odd-one-out", Question: o.question, Tree: buildTree(oddProcesses(i)).roots})
	}
	return out
}

// Check verifies the PIDs a learner picked for an exercise.
func Check(id string, picked []uint32) (CheckResult, error) {
	res := CheckResult{Exercise: id}
	var expected []uint32
	switch {
	case id == "session-0":
		byPID := map[uint32]Process{}
		for _, p := range sampleProcesses() {
			byPID[p.PID] = p
		}
		var notes []string
		for _, pid := range session0Choices {
			p := byPID[pid]
			if p.Session == 0 {
				expected = append(expected, pid)
			}
			notes = append(notes, fmt.Sprintf("%s (PID %d) session %d", p.Name, pid, p.Session))
		}
		res.Explanation = "Session 0 holds services and the processes that start them (wininit.exe, services.exe, lsass.exe, svchost.exe for system services, the session-0 csrss.exe and font driver host); each signed-in user gets session 1 or above with its own csrss.exe, winlogon.exe, dwm.exe and font driver host. Per-user services such as CDPUserSvc run in the user's session. " + strings.Join(notes, "; ") + "."
	default:
		idx := slices.IndexFunc(oddTrees, func(o oddTree) bool { return o.id == id })
		if idx < 0 {
			return res, &labs.InputError{Offset: -1, Field: "exercise", Message: fmt.Sprintf("unknown exercise %q", id)}
		}
		f := analyze(buildTree(oddProcesses(idx)))
		seen := map[uint32]bool{}
		var whys []string
		for _, x := range f {
			if !seen[x.PID] {
				seen[x.PID] = true
				expected = append(expected, x.PID)
			}
			whys = append(whys, x.Why)
		}
		res.Findings = f
		res.Explanation = strings.Join(whys, " ")
	}
	want := map[uint32]bool{}
	for _, p := range expected {
		want[p] = true
	}
	got := map[uint32]bool{}
	for _, p := range picked {
		got[p] = true
		if !want[p] && !slices.Contains(res.Unexpected, p) {
			res.Unexpected = append(res.Unexpected, p)
		}
	}
	for _, p := range expected {
		if !got[p] {
			res.Missing = append(res.Missing, p)
		}
	}
	sort.Slice(expected, func(a, b int) bool { return expected[a] < expected[b] })
	sort.Slice(res.Unexpected, func(a, b int) bool { return res.Unexpected[a] < res.Unexpected[b] })
	res.Expected = expected
	res.Correct = len(res.Missing) == 0 && len(res.Unexpected) == 0
	if res.Missing == nil {
		res.Missing = []uint32{}
	}
	if res.Unexpected == nil {
		res.Unexpected = []uint32{}
	}
	return res, nil
}
