package sockpath

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"ntatlas/internal/labs"
)

// Choice is one answer of a multiple-choice exercise.
type Choice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Exercise is checked by the engine.
type Exercise struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Prompt   string    `json:"prompt"`
	Kind     string    `json:"kind"` // workload, choice, number
	Choices  []Choice  `json:"choices,omitempty"`
	Workload *Workload `json:"workload,omitempty"` // the workload a number question is about
	Evidence string    `json:"evidence"`
	Source   string    `json:"source"`
}

func i64(v int64) *int64 { return &v }

// Exercises lists the built-in exercises (rebuilt on each call).
func Exercises() []Exercise {
	return []Exercise{
		{ID: "fewest-transitions-1gib", Title: "Send 1 GiB with the fewest transitions",
			Prompt: "Write a user-mode workload (bytes = 1073741824) that sends 1 GiB with as few user/kernel transitions as possible. WSK does not count: it is a kernel client.",
			Kind:   "workload", Evidence: Documented, Source: SrcTransmit},
		{ID: "sndbuf0-stall", Title: "Why does SO_SNDBUF=0 with one outstanding send stall?",
			Prompt: "An application sets SO_SNDBUF to 0 and sends small messages with one blocking send at a time. Throughput collapses to a few sends per second. Why?",
			Kind:   "choice", Choices: []Choice{
				{ID: "double-copy", Text: "AFD copies every buffer twice when buffering is off."},
				{ID: "ack-wait", Text: "Without AFD buffering a send completes only when the transport is done with the buffer; with one send in flight, Nagle holds the small segment and the peer delays its ACK (up to 200 ms), so every send waits for that ACK."},
				{ID: "iocp-full", Text: "The completion port overflows because no thread dequeues packets."},
				{ID: "wfp-reclassify", Text: "WFP reclassifies every packet when the socket has no send buffer."},
			}, Evidence: Documented, Source: SrcKB214397},
		{ID: "skip-completion", Title: "Completions with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS",
			Prompt: "Overlapped WSASend of 1 KiB messages, room in the send buffer, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set. How many completion packets are queued per send?",
			Kind:   "number",
			Workload: &Workload{Bytes: 1 << 20, MessageSize: 1024, API: "wsasend-iocp",
				Options: Options{SkipCompletionPortOnSuccess: true}},
			Evidence: Documented, Source: SrcSkip},
		{ID: "gqcsex-batch", Title: "Batching the dequeue",
			Prompt:   "Overlapped WSASend of 4 KiB messages whose completions are dequeued with GetQueuedCompletionStatusEx, 16 entries per call (no skip flag). How many user/kernel transitions per send, on average?",
			Kind:     "number",
			Workload: &Workload{Bytes: 64 << 20, MessageSize: 4096, API: "wsasend-iocp", Options: Options{GQCSExBatch: 16}},
			Evidence: Documented, Source: SrcGQCSEx},
		{ID: "sndbuf0-locks", Title: "What SO_SNDBUF=0 trades",
			Prompt:   "Overlapped WSASend of 64 KiB with SO_SNDBUF=0 and 8 sends outstanding. How many bytes are copied per send?",
			Kind:     "number",
			Workload: &Workload{Bytes: 64 << 20, MessageSize: 64 << 10, API: "wsasend-iocp", Options: Options{SndBuf: i64(0), Outstanding: 8}},
			Evidence: Documented, Source: SrcKB214397},
	}
}

// CheckRequest is the input of "check".
type CheckRequest struct {
	Exercise string          `json:"exercise"`
	Answer   json.RawMessage `json:"answer"`
}

// Reference is a workload shown for comparison.
type Reference struct {
	Label       string  `json:"label"`
	Transitions float64 `json:"transitions"`
	Cost        float64 `json:"cost"`
}

// CheckResult is the verdict.
type CheckResult struct {
	Exercise   string      `json:"exercise"`
	Correct    bool        `json:"correct"`
	Expected   any         `json:"expected"`
	Got        any         `json:"got"`
	Why        string      `json:"why"`
	Evidence   string      `json:"evidence"`
	Source     string      `json:"source"`
	Run        *Run        `json:"run,omitempty"`
	References []Reference `json:"references,omitempty"`
}

func references() []Reference {
	refs := []struct {
		label string
		w     Workload
	}{
		{"send(), 64 KiB at a time", Workload{Bytes: gib, MessageSize: 64 << 10, API: "send"}},
		{"WSASend + IOCP + skip-on-success, 64 KiB", Workload{Bytes: gib, MessageSize: 64 << 10, API: "wsasend-iocp", Options: Options{SkipCompletionPortOnSuccess: true}}},
		{"ReadFile + send, 64 KiB chunks", Workload{Bytes: gib, MessageSize: 64 << 10, API: "readfile-send"}},
		{"RIO, 64 KiB, DEFER batches of 64, polling", Workload{Bytes: gib, MessageSize: 64 << 10, API: "rio", Options: Options{RIODeferBatch: 64, Outstanding: 64}}},
		{"TransmitFile, one call", Workload{Bytes: gib, API: "transmitfile"}},
	}
	var out []Reference
	for _, r := range refs {
		run, err := Simulate(r.w)
		if err != nil {
			continue
		}
		out = append(out, Reference{Label: r.label, Transitions: run.Total.Transitions, Cost: round(run.CostTotal.Total)})
	}
	return out
}

// Check verifies the learner's answer.
func Check(req CheckRequest) (*CheckResult, error) {
	var ex *Exercise
	all := Exercises()
	for i := range all {
		if all[i].ID == req.Exercise {
			ex = &all[i]
		}
	}
	if ex == nil {
		return nil, &labs.InputError{Offset: -1, Field: "exercise", Message: fmt.Sprintf("unknown exercise %q", req.Exercise)}
	}
	if len(req.Answer) == 0 {
		return nil, &labs.InputError{Offset: -1, Field: "answer", Message: "missing answer"}
	}
	res := &CheckResult{Exercise: ex.ID, Evidence: ex.Evidence, Source: ex.Source}
	switch ex.Kind {
	case "workload":
		var w Workload
		if err := labs.Decode(req.Answer, &w); err != nil {
			if ie, ok := err.(*labs.InputError); ok {
				ie.Field = strings.TrimSuffix("answer."+ie.Field, ".")
			}
			return nil, err
		}
		if w.Bytes != gib {
			return nil, &labs.InputError{Offset: -1, Field: "answer.bytes", Message: fmt.Sprintf("the exercise sends exactly 1 GiB (%d bytes)", gib)}
		}
		if w.API == "wsk" {
			return nil, &labs.InputError{Offset: -1, Field: "answer.api", Message: "WSK is a kernel-mode client: it has no user/kernel transitions to count"}
		}
		run, err := Simulate(w)
		if err != nil {
			if ie, ok := err.(*labs.InputError); ok {
				ie.Field = "answer." + ie.Field
			}
			return nil, err
		}
		res.Run = run
		res.References = references()
		res.Got = run.Total.Transitions
		res.Expected = 1.0
		res.Correct = run.Total.Transitions <= 2
		res.Why = "TransmitFile hands the whole file to AFD in one call: the kernel reads it through the cache manager, so 1 GiB costs one transition (two if overlapped, for the dequeue). Everything that loops in user mode pays at least one transition per buffer, or per batch with RIO."
	case "choice":
		var got string
		if err := json.Unmarshal(req.Answer, &got); err != nil {
			return nil, &labs.InputError{Offset: -1, Field: "answer", Message: "expected a choice id as a string"}
		}
		valid := false
		for _, c := range ex.Choices {
			valid = valid || c.ID == got
		}
		if !valid {
			return nil, &labs.InputError{Offset: -1, Field: "answer", Message: fmt.Sprintf("%q is not a choice of this exercise", got)}
		}
		run, err := Simulate(Workload{Bytes: 1 << 20, MessageSize: 512, API: "send", Options: Options{SndBuf: i64(0)}})
		if err != nil {
			return nil, err
		}
		res.Run = run
		res.Expected, res.Got = "ack-wait", got
		res.Correct = got == "ack-wait"
		res.Why = "KB 214397: with SO_SNDBUF=0 the application's buffer is used directly until the transport is done, which helps bulk senders that keep several overlapped sends outstanding. A single blocking sender waits each time for the acknowledgement, and Nagle plus the 200 ms delayed ACK turn that into a stall."
	case "number":
		var got float64
		if err := json.Unmarshal(req.Answer, &got); err != nil || math.IsNaN(got) || math.IsInf(got, 0) {
			return nil, &labs.InputError{Offset: -1, Field: "answer", Message: "expected a number"}
		}
		run, err := Simulate(*ex.Workload)
		if err != nil {
			return nil, err
		}
		res.Run = run
		var want float64
		switch ex.ID {
		case "skip-completion":
			want = run.PerOp.Completions
			res.Why = "The send succeeded inline, so with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS the I/O manager queues no packet, and nobody has to dequeue one."
		case "gqcsex-batch":
			want = run.PerOp.Transitions
			res.Why = "One transition submits each send; the dequeue transition is shared by the 16 completions one GetQueuedCompletionStatusEx call returns: 1 + 1/16."
		case "sndbuf0-locks":
			want = run.PerOp.CopyBytes
			res.Why = "With SO_SNDBUF=0 AFD does not copy: it locks the application's pages and sends from them. The copy is traded for a probe-and-lock per send."
		}
		res.Expected, res.Got = want, got
		res.Correct = math.Abs(got-want) <= 0.01*math.Max(1, math.Abs(want))
	}
	return res, nil
}
