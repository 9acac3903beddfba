package irp

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// IRQL names used in transcripts.
const (
	Passive  = "PASSIVE_LEVEL"
	APC      = "APC_LEVEL"
	Dispatch = "DISPATCH_LEVEL"
	DIRQL    = "DIRQL"
)

// Thread contexts used in transcripts.
const (
	CtxUser      = "requesting thread (user mode)"
	CtxRequester = "requesting thread"
	CtxArbitrary = "arbitrary thread"
	CtxDPC       = "arbitrary thread (DPC)"
	CtxISR       = "arbitrary thread (interrupt)"
	CtxWorker    = "system worker thread"
)

// Location is one I/O stack location, numbered as Irp->CurrentLocation counts them: the top
// driver's location has the highest number (StackCount) and the lowest driver's is 1.
type Location struct {
	Number            int      `json:"number"`
	Owners            []string `json:"owners"`
	Major             string   `json:"major,omitempty"`
	Parameters        string   `json:"parameters,omitempty"`
	CompletionRoutine string   `json:"completionRoutine,omitempty"`
	PendingReturned   bool     `json:"pendingReturned"`
}

// IrpState is a snapshot of the IRP after a step.
type IrpState struct {
	StackCount       int        `json:"stackCount"`
	CurrentLocation  int        `json:"currentLocation"`
	PendingReturned  bool       `json:"pendingReturned"`
	Status           string     `json:"status,omitempty"`
	Information      uint32     `json:"information"`
	SystemBuffer     string     `json:"systemBuffer,omitempty"`
	MdlAddress       string     `json:"mdlAddress,omitempty"`
	UserBuffer       string     `json:"userBuffer,omitempty"`
	Type3InputBuffer string     `json:"type3InputBuffer,omitempty"`
	Locations        []Location `json:"locations"`
}

// Step is one event of the journey.
type Step struct {
	N       int       `json:"n"`
	Actor   string    `json:"actor"`
	Phase   string    `json:"phase"`
	IRQL    string    `json:"irql"`
	Context string    `json:"context"`
	Text    string    `json:"text"`
	Rule    string    `json:"rule"`
	Basis   string    `json:"basis"`
	IRP     *IrpState `json:"irp,omitempty"`
}

// Result is what the caller finally sees.
type Result struct {
	Status      string `json:"status"`
	Win32Error  string `json:"win32Error"`
	Information uint32 `json:"information"`
	Returned    string `json:"returned"`
	Delivery    string `json:"delivery"`
	FastIo      bool   `json:"fastIo"`
	Pended      bool   `json:"pended"`
}

// Transcript is the whole simulated journey.
type Transcript struct {
	Stack           []Layer  `json:"stack"`
	Request         Request  `json:"request"`
	Method          string   `json:"method"` // buffered, direct, neither (how the caller's buffer is described)
	Steps           []Step   `json:"steps"`
	CompletionOrder []string `json:"completionOrder"`
	Result          Result   `json:"result"`
	Warnings        []string `json:"warnings"`
	Rules           []Rule   `json:"rules"`
}

type sim struct {
	layers      []Layer
	req         Request
	method      string // buffered, direct, neither, in-direct, out-direct
	irp         *IrpState
	locOf       []int // location number used by each layer
	t           Transcript
	used        map[string]bool
	status      string
	info        uint32
	unreturned  []int        // layers whose dispatch routine has not returned yet, top first
	mdlLocked   bool         // a layer locked the caller's buffer into an MDL
	pendingPost []Minifilter // minifilters waiting for their post-operation callback
	ioPending   bool         // the I/O manager received STATUS_PENDING from the top driver
}

// Run simulates one request through a validated stack.
func Run(layers []Layer, req Request) Transcript {
	s := &sim{layers: cloneLayers(layers), req: req, used: map[string]bool{}}
	s.t.Stack = s.layers
	s.t.Request = req
	s.method = s.bufferMethod()
	s.t.Method = s.method
	s.run()
	for _, r := range rules {
		if s.used[r.ID] {
			s.t.Rules = append(s.t.Rules, r)
		}
	}
	if s.t.Warnings == nil {
		s.t.Warnings = []string{}
	}
	if s.t.CompletionOrder == nil {
		s.t.CompletionOrder = []string{}
	}
	return s.t
}

func (s *sim) bufferMethod() string {
	switch s.req.Call {
	case "DeviceIoControl":
		switch s.req.Method {
		case "METHOD_BUFFERED":
			return "buffered"
		case "METHOD_IN_DIRECT":
			return "in-direct"
		case "METHOD_OUT_DIRECT":
			return "out-direct"
		}
		return "neither"
	case "WSARecv":
		return "neither"
	}
	return s.layers[0].IoFlags
}

func (s *sim) step(actor, phase, irql, ctx, rule, text string) {
	r, _ := ruleByID(rule)
	s.used[rule] = true
	st := Step{N: len(s.t.Steps) + 1, Actor: actor, Phase: phase, IRQL: irql, Context: ctx, Text: text, Rule: rule, Basis: r.Basis}
	if s.irp != nil {
		snap := *s.irp
		snap.Locations = make([]Location, len(s.irp.Locations))
		for i, l := range s.irp.Locations {
			l.Owners = append([]string(nil), l.Owners...)
			snap.Locations[i] = l
		}
		st.IRP = &snap
	}
	s.t.Steps = append(s.t.Steps, st)
}

func (s *sim) warn(format string, a ...any) {
	s.t.Warnings = append(s.t.Warnings, fmt.Sprintf(format, a...))
}

// loc returns the stack location with the given number.
//
//go:noinline
func (s *sim) loc(n int) *Location { return &s.irp.Locations[s.irp.StackCount-n] }

//go:noinline
func (s *sim) callName() string {
	if s.req.Call == "ReadFile" && s.req.Completion == "apc" {
		return "ReadFileEx"
	}
	if s.req.Call == "WriteFile" && s.req.Completion == "apc" {
		return "WriteFileEx"
	}
	return s.req.Call
}

func (s *sim) major() (string, string) {
	switch s.req.Call {
	case "ReadFile":
		return "IRP_MJ_READ", fmt.Sprintf("Read.Length=%d ByteOffset=0", s.req.Length)
	case "WriteFile":
		return "IRP_MJ_WRITE", fmt.Sprintf("Write.Length=%d ByteOffset=0", s.req.Length)
	case "WSARecv":
		return "IRP_MJ_DEVICE_CONTROL", "IoControlCode=0x00012017 (IOCTL_AFD_RECV) Type3InputBuffer=AFD_RECV_INFO"
	}
	code := 0x00222000 | methodCode(s.req.Method)
	return "IRP_MJ_DEVICE_CONTROL", fmt.Sprintf("IoControlCode=0x%08X (CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, %s, FILE_ANY_ACCESS)) InputBufferLength=%d OutputBufferLength=%d", code, s.req.Method, s.req.InputLength, s.req.OutputLength)
}

func methodCode(m string) int {
	return map[string]int{"METHOD_BUFFERED": 0, "METHOD_IN_DIRECT": 1, "METHOD_OUT_DIRECT": 2, "METHOD_NEITHER": 3}[m]
}

//go:noinline
func (s *sim) length() uint32 {
	if s.req.Call == "DeviceIoControl" {
		return s.req.OutputLength
	}
	return s.req.Length
}

//go:noinline
func (s *sim) information(status string) uint32 {
	switch status {
	case "STATUS_SUCCESS", "STATUS_BUFFER_OVERFLOW":
		return s.length()
	}
	return 0
}

func (s *sim) run() {
	name := s.callName()
	switch s.req.Call {
	case "WSARecv":
		s.step("application", "call", Passive, CtxUser, "afd-path", fmt.Sprintf("The application calls WSARecv for %d bytes; mswsock.dll turns it into NtDeviceIoControlFile(IOCTL_AFD_RECV) on the socket handle, which is a file handle opened on \\Device\\Afd.", s.req.Length))
	case "DeviceIoControl":
		s.step("application", "call", Passive, CtxUser, "syscall", fmt.Sprintf("The application calls DeviceIoControl with %s, %d bytes in and %d bytes out; kernel32 calls NtDeviceIoControlFile and the thread enters kernel mode.", s.req.Method, s.req.InputLength, s.req.OutputLength))
	default:
		nt := "NtReadFile"
		if s.req.Call == "WriteFile" {
			nt = "NtWriteFile"
		}
		s.step("application", "call", Passive, CtxUser, "syscall", fmt.Sprintf("The application calls %s for %d bytes on a %s handle; kernel32 calls %s and the thread enters kernel mode.", name, s.req.Length, handleKind(s.req.Completion), nt))
	}

	if s.req.Cached && s.tryFastIo() {
		return
	}
	s.buildIrp()
	c, outcome := s.dispatchDown()
	switch outcome {
	case "pend":
		s.unwindPending(c)
		s.asyncCompletion(c)
	default:
		s.walk(c, Passive, CtxRequester)
	}
	s.returnRemaining()
	s.finish()
}

func handleKind(completion string) string {
	switch completion {
	case "synchronous":
		return "synchronous (non-overlapped)"
	case "iocp":
		return "overlapped, completion-port-bound"
	}
	return "overlapped"
}

// tryFastIo follows the fast I/O path when every layer down to the one holding the data
// supports it. It reports whether the request was satisfied that way.
func (s *sim) tryFastIo() bool {
	target := -1
	for i, l := range s.layers {
		if l.Kind == "file-system" || l.Kind == "afd" {
			target = i
			break
		}
	}
	if target < 0 {
		s.step("I/O manager", "fastio", Passive, CtxRequester, "fast-io", "The data may already be available, but no file system or AFD layer is in this stack, so there is no fast I/O routine to try; the I/O manager builds an IRP.")
		return false
	}
	for i := 0; i <= target; i++ {
		if !s.layers[i].FastIo {
			s.step("I/O manager", "fastio", Passive, CtxRequester, "fast-io", fmt.Sprintf("%s registers no fast I/O routine for this call, so the fast path is closed even though the data is available; the I/O manager builds an IRP instead.", s.layers[i].Name))
			return false
		}
	}
	routine := "FastIoRead"
	switch s.req.Call {
	case "WriteFile":
		routine = "FastIoWrite"
	case "WSARecv":
		routine = "FastIoDeviceControl"
	}
	s.step("I/O manager", "fastio", Passive, CtxRequester, "fast-io", fmt.Sprintf("Before building an IRP the I/O manager calls %s of the top driver, %s, directly: no IRP, no stack locations.", routine, s.layers[0].Name))
	status := "STATUS_SUCCESS"
	var withCallback []Minifilter
	done := false
	for i := 0; i <= target && !done; i++ {
		l := s.layers[i]
		switch {
		case l.Kind == "filter-manager":
			var st string
			withCallback, st, done = s.preOps(l, true)
			if done {
				status = st
			}
		case i < target:
			s.step(l.Name, "fastio", Passive, CtxRequester, "fast-io", fmt.Sprintf("%s passes the fast I/O call to the driver below it.", l.Name))
		case l.Kind == "file-system":
			verb := "CcCopyRead copies the data from the system cache into the caller's buffer"
			if s.req.Call == "WriteFile" {
				verb = "CcCopyWrite copies the caller's data into the system cache (the lazy writer flushes it to disk later)"
			}
			s.step(l.Name, "fastio", Passive, CtxRequester, "file-cache", fmt.Sprintf("%s: the file is cached, so %s and the routine returns TRUE.", l.Name, verb))
		default:
			s.step(l.Name, "fastio", Passive, CtxRequester, "afd-path", fmt.Sprintf("%s already holds %d bytes received by tcpip.sys: it copies them into the caller's buffer and returns TRUE.", l.Name, s.req.Length))
		}
	}
	s.postOps(withCallback, Passive, CtxRequester)
	s.status, s.info = status, s.information(status)
	s.t.Result.FastIo = true
	s.step("I/O manager", "complete", Passive, CtxRequester, "fast-io", fmt.Sprintf("The fast I/O routine returned TRUE, meaning it handled the request: the I/O manager writes the I/O status block (%s, %d bytes) and never builds an IRP.", s.status, s.info))
	s.notify(false)
	return true
}

// preOps calls minifilter pre-operation callbacks from the highest altitude down. It returns
// those that asked for a post-operation callback and whether one completed the operation.
func (s *sim) preOps(l Layer, fast bool) ([]Minifilter, string, bool) {
	mfs := append([]Minifilter(nil), l.Minifilters...)
	sort.SliceStable(mfs, func(a, b int) bool {
		va, _ := altitudeValue(mfs[a].Altitude)
		vb, _ := altitudeValue(mfs[b].Altitude)
		return va > vb
	})
	kind := "IRP-based operation"
	if fast {
		kind = "fast I/O operation (FLTFL_CALLBACK_DATA_FAST_IO_OPERATION)"
	}
	var with []Minifilter
	for _, m := range mfs {
		switch m.Pre {
		case "with-callback":
			s.step(m.Name, "pre-operation", Passive, CtxRequester, "minifilter-order", fmt.Sprintf("Filter Manager calls %s's pre-operation callback (altitude %s) for this %s; it returns FLT_PREOP_SUCCESS_WITH_CALLBACK.", m.Name, m.Altitude, kind))
			with = append(with, m)
		case "no-callback":
			s.step(m.Name, "pre-operation", Passive, CtxRequester, "minifilter-order", fmt.Sprintf("Filter Manager calls %s's pre-operation callback (altitude %s); it returns FLT_PREOP_SUCCESS_NO_CALLBACK, so it gets no post-operation call.", m.Name, m.Altitude))
		case "complete":
			s.step(m.Name, "pre-operation", Passive, CtxRequester, "minifilter-complete", fmt.Sprintf("%s's pre-operation callback (altitude %s) sets %s and returns FLT_PREOP_COMPLETE: minifilters below it and the file system never see the operation.", m.Name, m.Altitude, m.Status))
			return with, m.Status, true
		}
	}
	return with, "", false
}

// postOps calls post-operation callbacks from the lowest altitude up and records them in the
// completion order.
func (s *sim) postOps(with []Minifilter, irql, ctx string) {
	for i := len(with) - 1; i >= 0; i-- {
		m := with[i]
		text := fmt.Sprintf("Filter Manager calls %s's post-operation callback (altitude %s) at %s.", m.Name, m.Altitude, irql)
		if irql == Dispatch {
			text += " Work that needs PASSIVE_LEVEL would have to be deferred (FltDoCompletionProcessingWhenSafe)."
			s.used["postop-irql"] = true
		}
		s.step(m.Name, "post-operation", irql, ctx, "minifilter-order", text)
		s.t.CompletionOrder = append(s.t.CompletionOrder, m.Name)
	}
}

func (s *sim) buildIrp() {
	n := len(s.layers)
	s.irp = &IrpState{StackCount: n, CurrentLocation: n + 1}
	for i := range n {
		s.irp.Locations = append(s.irp.Locations, Location{Number: n - i})
	}
	major, params := s.major()
	top := s.loc(n)
	top.Major, top.Parameters = major, params
	s.step("I/O manager", "build", Passive, CtxRequester, "irp-alloc", fmt.Sprintf("The I/O manager allocates an IRP with StackSize %d (one location per device object in the stack) and fills in the top driver's location %d: %s.", n, n, major))
	in, out := s.req.InputLength, s.req.OutputLength
	l := s.req.Length
	switch s.method {
	case "buffered":
		switch s.req.Call {
		case "DeviceIoControl":
			size := max(in, out)
			s.irp.SystemBuffer = fmt.Sprintf("nonpaged pool, %d bytes (the larger of input and output); the %d input bytes copied in", size, in)
			s.step("I/O manager", "build", Passive, CtxRequester, "ioctl-buffers", fmt.Sprintf("METHOD_BUFFERED: the I/O manager allocates one %d-byte system buffer for both directions and copies the %d input bytes into it (Irp->AssociatedIrp.SystemBuffer).", size, in))
		case "WriteFile":
			s.irp.SystemBuffer = fmt.Sprintf("nonpaged pool, %d bytes, a copy of the caller's data", l)
			s.step("I/O manager", "build", Passive, CtxRequester, "buffered-io", fmt.Sprintf("The top device uses buffered I/O: the I/O manager copies the caller's %d bytes into a system buffer.", l))
		default:
			s.irp.SystemBuffer = fmt.Sprintf("nonpaged pool, %d bytes, empty until the driver fills it", l)
			s.step("I/O manager", "build", Passive, CtxRequester, "buffered-io", fmt.Sprintf("The top device uses buffered I/O: the I/O manager allocates a %d-byte system buffer; the data is copied to the caller only at completion.", l))
		}
	case "direct":
		access := "IoWriteAccess, because the device writes into them"
		if s.req.Call == "WriteFile" {
			access = "IoReadAccess, because the device reads from them"
		}
		s.irp.MdlAddress = fmt.Sprintf("MDL for the caller's %d-byte buffer, pages locked (%s)", l, access)
		s.mdlLocked = true
		s.step("I/O manager", "build", Passive, CtxRequester, "direct-io", fmt.Sprintf("The top device uses direct I/O: the I/O manager probes and locks the caller's pages (%s) and describes them with an MDL (Irp->MdlAddress).", access))
	case "in-direct", "out-direct":
		access := "IoReadAccess (METHOD_IN_DIRECT: the driver reads from it)"
		if s.method == "out-direct" {
			access = "IoWriteAccess (METHOD_OUT_DIRECT: the driver writes into it)"
		}
		s.irp.SystemBuffer = fmt.Sprintf("nonpaged pool, %d bytes, a copy of the input buffer", in)
		s.irp.MdlAddress = fmt.Sprintf("MDL for the caller's %d-byte output buffer, pages locked for %s", out, access)
		s.mdlLocked = true
		s.step("I/O manager", "build", Passive, CtxRequester, "ioctl-buffers", fmt.Sprintf("The input buffer is copied into Irp->AssociatedIrp.SystemBuffer (%d bytes); the %d-byte output buffer is probed and locked for %s and described by Irp->MdlAddress.", in, out, access))
	default:
		if s.req.Call == "WSARecv" {
			s.irp.Type3InputBuffer = "caller's AFD_RECV_INFO (points at the WSABUF array), valid only in the caller's process"
			s.step("I/O manager", "build", Passive, CtxRequester, "ioctl-buffers", "IOCTL_AFD_RECV uses METHOD_NEITHER: the IRP carries the caller's AFD_RECV_INFO address in Type3InputBuffer; AFD itself reads the WSABUF array and locks the data buffers.")
		} else if s.req.Call == "DeviceIoControl" {
			s.irp.Type3InputBuffer = fmt.Sprintf("caller's input address (%d bytes), valid only in the caller's process", in)
			s.irp.UserBuffer = fmt.Sprintf("caller's output address (%d bytes), valid only in the caller's process", out)
			s.step("I/O manager", "build", Passive, CtxRequester, "ioctl-buffers", "METHOD_NEITHER: no copy and no MDL. The driver gets the caller's raw addresses in Parameters.DeviceIoControl.Type3InputBuffer and Irp->UserBuffer; they mean something only in the caller's process context and must be probed inside a try/except.")
		} else {
			s.irp.UserBuffer = fmt.Sprintf("caller's virtual address (%d bytes), valid only in the caller's process", l)
			s.step("I/O manager", "build", Passive, CtxRequester, "neither-io", "The top device asks for neither buffered nor direct I/O: the IRP carries the caller's virtual address in Irp->UserBuffer, usable only in the caller's context.")
		}
	}
	if s.crossesStacks() {
		s.step("I/O manager", "build", Passive, CtxRequester, "one-irp", "Model simplification: this lab sends the same IRP through every layer. In reality NTFS, the volume manager and the disk class driver may build further IRPs (associated IRPs, SRB requests) for the layers below them.")
	}
}

func (s *sim) crossesStacks() bool {
	fs, lower := false, false
	for _, l := range s.layers {
		switch l.Kind {
		case "file-system":
			fs = true
		case "volume", "partition", "disk-class", "storport":
			lower = true
		}
	}
	return fs && lower
}

// dispatchDown walks the dispatch routines from the top. It returns the index of the layer
// that completed or pended the IRP and how: "complete", "pend", "minifilter" or "cache".
func (s *sim) dispatchDown() (int, string) {
	n := len(s.layers)
	s.locOf = make([]int, n)
	cur := n
	major, _ := s.major()
	for i := range n {
		l := s.layers[i]
		s.locOf[i] = cur
		s.irp.CurrentLocation = cur
		lc := s.loc(cur)
		lc.Owners = append(lc.Owners, l.Name)
		s.unreturned = append(s.unreturned, i)
		rule := "iocalldriver"
		text := fmt.Sprintf("%s's dispatch routine for %s runs with stack location %d as its current location.", l.Name, lc.Major, cur)
		if i == 0 {
			rule = "dispatch-irql"
			text = fmt.Sprintf("IoCallDriver makes location %d current and calls %s's dispatch routine for %s. As the highest-level driver it runs at PASSIVE_LEVEL in the requesting thread.", cur, l.Name, major)
		}
		s.step(l.Name, "dispatch", Passive, CtxRequester, rule, text)

		if l.Kind == "filter-manager" && len(l.Minifilters) > 0 {
			with, st, done := s.preOps(l, false)
			if done {
				s.status, s.info = st, 0
				s.postOps(with, Passive, CtxRequester)
				s.irp.Status, s.irp.Information = s.status, s.info
				s.step(l.Name, "complete", Passive, CtxRequester, "complete-request", fmt.Sprintf("Filter Manager completes the IRP with %s: IoCompleteRequest from its dispatch routine.", st))
				s.layers[i].Status = st
				return i, "minifilter"
			}
			s.pendingPost = with
		}
		if s.req.Cached && (l.Kind == "file-system" || l.Kind == "afd") {
			st := "STATUS_SUCCESS"
			s.status, s.info = st, s.information(st)
			s.irp.Status, s.irp.Information = s.status, s.info
			what := "copies the data from the system cache (CcCopyRead)"
			rule := "file-cache"
			if s.req.Call == "WriteFile" {
				what = "copies the data into the system cache (CcCopyWrite)"
			}
			if l.Kind == "afd" {
				what, rule = "copies data it has already received", "afd-path"
			}
			s.step(l.Name, "complete", Passive, CtxRequester, rule, fmt.Sprintf("The data is already available: %s %s and completes the IRP in its dispatch routine; no lower driver is involved.", l.Name, what))
			s.layers[i].Status = st
			return i, "cache"
		}
		switch l.Action {
		case "complete":
			s.status, s.info = l.Status, s.information(l.Status)
			s.irp.Status, s.irp.Information = s.status, s.info
			s.step(l.Name, "complete", Passive, CtxRequester, "complete-request", fmt.Sprintf("%s finishes the request in its dispatch routine: IoStatus.Status=%s, Information=%d, then IoCompleteRequest.", l.Name, s.status, s.info))
			return i, "complete"
		case "pend":
			if l.Kind == "afd" && s.method == "neither" {
				s.irp.MdlAddress = fmt.Sprintf("MDL for the caller's %d-byte buffer, locked by %s", s.length(), l.Name)
				s.mdlLocked = true
			}
			lc.PendingReturned = true
			s.step(l.Name, "pend", Passive, CtxRequester, "mark-pending", fmt.Sprintf("%s cannot finish now: it calls IoMarkIrpPending (SL_PENDING_RETURNED in location %d), queues the IRP and returns STATUS_PENDING.", l.Name, cur))
			if l.Kind == "storport" {
				s.step(l.Name, "start-io", Dispatch, CtxRequester, "storport-startio", "Storport raises to DISPATCH_LEVEL and calls the miniport's HwStorStartIo, which writes the command to the device's submission queue; the transfer now runs in hardware (DMA into the locked pages).")
			}
			return i, "pend"
		}
		// forward
		next := cur - 1
		if l.Kind == "file-system" && s.method == "neither" && !s.mdlLocked {
			s.irp.MdlAddress = fmt.Sprintf("MDL for the caller's %d-byte buffer, built and locked by %s", s.length(), l.Name)
			s.mdlLocked = true
			s.step(l.Name, "dispatch", Passive, CtxRequester, "neither-io", fmt.Sprintf("Still in the caller's context, %s locks the caller's buffer and builds an MDL (Irp->MdlAddress), so lower drivers can reach the pages from any thread.", l.Name))
		}
		if l.Forward == "copy" {
			nl := s.loc(next)
			nl.Major, nl.Parameters = lc.Major, lc.Parameters
			text := fmt.Sprintf("%s calls IoCopyCurrentIrpStackLocationToNext: location %d gets a copy of location %d.", l.Name, next, cur)
			if l.NextMajor != "" {
				nl.Major, nl.Parameters = l.NextMajor, fmt.Sprintf("SRB describing a %d-byte transfer", s.length())
				text += fmt.Sprintf(" It then rewrites location %d as %s with an SRB for the port driver.", next, l.NextMajor)
			}
			s.step(l.Name, "forward", Passive, CtxRequester, "copy-next", text)
			if l.CompletionRoutine {
				nl.CompletionRoutine = l.Name
				s.step(l.Name, "forward", Passive, CtxRequester, "set-completion", fmt.Sprintf("%s calls IoSetCompletionRoutine: its routine is stored in location %d and will run when the drivers below complete the IRP.", l.Name, next))
			}
		} else {
			next = cur
			s.step(l.Name, "forward", Passive, CtxRequester, "skip-current", fmt.Sprintf("%s calls IoSkipCurrentIrpStackLocation: the driver below will receive location %d unchanged.", l.Name, cur))
			if l.CompletionRoutine {
				prev := lc.CompletionRoutine
				lc.CompletionRoutine = l.Name
				msg := fmt.Sprintf("%s sets a completion routine after IoSkipCurrentIrpStackLocation: the routine lands in location %d, the one it shares with the driver below", l.Name, cur)
				if prev != "" {
					msg += fmt.Sprintf(", overwriting the routine %s stored there, which will now never run", prev)
				}
				s.warn("%s. Use IoCopyCurrentIrpStackLocationToNext when setting a completion routine.", msg)
				s.step(l.Name, "forward", Passive, CtxRequester, "skip-current", msg+".")
			}
		}
		s.irp.CurrentLocation = next
		cur = next
		s.step(l.Name, "forward", Passive, CtxRequester, "iocalldriver", fmt.Sprintf("%s calls IoCallDriver for %s; the I/O manager makes location %d current and calls its dispatch routine.", l.Name, s.layers[i+1].Name, next))
	}
	return n - 1, "complete" // unreachable: validation forbids forwarding from the last layer
}

// unwindPending returns STATUS_PENDING up the dispatch chain until a layer that waits.
func (s *sim) unwindPending(c int) {
	s.popReturned(c, "STATUS_PENDING")
	for len(s.unreturned) > 0 {
		j := s.unreturned[len(s.unreturned)-1]
		l := s.layers[j]
		if l.CompletionResult == "more-processing" {
			s.step(l.Name, "wait", Passive, CtxRequester, "more-processing", fmt.Sprintf("IoCallDriver returned STATUS_PENDING to %s, which forwards synchronously: it waits on an event (KeWaitForSingleObject) at PASSIVE_LEVEL until its completion routine signals it. The layers above it stay inside their IoCallDriver calls.", l.Name))
			return
		}
		s.popReturned(j, "STATUS_PENDING")
	}
	s.ioPending = true
	s.t.Result.Pended = true
	switch s.req.Completion {
	case "synchronous":
		s.step("I/O manager", "wait", Passive, CtxRequester, "sync-io", fmt.Sprintf("The top driver returned STATUS_PENDING on a synchronous file object, so the I/O manager makes the caller wait (on the file object's event) before %s returns.", s.callName()))
	case "apc":
		now := s.callName() + " returns TRUE for now"
		if s.req.Call == "WSARecv" {
			now = "WSARecv returns SOCKET_ERROR with WSA_IO_PENDING"
		}
		s.step("I/O manager", "return", Passive, CtxUser, "user-apc", fmt.Sprintf("STATUS_PENDING goes back to user mode: %s; the completion routine will be queued when the I/O finishes.", now))
	default:
		s.step("I/O manager", "return", Passive, CtxUser, "sync-io", fmt.Sprintf("STATUS_PENDING goes back to user mode: %s. The thread carries on while the I/O runs.", pendingReturn(s.req.Call)))
	}
}

func pendingReturn(call string) string {
	if call == "WSARecv" {
		return "WSARecv returns SOCKET_ERROR and WSAGetLastError() is WSA_IO_PENDING"
	}
	return call + " returns FALSE and GetLastError() is ERROR_IO_PENDING"
}

// popReturned records that layer j's dispatch routine returned st to the layer above.
func (s *sim) popReturned(j int, st string) {
	if len(s.unreturned) == 0 || s.unreturned[len(s.unreturned)-1] != j {
		return
	}
	s.unreturned = s.unreturned[:len(s.unreturned)-1]
	to := "the I/O manager"
	if len(s.unreturned) > 0 {
		to = s.layers[s.unreturned[len(s.unreturned)-1]].Name
	}
	l := s.layers[j]
	rule := "iocalldriver"
	if st == "STATUS_PENDING" && l.Action == "pend" {
		rule = "mark-pending"
	}
	s.step(l.Name, "return", Passive, CtxRequester, rule, fmt.Sprintf("%s's dispatch routine returns %s to %s.", l.Name, st, to))
}

func (s *sim) asyncCompletion(c int) {
	l := s.layers[c]
	s.status, s.info = l.Status, s.information(l.Status)
	switch {
	case l.PendCompletion == "worker":
		s.irp.Status, s.irp.Information = s.status, s.info
		s.step(l.Name, "complete", Passive, CtxWorker, "worker-thread", fmt.Sprintf("Later, a system worker thread of %s takes the queued IRP, finishes the work at PASSIVE_LEVEL and calls IoCompleteRequest (%s, %d bytes).", l.Name, s.status, s.info))
		s.walk(c, Passive, CtxWorker)
	case l.Kind == "afd":
		s.irp.Status, s.irp.Information = s.status, s.info
		s.step("tcpip.sys", "indicate", Dispatch, CtxDPC, "afd-path", "Later, a segment arrives: NDIS and tcpip.sys process it at DISPATCH_LEVEL and indicate the data to AFD through the transport's function-call interface (no IRP to tcpip.sys).")
		s.step(l.Name, "complete", Dispatch, CtxDPC, "afd-path", fmt.Sprintf("%s copies the data into the caller's locked buffer and calls IoCompleteRequest (%s, %d bytes), still at DISPATCH_LEVEL in an arbitrary thread.", l.Name, s.status, s.info))
		s.walk(c, Dispatch, CtxDPC)
	default:
		isr := "the driver's interrupt service routine acknowledges the device and queues its DPC"
		dpc := fmt.Sprintf("%s's DpcForIsr runs and calls IoCompleteRequest", l.Name)
		if l.Kind == "storport" {
			isr = "the miniport's HwStorInterrupt reads the completion queue entry and tells Storport the request is done (StorPortNotification RequestComplete)"
			dpc = "Storport's DPC completes the request and calls IoCompleteRequest for the IRP"
		}
		s.step(l.Name, "interrupt", DIRQL, CtxISR, "isr-dpc", "The device raises an interrupt: "+isr+".")
		s.irp.Status, s.irp.Information = s.status, s.info
		s.step(l.Name, "complete", Dispatch, CtxDPC, "isr-dpc", fmt.Sprintf("%s (%s, %d bytes), at DISPATCH_LEVEL in whatever thread was interrupted.", dpc, s.status, s.info))
		s.walk(c, Dispatch, CtxDPC)
	}
	if s.method == "neither" && !s.mdlLocked {
		s.warn("The caller's buffer was passed as a raw user address (neither I/O) and %s completes the request in an arbitrary thread context, where that address belongs to whatever process is current. A driver must lock and map the buffer (MDL) in its dispatch routine, which runs in the caller's context.", l.Name)
	}
}

// walk runs IoCompleteRequest's upward pass from the completing layer c.
func (s *sim) walk(c int, irql, ctx string) {
	n := len(s.layers)
	for num := s.locOf[c]; num <= n; num++ {
		lc := s.loc(num)
		s.irp.PendingReturned = lc.PendingReturned
		s.irp.CurrentLocation = num + 1
		owner := lc.CompletionRoutine
		if owner == "" {
			if lc.PendingReturned && num < n {
				s.loc(num + 1).PendingReturned = true
				s.step("I/O manager", "completion", irql, ctx, "pending-propagation", fmt.Sprintf("Location %d has no completion routine; its SL_PENDING_RETURNED bit is carried up to location %d.", num, num+1))
			}
			continue
		}
		k := s.layerIndex(owner)
		l := s.layers[k]
		s.step(l.Name, "completion", irql, ctx, "completion-routine", fmt.Sprintf("The I/O manager calls %s's completion routine (stored in location %d) at %s; Irp->PendingReturned is %s.", l.Name, num, irql, strconv.FormatBool(lc.PendingReturned)))
		if l.Kind == "filter-manager" {
			s.postOps(s.pendingPost, irql, ctx)
			s.pendingPost = nil
		} else {
			s.t.CompletionOrder = append(s.t.CompletionOrder, l.Name)
		}
		if l.CompletionResult == "more-processing" {
			s.step(l.Name, "completion", irql, ctx, "more-processing", fmt.Sprintf("%s's routine signals its event and returns STATUS_MORE_PROCESSING_REQUIRED: the I/O manager stops here and the IRP belongs to %s again.", l.Name, l.Name))
			// Dispatch routines still below k return now that IoCompleteRequest has returned.
			for len(s.unreturned) > 0 && s.unreturned[len(s.unreturned)-1] > k {
				s.popReturned(s.unreturned[len(s.unreturned)-1], s.status)
			}
			if s.t.Result.Pended || s.waitedAt(k) {
				s.step(l.Name, "resume", Passive, CtxRequester, "more-processing", fmt.Sprintf("%s's dispatch routine wakes up in the requesting thread at PASSIVE_LEVEL, does its post-processing and calls IoCompleteRequest again.", l.Name))
			} else {
				s.step(l.Name, "resume", Passive, CtxRequester, "more-processing", fmt.Sprintf("IoCallDriver returned %s (not STATUS_PENDING), so %s did not need to wait: it does its post-processing at PASSIVE_LEVEL and calls IoCompleteRequest again.", s.status, l.Name))
			}
			irql, ctx = Passive, CtxRequester
			continue // the walk resumes at k's own location, num+1
		}
		if lc.PendingReturned && num < n {
			s.loc(num + 1).PendingReturned = true
			s.step(l.Name, "completion", irql, ctx, "completion-routine", fmt.Sprintf("Because PendingReturned is set, %s's routine calls IoMarkIrpPending (marking location %d) and returns STATUS_SUCCESS so completion continues.", l.Name, num+1))
		}
	}
	s.irp.CurrentLocation = n + 1
}

// waitedAt reports whether layer k blocked waiting for the lower drivers.
func (s *sim) waitedAt(k int) bool {
	for _, st := range s.t.Steps {
		if st.Phase == "wait" && st.Actor == s.layers[k].Name {
			return true
		}
	}
	return false
}

func (s *sim) layerIndex(name string) int {
	for i, l := range s.layers {
		if l.Name == name {
			return i
		}
	}
	return 0
}

// returnRemaining lets the dispatch routines still on the call stack return the final status.
func (s *sim) returnRemaining() {
	for len(s.unreturned) > 0 {
		s.popReturned(s.unreturned[len(s.unreturned)-1], s.status)
	}
}

func (s *sim) finish() {
	s.irp.Status, s.irp.Information = s.status, s.info
	var cleanup []string
	switch {
	case s.irp.SystemBuffer != "" && (s.req.Call == "ReadFile" || s.req.Call == "DeviceIoControl") && s.method != "in-direct" && s.method != "out-direct":
		cleanup = append(cleanup, fmt.Sprintf("copies Information=%d bytes from the system buffer to the caller's buffer and frees the system buffer", s.info))
	case s.irp.SystemBuffer != "":
		cleanup = append(cleanup, "frees the system buffer")
	}
	if s.irp.MdlAddress != "" {
		cleanup = append(cleanup, "unlocks the pages and frees the MDL")
	}
	if s.irp.UserBuffer != "" && s.irp.MdlAddress == "" && s.info > 0 {
		cleanup = append(cleanup, "has nothing to copy back (the driver wrote through the caller's own address)")
	}
	cleanup = append(cleanup, fmt.Sprintf("writes the I/O status block (%s, %d bytes)", s.status, s.info))
	text := strings.Join(cleanup, ", ")
	if s.ioPending {
		s.step("I/O manager", "final", Dispatch, CtxArbitrary, "final-apc", "All stack locations are done and the top driver had returned STATUS_PENDING, so the I/O manager queues a special kernel APC to the requesting thread to finish there.")
		s.step("I/O manager", "final", APC, CtxRequester, "final-apc", "The special kernel APC runs in the requesting thread at APC_LEVEL: the I/O manager "+text+".")
	} else {
		s.step("I/O manager", "final", Passive, CtxRequester, "complete-request", "The status came back through the dispatch calls without STATUS_PENDING, so the I/O manager finishes in the same system call: it "+text+".")
	}
	s.notify(s.ioPending)
}

// notify tells the caller, according to how the handle was opened.
func (s *sim) notify(pended bool) {
	win32 := statuses[s.status]
	failed := isError(s.status)
	name := s.callName()
	res := &s.t.Result
	res.Status, res.Win32Error, res.Information = s.status, win32, s.info
	switch s.req.Completion {
	case "synchronous":
		if pended {
			s.step("I/O manager", "notify", Passive, CtxRequester, "sync-io", "The I/O manager signals the file object's event; the waiting system call wakes up and returns to user mode.")
		}
		res.Delivery = "the call itself returns the result (synchronous handle)"
	case "event":
		s.step("I/O manager", "notify", Passive, CtxRequester, "sync-io", "The I/O manager sets the event in the caller's OVERLAPPED structure; WaitForSingleObject or GetOverlappedResult now returns the byte count.")
		res.Delivery = "event in the OVERLAPPED structure"
	case "apc":
		if failed && !pended {
			res.Delivery = "none: the call failed at once, so no completion routine is queued"
			break
		}
		s.step("I/O manager", "notify", Passive, CtxRequester, "user-apc", fmt.Sprintf("The I/O manager queues a user-mode APC for %s's completion routine; it runs when the thread waits alertably (SleepEx, WaitForSingleObjectEx).", name))
		res.Delivery = "user-mode APC (completion routine)"
	case "iocp":
		if failed && !pended {
			res.Delivery = "none: the call failed at once, so no completion packet is queued"
			break
		}
		if !pended && !failed && s.req.SkipCompletionPortOnSuccess {
			s.step("I/O manager", "notify", Passive, CtxRequester, "iocp", "The request succeeded at once and the handle has FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, so no completion packet is queued; the caller handles the result inline.")
			res.Delivery = "inline (completion packet skipped)"
		} else {
			s.step("I/O manager", "notify", Passive, CtxRequester, "iocp", "The I/O manager queues a completion packet to the handle's I/O completion port; a thread blocked in GetQueuedCompletionStatus receives it with the byte count.")
			res.Delivery = "I/O completion port packet"
		}
	}
	switch {
	case pended && s.req.Completion == "synchronous" && !failed:
		res.Returned = fmt.Sprintf("%s returned TRUE after the I/O manager's wait, with %d bytes", name, s.info)
	case pended && s.req.Completion == "synchronous":
		res.Returned = fmt.Sprintf("%s returned FALSE after the wait; GetLastError() = %s", name, win32)
	case pended && s.req.Completion == "apc" && s.req.Call == "WSARecv":
		res.Returned = "WSARecv returned SOCKET_ERROR with WSA_IO_PENDING; the result arrives in the completion routine"
	case pended && s.req.Completion == "apc":
		res.Returned = fmt.Sprintf("%s returned TRUE at once; the result arrives in the completion routine", name)
	case pended:
		res.Returned = pendingReturn(s.req.Call)
	case failed && s.req.Call == "WSARecv":
		res.Returned = "WSARecv returned SOCKET_ERROR; WSAGetLastError() corresponds to " + win32
	case failed:
		res.Returned = fmt.Sprintf("%s returned FALSE; GetLastError() = %s", name, win32)
	case s.req.Call == "WSARecv":
		res.Returned = fmt.Sprintf("WSARecv returned 0 at once with %d bytes", s.info)
	default:
		res.Returned = fmt.Sprintf("%s returned TRUE at once with %d bytes", name, s.info)
	}
}

// isError reports whether an NTSTATUS is an error (severity bits 11), as opposed to success or
// a warning such as STATUS_BUFFER_OVERFLOW.
func isError(st string) bool {
	switch st {
	case "STATUS_SUCCESS", "STATUS_BUFFER_OVERFLOW":
		return false
	}
	return true
}
