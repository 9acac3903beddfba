package irp

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"ntatlas/internal/labs"
)

func preset(t *testing.T, id string) []Layer {
	t.Helper()
	p, ok := presetByID(id)
	if !ok {
		t.Fatalf("preset %s missing or invalid", id)
	}
	return p.Layers
}

func reqPreset(t *testing.T, id string) Request {
	t.Helper()
	for _, r := range requestPresets {
		if r.ID == id {
			return r.Request
		}
	}
	t.Fatalf("request preset %s missing", id)
	return Request{}
}

// stepsBy returns the steps of one phase (and actor, if given).
func stepsBy(tr Transcript, phase, actor string) []Step {
	var out []Step
	for _, s := range tr.Steps {
		if s.Phase == phase && (actor == "" || s.Actor == actor) {
			out = append(out, s)
		}
	}
	return out
}

func TestPresetsAreValidAndRunClean(t *testing.T) {
	stacks, reqs := Presets()
	if len(stacks) != len(presets) {
		t.Fatalf("a preset failed validation: %d of %d", len(stacks), len(presets))
	}
	for _, rp := range reqs {
		if err := validateRequest(&rp.Request); err != nil {
			t.Errorf("request preset %s: %v", rp.ID, err)
		}
		for _, sid := range rp.Stacks {
			tr := Run(preset(t, sid), rp.Request)
			// METHOD_NEITHER on a pending driver is the one deliberate hazard among the presets.
			wantWarnings := 0
			if rp.ID == "ioctl-neither" && sid == "ioctl-filtered" {
				wantWarnings = 1
			}
			if len(tr.Warnings) != wantWarnings {
				t.Errorf("%s on %s: warnings %v", rp.ID, sid, tr.Warnings)
			}
			for _, s := range tr.Steps {
				if _, ok := ruleByID(s.Rule); !ok || s.Basis == "" || s.IRQL == "" || s.Context == "" {
					t.Errorf("%s on %s: step %d lacks a rule, basis, IRQL or context: %+v", rp.ID, sid, s.N, s)
				}
			}
			if tr.Result.Status == "" || tr.Result.Returned == "" || tr.Result.Delivery == "" {
				t.Errorf("%s on %s: incomplete result %+v", rp.ID, sid, tr.Result)
			}
		}
	}
}

// TestStorageReadJourney checks the documented mechanics on the storage preset.
func TestStorageReadJourney(t *testing.T) {
	tr := Run(preset(t, "storage-read"), reqPreset(t, "read-sync"))

	// IoCompleteRequest calls the completion routines of higher drivers in turn, bottom-up;
	// drivers that used IoSkipCurrentIrpStackLocation set none; Filter Manager calls post-op
	// callbacks from the lowest altitude up.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-iocompleterequest
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-ioskipcurrentirpstacklocation
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ifs/writing-preoperation-and-postoperation-callback-routines
	want := []string{"disk.sys", "volmgr.sys", "ntfs.sys", "FileInfo", "WdFilter"}
	if diff := cmp.Diff(want, tr.CompletionOrder); diff != "" {
		t.Errorf("completion order (-want +got):\n%s", diff)
	}

	// Pre-operation callbacks run from the highest altitude down (same page).
	pre := stepsBy(tr, "pre-operation", "")
	if len(pre) != 2 || pre[0].Actor != "WdFilter" || pre[1].Actor != "FileInfo" {
		t.Errorf("pre-operation order: %+v", pre)
	}

	// Highest-level drivers' dispatch routines run at PASSIVE_LEVEL in the requesting thread.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/dispatch-routines-and-irqls
	d := stepsBy(tr, "dispatch", "fltmgr.sys")
	if len(d) == 0 || d[0].IRQL != Passive || d[0].Context != CtxRequester {
		t.Errorf("top dispatch: %+v", d)
	}

	// Storport calls HwStorStartIo at DISPATCH_LEVEL (full-duplex).
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/storport/nc-storport-hw_startio
	if s := stepsBy(tr, "start-io", ""); len(s) != 1 || s[0].IRQL != Dispatch {
		t.Errorf("start-io: %+v", s)
	}

	// Completion routines may run at DISPATCH_LEVEL when the IRP is completed from a DPC, and must
	// call IoMarkIrpPending when PendingReturned is set.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/implementing-an-iocompletion-routine
	for _, s := range stepsBy(tr, "completion", "") {
		if s.IRQL != Dispatch || s.Context != CtxDPC {
			t.Errorf("completion step at %s/%s: %s", s.IRQL, s.Context, s.Text)
		}
	}
	marks := 0
	for _, s := range stepsBy(tr, "completion", "") {
		if strings.Contains(s.Text, "calls IoMarkIrpPending") {
			marks++
		}
	}
	if marks != 4 {
		t.Errorf("%d completion routines re-marked the IRP pending, want 4 (one per routine)", marks)
	}

	// One stack location per device object; copy uses the next location, skip reuses the same.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/i-o-stack-locations
	last := tr.Steps[len(tr.Steps)-1].IRP
	if last.StackCount != 7 {
		t.Fatalf("StackCount %d", last.StackCount)
	}
	owners := map[int]string{}
	for _, l := range last.Locations {
		owners[l.Number] = strings.Join(l.Owners, "+")
	}
	wantOwners := map[int]string{7: "fltmgr.sys", 6: "ntfs.sys", 5: "volsnap.sys+volmgr.sys", 4: "partmgr.sys+disk.sys", 3: "stornvme.sys", 2: "", 1: ""}
	if diff := cmp.Diff(wantOwners, owners); diff != "" {
		t.Errorf("stack location owners (-want +got):\n%s", diff)
	}
	for _, l := range last.Locations {
		if l.Number == 3 && l.Major != "IRP_MJ_SCSI" {
			t.Errorf("disk.sys should have rewritten location 3 as IRP_MJ_SCSI: %+v", l)
		}
	}

	// A synchronous handle: the I/O manager waits for the pended IRP; the final stage runs
	// as a special kernel APC in the requesting thread (observed).
	// https://learn.microsoft.com/en-us/windows/win32/fileio/synchronous-and-asynchronous-i-o
	if len(stepsBy(tr, "wait", "I/O manager")) != 1 {
		t.Error("no I/O manager wait on a synchronous handle")
	}
	fin := stepsBy(tr, "final", "")
	if len(fin) != 2 || fin[1].IRQL != APC || fin[1].Context != CtxRequester {
		t.Errorf("final stage: %+v", fin)
	}
	if !tr.Result.Pended || !strings.Contains(tr.Result.Returned, "TRUE") || tr.Result.Information != 4096 {
		t.Errorf("result %+v", tr.Result)
	}
}

func TestTransferMethods(t *testing.T) {
	simple := preset(t, "ioctl-simple")
	cases := []struct {
		name                        string
		req                         Request
		system, mdl, user, type3    bool
		mdlContains, systemContains string
	}{
		// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/buffer-descriptions-for-i-o-control-codes
		{"METHOD_BUFFERED sizes the system buffer to the larger length", Request{Call: "DeviceIoControl", Method: "METHOD_BUFFERED", InputLength: 64, OutputLength: 256, Completion: "event"},
			true, false, false, false, "", "256 bytes"},
		{"METHOD_IN_DIRECT probes the output buffer for read access", Request{Call: "DeviceIoControl", Method: "METHOD_IN_DIRECT", InputLength: 16, OutputLength: 4096, Completion: "event"},
			true, true, false, false, "IoReadAccess", "16 bytes"},
		{"METHOD_OUT_DIRECT probes the output buffer for write access", Request{Call: "DeviceIoControl", Method: "METHOD_OUT_DIRECT", InputLength: 16, OutputLength: 4096, Completion: "event"},
			true, true, false, false, "IoWriteAccess", "16 bytes"},
		{"METHOD_NEITHER passes raw user addresses", Request{Call: "DeviceIoControl", Method: "METHOD_NEITHER", InputLength: 16, OutputLength: 16, Completion: "synchronous"},
			false, false, true, true, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := Run(simple, c.req)
			irp := tr.Steps[len(tr.Steps)-1].IRP
			if (irp.SystemBuffer != "") != c.system || (irp.MdlAddress != "") != c.mdl || (irp.UserBuffer != "") != c.user || (irp.Type3InputBuffer != "") != c.type3 {
				t.Fatalf("buffers: %+v", irp)
			}
			if !strings.Contains(irp.MdlAddress, c.mdlContains) || !strings.Contains(irp.SystemBuffer, c.systemContains) {
				t.Errorf("buffers: %+v", irp)
			}
		})
	}
	// Direct I/O on a read: the pages are locked for the device to write into.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/using-direct-i-o
	direct := []Layer{{Name: "disk.sys", Kind: "disk-class", Action: "complete"}}
	if err := validateLayers(direct); err != nil {
		t.Fatal(err)
	}
	tr := Run(direct, Request{Call: "ReadFile", Length: 512, Completion: "synchronous"})
	if irp := tr.Steps[len(tr.Steps)-1].IRP; !strings.Contains(irp.MdlAddress, "IoWriteAccess") {
		t.Errorf("direct read MDL: %+v", irp)
	}
	// Buffered I/O on a read: data copied back at completion.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/using-buffered-i-o
	tr = Run(simple, Request{Call: "ReadFile", Length: 100, Completion: "synchronous"})
	if fin := stepsBy(tr, "final", ""); len(fin) != 1 || !strings.Contains(fin[0].Text, "copies Information=100 bytes") {
		t.Errorf("buffered read copy-back: %+v", fin)
	}
}

func TestMoreProcessingRequired(t *testing.T) {
	// A routine returning STATUS_MORE_PROCESSING_REQUIRED stops completion; its driver
	// completes the IRP again later, here from its waiting dispatch routine at PASSIVE_LEVEL.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/implementing-an-iocompletion-routine
	tr := Run(preset(t, "ioctl-filtered"), reqPreset(t, "ioctl-buffered"))
	if diff := cmp.Diff([]string{"upperfilter.sys"}, tr.CompletionOrder); diff != "" {
		t.Error(diff)
	}
	resume := stepsBy(tr, "resume", "upperfilter.sys")
	if len(resume) != 1 || resume[0].IRQL != Passive || resume[0].Context != CtxRequester {
		t.Errorf("resume: %+v", resume)
	}
	if tr.Result.Pended || len(stepsBy(tr, "final", "")) != 1 || stepsBy(tr, "final", "")[0].IRQL != Passive {
		t.Errorf("the waiting filter hides STATUS_PENDING from the caller: %+v", tr.Result)
	}
	// The wait must come before the hardware completes, the resume after the routine.
	idx := func(phase string) int {
		for i, s := range tr.Steps {
			if s.Phase == phase {
				return i
			}
		}
		return -1
	}
	if !(idx("wait") < idx("interrupt") && idx("interrupt") < idx("completion") && idx("completion") < idx("resume")) {
		t.Errorf("chronology wrong: wait %d interrupt %d completion %d resume %d", idx("wait"), idx("interrupt"), idx("completion"), idx("resume"))
	}

	// Same filter, lower driver completes at once: no wait, still re-completes.
	layers := preset(t, "ioctl-filtered")
	layers[1].Action, layers[1].PendCompletion = "complete", ""
	tr = Run(layers, reqPreset(t, "ioctl-buffered"))
	if len(stepsBy(tr, "wait", "")) != 0 || len(stepsBy(tr, "resume", "")) != 1 {
		t.Errorf("synchronous lower completion: %+v", tr.Steps)
	}
}

func TestSkipWithCompletionRoutineOverwrites(t *testing.T) {
	// "If a badly written driver makes the mistake of calling IoSkipCurrentIrpStackLocation and
	// then setting a completion routine, this driver might overwrite a completion routine set by
	// the driver above it."
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-ioskipcurrentirpstacklocation
	layers := []Layer{
		{Name: "top.sys", Kind: "filter", Action: "forward", Forward: "copy", CompletionRoutine: true},
		{Name: "bad.sys", Kind: "filter", Action: "forward", Forward: "skip", CompletionRoutine: true},
		{Name: "bottom.sys", Kind: "function", Action: "complete"},
	}
	if err := validateLayers(layers); err != nil {
		t.Fatal(err)
	}
	tr := Run(layers, Request{Call: "ReadFile", Length: 10, Completion: "synchronous"})
	if diff := cmp.Diff([]string{"bad.sys"}, tr.CompletionOrder); diff != "" {
		t.Errorf("top.sys's routine should be lost: %s", diff)
	}
	if len(tr.Warnings) != 1 || !strings.Contains(tr.Warnings[0], "top.sys") {
		t.Errorf("warnings %v", tr.Warnings)
	}
}

func TestMinifilterCompletes(t *testing.T) {
	// FLT_PREOP_COMPLETE: nothing below sees the operation; only post-operation callbacks of
	// minifilters above the completing one run.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/fltkernel/nc-fltkernel-pflt_pre_operation_callback
	layers := preset(t, "storage-read")
	layers[0].Minifilters = []Minifilter{
		{Name: "Top", Altitude: "400000", Pre: "with-callback"},
		{Name: "Blocker", Altitude: "300000", Pre: "complete", Status: "STATUS_ACCESS_DENIED"},
		{Name: "Low", Altitude: "100000", Pre: "with-callback"},
	}
	if err := validateLayers(layers); err != nil {
		t.Fatal(err)
	}
	tr := Run(layers, reqPreset(t, "read-sync"))
	if diff := cmp.Diff([]string{"Top"}, tr.CompletionOrder); diff != "" {
		t.Error(diff)
	}
	for _, s := range tr.Steps {
		if s.Actor == "ntfs.sys" || s.Actor == "Low" {
			t.Errorf("%s saw the operation: %s", s.Actor, s.Text)
		}
	}
	if tr.Result.Win32Error != "ERROR_ACCESS_DENIED" || !strings.Contains(tr.Result.Returned, "FALSE") {
		t.Errorf("result %+v", tr.Result)
	}
}

func TestFastIoAndCache(t *testing.T) {
	// Fast I/O: no IRP is built when the data is cached.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/ns-wdm-_fast_io_dispatch
	tr := Run(preset(t, "storage-read"), reqPreset(t, "read-cached"))
	if !tr.Result.FastIo {
		t.Fatal("fast I/O not used")
	}
	for _, s := range tr.Steps {
		if s.IRP != nil {
			t.Fatalf("an IRP appeared on the fast path: step %d", s.N)
		}
	}
	if diff := cmp.Diff([]string{"FileInfo", "WdFilter"}, tr.CompletionOrder); diff != "" {
		t.Errorf("post-ops on fast I/O: %s", diff)
	}
	// A layer without fast I/O closes the fast path; the file system then serves the IRP from
	// the cache in its dispatch routine.
	layers := preset(t, "storage-read")
	layers[0].FastIo = false
	tr = Run(layers, reqPreset(t, "read-cached"))
	if tr.Result.FastIo || len(stepsBy(tr, "dispatch", "volmgr.sys")) != 0 {
		t.Errorf("expected an IRP served by NTFS from the cache: %+v", tr.Result)
	}
	if diff := cmp.Diff([]string{"FileInfo", "WdFilter"}, tr.CompletionOrder); diff != "" {
		t.Errorf("completion order after a cached IRP: %s", diff)
	}
	// AFD with data already received.
	tr = Run(preset(t, "afd-recv"), reqPreset(t, "recv-buffered-data"))
	if !tr.Result.FastIo || !strings.Contains(tr.Result.Returned, "WSARecv returned 0") {
		t.Errorf("AFD fast path: %+v", tr.Result)
	}
}

func TestCompletionDelivery(t *testing.T) {
	storage := preset(t, "storage-read")
	cases := []struct {
		name     string
		layers   []Layer
		req      Request
		delivery string
		returned string
	}{
		// https://learn.microsoft.com/en-us/windows/win32/api/fileapi/nf-fileapi-readfileex
		{"ReadFileEx queues a user APC", storage, Request{Call: "ReadFile", Length: 4096, Completion: "apc"}, "user-mode APC (completion routine)", "ReadFileEx returned TRUE"},
		// https://learn.microsoft.com/en-us/windows/win32/fileio/synchronous-and-asynchronous-i-o
		{"overlapped with event gets ERROR_IO_PENDING", storage, Request{Call: "ReadFile", Length: 4096, Completion: "event"}, "event in the OVERLAPPED structure", "ERROR_IO_PENDING"},
		{"socket on a port gets WSA_IO_PENDING", preset(t, "afd-recv"), Request{Call: "WSARecv", Length: 100, Completion: "iocp"}, "I/O completion port packet", "WSA_IO_PENDING"},
		// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: no packet for immediate success.
		// https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
		{"immediate success skips the port", preset(t, "ioctl-simple"), Request{Call: "DeviceIoControl", Method: "METHOD_BUFFERED", InputLength: 1, OutputLength: 1, Completion: "iocp", SkipCompletionPortOnSuccess: true}, "inline (completion packet skipped)", "returned TRUE at once"},
		// An overlapped call that fails at once (not ERROR_IO_PENDING) queues no packet (observed;
		// the port only reports requests that were accepted).
		{"immediate failure queues no packet", preset(t, "storage-blocked"), Request{Call: "ReadFile", Length: 4096, Completion: "iocp"}, "none: the call failed at once, so no completion packet is queued", "returned FALSE"},
		{"immediate success still posts without the flag", preset(t, "ioctl-simple"), Request{Call: "DeviceIoControl", Method: "METHOD_BUFFERED", InputLength: 1, OutputLength: 1, Completion: "iocp"}, "I/O completion port packet", "returned TRUE at once"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := Run(c.layers, c.req)
			if tr.Result.Delivery != c.delivery || !strings.Contains(tr.Result.Returned, c.returned) {
				t.Errorf("result %+v", tr.Result)
			}
		})
	}
}

func TestNeitherHazardWarning(t *testing.T) {
	// Neither I/O addresses are only valid in the caller's context.
	// https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/using-neither-buffered-nor-direct-i-o
	layers := []Layer{{Name: "raw.sys", Kind: "function", Action: "pend", IoFlags: "neither"}}
	if err := validateLayers(layers); err != nil {
		t.Fatal(err)
	}
	tr := Run(layers, Request{Call: "DeviceIoControl", Method: "METHOD_NEITHER", InputLength: 4, OutputLength: 4, Completion: "event"})
	if len(tr.Warnings) != 1 || !strings.Contains(tr.Warnings[0], "arbitrary thread") {
		t.Errorf("warnings %v", tr.Warnings)
	}
}

func TestValidation(t *testing.T) {
	cases := []struct {
		name, body, field string
	}{
		{"unknown preset", `{"stack":"nope","request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack"},
		{"last layer forwards", `{"stack":[{"name":"a","kind":"function","action":"forward","forward":"copy"}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack[0].action"},
		{"forward without mode", `{"stack":[{"name":"a","kind":"filter","action":"forward"},{"name":"b","kind":"function","action":"complete"}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack[0].forward"},
		{"duplicate names", `{"stack":[{"name":"a","kind":"filter","action":"forward","forward":"skip"},{"name":"A","kind":"function","action":"complete"}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack[1].name"},
		{"unknown layer field", `{"stack":[{"name":"a","kind":"function","action":"complete","colour":1}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack"},
		{"bad altitude", `{"stack":[{"name":"f","kind":"filter-manager","action":"complete","minifilters":[{"name":"m","altitude":"high","pre":"no-callback"}]}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack[0].minifilters[0].altitude"},
		{"more-processing without routine", `{"stack":[{"name":"a","kind":"filter","action":"forward","forward":"copy","completionResult":"more-processing"},{"name":"b","kind":"function","action":"complete"}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack[0].completionResult"},
		{"unknown status", `{"stack":[{"name":"a","kind":"function","action":"complete","status":"STATUS_WHATEVER"}],"request":{"call":"ReadFile","length":1,"completion":"event"}}`, "stack[0].status"},
		{"method on ReadFile", `{"stack":"ioctl-simple","request":{"call":"ReadFile","method":"METHOD_BUFFERED","length":1,"completion":"event"}}`, "request.method"},
		{"APC completion for DeviceIoControl", `{"stack":"ioctl-simple","request":{"call":"DeviceIoControl","method":"METHOD_BUFFERED","inputLength":1,"completion":"apc"}}`, "request.completion"},
		{"zero-length read", `{"stack":"ioctl-simple","request":{"call":"ReadFile","completion":"event"}}`, "request.length"},
		{"missing request", `{"stack":"ioctl-simple"}`, "request"},
		{"wrong type", `{"stack":"ioctl-simple","request":{"call":"ReadFile","length":"big","completion":"event"}}`, "request.length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := DecodeScenario([]byte(c.body))
			var ie *labs.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want InputError, got %v", err)
			}
			if !strings.HasPrefix(ie.Field, c.field) {
				t.Errorf("field %q, want prefix %q (%v)", ie.Field, c.field, ie)
			}
		})
	}
}

func TestHandleCheckAndDeterminism(t *testing.T) {
	body := `{"stack":"storage-read","request":{"call":"ReadFile","length":4096,"completion":"iocp"}}`
	a, err := Handle("run", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Handle("run", []byte(body))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("run is not deterministic")
	}
	good := `{"stack":"storage-read","request":{"call":"ReadFile","length":4096,"completion":"iocp"},"predicted":["disk.sys","volmgr.sys","ntfs.sys","fileinfo","WdFilter"]}`
	r, err := Handle("check", []byte(good))
	if err != nil || !r.(CheckResult).Correct {
		t.Errorf("correct prediction rejected: %+v %v", r, err)
	}
	bad := `{"stack":"storage-read","request":{"call":"ReadFile","length":4096,"completion":"iocp"},"predicted":["disk.sys","partmgr.sys"]}`
	r, err = Handle("check", []byte(bad))
	if err != nil || r.(CheckResult).Correct || r.(CheckResult).FirstMismatch != 1 {
		t.Errorf("wrong prediction verdict: %+v %v", r, err)
	}
	if _, err := Handle("check", []byte(`{"stack":"storage-read","request":{"call":"ReadFile","length":1,"completion":"event"}}`)); err == nil {
		t.Error("check without predicted accepted")
	}
	if _, err := Handle("presets", nil); err != nil {
		t.Error(err)
	}
	if _, err := Handle("frobnicate", nil); !errors.As(err, new(*labs.ErrUnknownOp)) {
		t.Errorf("unknown op: %v", err)
	}
}

// FuzzDecodeScenario: any bytes either fail with an InputError or give a scenario whose
// simulation terminates with a coherent transcript.
func FuzzDecodeScenario(f *testing.F) {
	seeds := []string{
		`{"stack":"storage-read","request":{"call":"ReadFile","length":4096,"completion":"synchronous"}}`,
		`{"stack":"afd-recv","request":{"call":"WSARecv","length":10,"completion":"iocp","cached":true}}`,
		`{"stack":[{"name":"a","kind":"filter","action":"forward","forward":"skip","completionRoutine":true},{"name":"b","kind":"filter","action":"forward","forward":"copy","completionRoutine":true,"completionResult":"more-processing"},{"name":"c","kind":"function","action":"pend","pendCompletion":"worker"}],"request":{"call":"DeviceIoControl","method":"METHOD_NEITHER","inputLength":1,"outputLength":1,"completion":"event"},"predicted":["b"]}`,
		`{"stack":[{"name":"f","kind":"filter-manager","action":"forward","forward":"copy","completionRoutine":true,"fastIo":true,"minifilters":[{"name":"m","altitude":"1.5","pre":"complete"}]},{"name":"n","kind":"file-system","action":"complete","fastIo":true}],"request":{"call":"WriteFile","length":9,"completion":"apc","cached":true}}`,
		`{"stack":[`, `{}`, `[]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		layers, req, _, err := DecodeScenario(b)
		if err != nil {
			if !errors.As(err, new(*labs.InputError)) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		tr := Run(layers, req)
		if len(tr.Steps) == 0 || tr.Result.Status == "" {
			t.Fatalf("empty transcript")
		}
		names := map[string]bool{}
		for _, l := range layers {
			names[l.Name] = true
			for _, m := range l.Minifilters {
				names[m.Name] = true
			}
		}
		for _, n := range tr.CompletionOrder {
			if !names[n] {
				t.Fatalf("completion order names %q, not in the stack", n)
			}
		}
		if len(tr.Steps) > 40*len(layers)+40 {
			t.Fatalf("%d steps for %d layers", len(tr.Steps), len(layers))
		}
	})
}

func TestRuleCitations(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		switch r.Basis {
		case Documented:
			if !strings.HasPrefix(r.URL, "https://learn.microsoft.com/") {
				t.Errorf("documented rule %s cites %q, not a Learn page", r.ID, r.URL)
			}
		case Observed, Model:
		default:
			t.Errorf("rule %s has basis %q", r.ID, r.Basis)
		}
	}
}
