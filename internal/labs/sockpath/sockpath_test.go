package sockpath

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"ntatlas/internal/labs"
)

func sim(t *testing.T, w Workload) *Run {
	t.Helper()
	r, err := Simulate(w)
	if err != nil {
		t.Fatalf("Simulate(%+v): %v", w, err)
	}
	return r
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// Per-operation counts for each API, from the documented behaviour each row cites.
func TestPerOpSequences(t *testing.T) {
	zero := int64(0)
	cases := []struct {
		name                         string
		w                            Workload
		T, C, L, I, Q, W, RIOEntries float64
	}{
		// KB 214397: Winsock copies the send buffer into a kernel buffer and completes at once.
		// https://learn.microsoft.com/en-us/previous-versions/troubleshoot/windows/win32/data-segment-tcp-winsock
		{"send buffered", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "send"}, 1, 1, 0, 1, 0, 0, 0},
		// same KB: SO_SNDBUF=0 sends from the application's buffer; a blocking sender waits
		{"send SO_SNDBUF=0", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "send", Options: Options{SndBuf: &zero}}, 1, 0, 1, 1, 0, 1, 0},
		{"send buffer full", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "send", Options: Options{BufferFull: true}}, 1, 1, 0, 1, 0, 1, 0},
		// I/O completion ports: a completion packet per request, dequeued by GQCS
		// https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports
		{"WSASend + IOCP", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsasend-iocp"}, 2, 1, 0, 1, 1, 0, 0},
		// SetFileCompletionNotificationModes: no packet when the request succeeds immediately
		// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
		{"WSASend + skip on success", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsasend-iocp", Options: Options{SkipCompletionPortOnSuccess: true}}, 1, 1, 0, 1, 0, 0, 0},
		// GetQueuedCompletionStatusEx retrieves several entries per call
		// https://learn.microsoft.com/en-us/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatusex
		{"WSASend + GQCSEx 8", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsasend-iocp", Options: Options{GQCSExBatch: 8}}, 1.125, 1, 0, 1, 1, 0, 0},
		// IOCP article (MSDN Magazine 2000): send buffer full → the buffer is locked, the send pends;
		// skip-on-success does not apply to pending requests
		{"WSASend buffer full", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsasend-iocp", Options: Options{BufferFull: true, SkipCompletionPortOnSuccess: true}}, 2, 0, 1, 1, 1, 0, 0},
		// TransmitFile paper (1998): ReadFile + send costs two copies and two transitions per chunk
		{"ReadFile + send", Workload{Bytes: 1 << 20, MessageSize: 65536, API: "readfile-send"}, 2, 2, 0, 2, 0, 0, 0},
		// TransmitFile: one call, file data through the cache manager in the kernel
		// https://learn.microsoft.com/en-us/windows/desktop/api/mswsock/nf-mswsock-transmitfile
		{"TransmitFile", Workload{Bytes: 1 << 30, API: "transmitfile"}, 1, 0, 0, 1, 0, 1, 0},
		{"TransmitFile overlapped", Workload{Bytes: 1 << 30, API: "transmitfile", Options: Options{Overlapped: true}}, 2, 0, 0, 1, 1, 0, 0},
		// RIO: registered buffers (no per-op lock), DEFER batches, RIODequeueCompletion without a
		// system call https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nc-mswsock-lpfn_riosend
		{"RIO poll DEFER 64", Workload{Bytes: 1 << 20, MessageSize: 1024, API: "rio", Options: Options{RIODeferBatch: 64}}, 1.0 / 64, 1, 0, 0, 0, 0, 2},
		// RIONotify arms one notification; with IOCP delivery one GQCS wait per batch
		// https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nc-mswsock-lpfn_rionotify
		{"RIO notify 4", Workload{Bytes: 1 << 20, MessageSize: 1024, API: "rio", Options: Options{RIOCompletion: "notify", RIONotifyBatch: 4}}, 1 + 0.5, 1, 0, 0, 0.25, 0, 2},
		// WSK: kernel client, IRP per function, the client's MDL avoids the copy
		// https://learn.microsoft.com/windows-hardware/drivers/network/using-irps-with-winsock-kernel-functions
		{"WSK function", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsk"}, 0, 0, 0, 1, 0, 0, 0},
		// WSK event callbacks: no IRPs, WSK-owned buffers the client may copy out of
		// https://learn.microsoft.com/en-us/windows-hardware/drivers/network/using-winsock-kernel-functions-vs--event-callback-functions
		{"WSK event", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsk", Options: Options{WSKMode: "event"}}, 0, 1, 0, 0, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := sim(t, c.w).PerOp
			got := []float64{p.Transitions, p.Copies, p.PageLocks, p.IRPs, p.Completions, p.Wakeups, p.RIOEntries}
			want := []float64{c.T, c.C, c.L, c.I, c.Q, c.W, c.RIOEntries}
			names := []string{"transitions", "copies", "pageLocks", "irps", "completions", "wakeups", "rioEntries"}
			for i := range got {
				if !approx(got[i], want[i]) {
					t.Errorf("%s per op = %g, want %g", names[i], got[i], want[i])
				}
			}
		})
	}
}

func TestTotalsAndStages(t *testing.T) {
	// 1 MiB + 100 bytes in 64 KiB sends: 16 full operations and one of 100 bytes
	r := sim(t, Workload{Bytes: 1<<20 + 100, MessageSize: 65536, API: "send"})
	if r.Ops != 17 || r.LastOpBytes != 100 {
		t.Errorf("ops %d last %d", r.Ops, r.LastOpBytes)
	}
	if r.Total.Transitions != 17 || r.Total.CopyBytes != 1<<20+100 {
		t.Errorf("total transitions %g copy bytes %g", r.Total.Transitions, r.Total.CopyBytes)
	}
	// 45 segments per 64 KiB at MSS 1460, 1 for the tail
	if r.Total.Segments != 16*45+1 {
		t.Errorf("segments %g", r.Total.Segments)
	}
	ids := []string{}
	for _, s := range r.Stages {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ">") != "app>ws2_32>mswsock>boundary>afd>tcpip>wfp>ndis>nic" {
		t.Errorf("stages %v", ids)
	}
	// the WSK client skips the user-mode stages and the boundary
	w := sim(t, Workload{Bytes: 4096, MessageSize: 4096, API: "wsk"})
	for _, s := range w.Stages {
		if (s.ID == "ws2_32" || s.ID == "mswsock" || s.ID == "boundary") && s.Active {
			t.Errorf("WSK run has active stage %s", s.ID)
		}
	}
	// RIO registers its region once: setup transitions and one lock over all of it
	rio := sim(t, Workload{Bytes: 1 << 20, MessageSize: 1024, API: "rio", Options: Options{Outstanding: 32}})
	if rio.SetupCounts.Transitions != 4 || rio.SetupCounts.PageLocks != 1 || rio.SetupCounts.LockedPages != 8 {
		t.Errorf("RIO setup %+v", rio.SetupCounts)
	}
	if rio.Total.Transitions != 1024+4 {
		t.Errorf("RIO total transitions %g", rio.Total.Transitions)
	}
}

// Calibration of the default weights against the community RIO figures (networking.md §3.3):
// relative cost traditional IOCP 1.00, simple RIO with IOCP notification ≈ 0.78, tuned RIO ≈ 0.38.
func TestCalibrationRatios(t *testing.T) {
	small := int64(64)
	trad := sim(t, Workload{Bytes: small, MessageSize: small, API: "wsasend-iocp", Options: Options{ClassicProbeLock: true}}).CostPerOp.Total
	simple := sim(t, Workload{Bytes: small, MessageSize: small, API: "rio", Options: Options{RIOCompletion: "notify", RIONotifyBatch: 2}}).CostPerOp.Total
	tuned := sim(t, Workload{Bytes: small, MessageSize: small, API: "rio", Options: Options{RIODeferBatch: 64}}).CostPerOp.Total
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"simple RIO", simple / trad, 0.78}, {"tuned RIO", tuned / trad, 0.38}} {
		if math.Abs(c.got-c.want)/c.want > 0.05 {
			t.Errorf("%s ratio %.3f, want %.2f ± 5%%", c.name, c.got, c.want)
		}
	}
	if math.Abs(trad-5.15) > 0.1 {
		t.Errorf("traditional IOCP cost %.3f, research notes give ≈5.15", trad)
	}
}

// The 1998 TransmitFile paper's ordering for bulk file sends: ReadFile+send slowest, then
// SO_SNDBUF=0 with overlapped sends, then TransmitFile fastest (boundary cost, not wire time).
// §3.3 example: a 1 MB file in 64 KB chunks costs 32 transitions and ≈131 copy units.
func TestBulkFileOrdering(t *testing.T) {
	zero := int64(0)
	mb := int64(1 << 20)
	rf := sim(t, Workload{Bytes: mb, MessageSize: 64 << 10, API: "readfile-send"})
	mm := sim(t, Workload{Bytes: mb, MessageSize: 64 << 10, API: "wsasend-iocp", Options: Options{SndBuf: &zero, Outstanding: 8}})
	tf := sim(t, Workload{Bytes: mb, API: "transmitfile"})
	if !(rf.CostTotal.Boundary > mm.CostTotal.Boundary && mm.CostTotal.Boundary > tf.CostTotal.Boundary) {
		t.Errorf("boundary cost order: readfile+send %.1f, sndbuf0 %.1f, transmitfile %.1f", rf.CostTotal.Boundary, mm.CostTotal.Boundary, tf.CostTotal.Boundary)
	}
	if rf.Total.Transitions != 32 || math.Abs(rf.CostTotal.Copies-131.2) > 0.01 {
		t.Errorf("ReadFile+send: %g transitions, %.2f copy units; want 32 and 131.2", rf.Total.Transitions, rf.CostTotal.Copies)
	}
	// "TransmitFile saves CPU time, not wire time": the same segments go on the wire (up to
	// rounding per operation)
	if d := math.Abs(rf.Total.Segments - tf.Total.Segments); d > float64(rf.Ops) {
		t.Errorf("segments readfile %g transmitfile %g", rf.Total.Segments, tf.Total.Segments)
	}
}

func TestEvidenceLabels(t *testing.T) {
	r := sim(t, Workload{Bytes: 1 << 20, MessageSize: 4096, API: "send", Options: Options{FastIO: true}})
	got := map[string]string{}
	for _, e := range r.Evidence {
		got[e.Metric] = e.Evidence
	}
	want := map[string]string{"transitions": Documented, "copies": Documented, "stackRequests": Model, "cost": Model}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s labelled %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["irps"]; ok {
		t.Error("fast I/O path still counts IRPs")
	}
	for _, s := range r.Stages {
		for _, it := range s.Items {
			if it.Evidence != Documented && it.Evidence != Observed && it.Evidence != Model || it.Source == "" {
				t.Errorf("item %+v lacks a label or source", it)
			}
		}
	}
	if r.WeightsLabel.Evidence != Model {
		t.Error("weights not labelled model")
	}
}

func TestWarnings(t *testing.T) {
	zero := int64(0)
	r := sim(t, Workload{Bytes: 1 << 20, MessageSize: 512, API: "send", Options: Options{SndBuf: &zero}})
	if len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "200 ms") {
		t.Errorf("no stall warning: %v", r.Warnings)
	}
	r = sim(t, Workload{Bytes: 1 << 20, MessageSize: 512, API: "wsasend-iocp", Options: Options{SndBuf: &zero, Outstanding: 8}})
	for _, w := range r.Warnings {
		if strings.Contains(w, "200 ms") {
			t.Errorf("stall warning with 8 outstanding sends: %s", w)
		}
	}
	r = sim(t, Workload{Bytes: 1 << 20, MessageSize: 512, API: "send", Options: Options{GQCSExBatch: 4}})
	if len(r.IgnoredOptions) != 1 || r.IgnoredOptions[0] != "gqcsExBatch" {
		t.Errorf("ignored options %v", r.IgnoredOptions)
	}
}

func TestWeightsChangeCost(t *testing.T) {
	w := Workload{Bytes: 1 << 20, MessageSize: 1024, API: "send"}
	base := sim(t, w).CostTotal.Total
	wt := DefaultWeights()
	wt.T = 10
	w.Weights = &wt
	heavy := sim(t, w).CostTotal.Total
	if !approx(heavy-base, 9*1024) {
		t.Errorf("raising T by 9 added %g, want 9 × 1024 transitions", heavy-base)
	}
}

func TestValidation(t *testing.T) {
	cases := []struct{ json, field string }{
		{`{"bytes":0,"messageSize":1,"api":"send"}`, "bytes"},
		{`{"bytes":10,"messageSize":11,"api":"send"}`, "messageSize"},
		{`{"bytes":10,"messageSize":1,"api":"carrier-pigeon"}`, "api"},
		{`{"bytes":10,"messageSize":1}`, "api"},
		{`{"bytes":4294967296,"messageSize":4294967296,"api":"transmitfile"}`, "messageSize"},
		{`{"bytes":10,"messageSize":1,"api":"rio","options":{"rioCompletion":"psychic"}}`, "options.rioCompletion"},
		{`{"bytes":10,"messageSize":1,"api":"send","options":{"sndbuf":-1}}`, "options.sndbuf"},
		{`{"bytes":10,"messageSize":1,"api":"send","weights":{"T":-1}}`, "weights.T"},
		{`{"bytes":10,"messageSize":1,"api":"send","bogus":1}`, ""},
		{`{"bytes":"ten"}`, "bytes"},
	}
	for _, c := range cases {
		_, err := Handle("run", []byte(c.json))
		var ie *labs.InputError
		if !errors.As(err, &ie) || (c.field != "" && ie.Field != c.field) {
			t.Errorf("%s: got %v, want InputError on %q", c.json, err, c.field)
		}
	}
	if _, err := Handle("fly", nil); !errors.As(err, new(*labs.ErrUnknownOp)) {
		t.Errorf("unknown op: %v", err)
	}
}

func TestExercises(t *testing.T) {
	check := func(id, answer string) (*CheckResult, error) {
		return Check(CheckRequest{Exercise: id, Answer: json.RawMessage(answer)})
	}
	cases := []struct {
		id, answer string
		correct    bool
	}{
		{"fewest-transitions-1gib", `{"bytes":1073741824,"api":"transmitfile"}`, true},
		{"fewest-transitions-1gib", `{"bytes":1073741824,"api":"transmitfile","options":{"overlapped":true}}`, true},
		{"fewest-transitions-1gib", `{"bytes":1073741824,"messageSize":65536,"api":"rio","options":{"rioDeferBatch":1024,"outstanding":1024}}`, false},
		{"fewest-transitions-1gib", `{"bytes":1073741824,"messageSize":65536,"api":"send"}`, false},
		{"sndbuf0-stall", `"ack-wait"`, true},
		{"sndbuf0-stall", `"double-copy"`, false},
		{"skip-completion", `0`, true},
		{"skip-completion", `1`, false},
		{"gqcsex-batch", `1.0625`, true},
		{"gqcsex-batch", `2`, false},
		{"sndbuf0-locks", `0`, true},
		{"sndbuf0-locks", `65536`, false},
	}
	for _, c := range cases {
		res, err := check(c.id, c.answer)
		if err != nil || res.Correct != c.correct {
			t.Errorf("%s %s: correct=%v err=%v, want %v", c.id, c.answer, res != nil && res.Correct, err, c.correct)
		}
	}
	for _, bad := range []struct{ id, answer, field string }{
		{"fewest-transitions-1gib", `{"bytes":1024,"api":"transmitfile"}`, "answer.bytes"},
		{"fewest-transitions-1gib", `{"bytes":1073741824,"messageSize":4096,"api":"wsk"}`, "answer.api"},
		{"sndbuf0-stall", `"maybe"`, "answer"},
		{"nope", `1`, "exercise"},
	} {
		_, err := check(bad.id, bad.answer)
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != bad.field {
			t.Errorf("%s %s: %v, want InputError on %s", bad.id, bad.answer, err, bad.field)
		}
	}
	if len(Exercises()) != 5 {
		t.Errorf("%d exercises", len(Exercises()))
	}
}

func TestDeterministic(t *testing.T) {
	w := []byte(`{"bytes":1073741824,"messageSize":65536,"api":"rio","options":{"rioDeferBatch":16,"rioCompletion":"notify","rioNotifyBatch":8}}`)
	a, _ := Handle("run", w)
	b, _ := Handle("run", w)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("two runs differ")
	}
}

func FuzzRunWorkload(f *testing.F) {
	f.Add([]byte(`{"bytes":1073741824,"messageSize":65536,"api":"send"}`))
	f.Add([]byte(`{"bytes":100,"messageSize":7,"api":"rio","options":{"rioDeferBatch":3,"rioCompletion":"notify"}}`))
	f.Add([]byte(`{"bytes":5,"api":"transmitfile","options":{"overlapped":true,"gqcsExBatch":2}}`))
	f.Add([]byte(`{"bytes":9,"messageSize":3,"api":"wsk","options":{"wskMode":"event"},"weights":{"T":2}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Handle("run", b)
		if err != nil {
			if !errors.As(err, new(*labs.InputError)) {
				t.Fatalf("non-input error: %v", err)
			}
			return
		}
		r := out.(*Run)
		if math.IsNaN(r.CostTotal.Total) || r.CostTotal.Total < 0 || r.Ops < 1 {
			t.Fatalf("bad run %+v", r.CostTotal)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// Each count's label must be the weakest evidence behind it. WskReceiveEvent only says the
// client should not retain WSK-owned buffers if possible, or release them ASAP with WskRelease
// (https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event),
// so one copy out of them per operation is a model choice, while the IRP per WSK function is
// documented (https://learn.microsoft.com/windows-hardware/drivers/network/using-irps-with-winsock-kernel-functions).
func TestEvidenceLabelsPerAPI(t *testing.T) {
	cases := []struct {
		name   string
		w      Workload
		metric string
		want   string
	}{
		{"WSK event copy", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsk", Options: Options{WSKMode: "event"}}, "copies", Model},
		{"WSK function IRP", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "wsk"}, "irps", Documented},
		// RIOSend: DEFER "may or may not trigger the execution"; the amortised kernel entry is ours
		// (https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nc-mswsock-lpfn_riosend)
		{"RIO DEFER transitions", Workload{Bytes: 1 << 20, MessageSize: 4096, API: "rio", Options: Options{RIODeferBatch: 64}}, "transitions", Model},
	}
	for _, c := range cases {
		r := sim(t, c.w)
		got := ""
		for _, e := range r.Evidence {
			if e.Metric == c.metric {
				got = e.Evidence
			}
		}
		if got != c.want {
			t.Errorf("%s: %s labelled %q, want %q", c.name, c.metric, got, c.want)
		}
	}
}
