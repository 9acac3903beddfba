package sockpath

import (
	"fmt"
	"math"
)

// Item is one counted event at one stage of the path, for one operation.
type Item struct {
	Metric   string  `json:"metric"` // transitions, copies, pageLocks, irps, completions, wakeups, rioEntries, stackRequests, info
	PerOp    float64 `json:"perOp"`
	Bytes    int64   `json:"bytes,omitempty"` // bytes copied or locked by one occurrence
	What     string  `json:"what"`
	Evidence string  `json:"evidence"`
	Source   string  `json:"source"`
}

// Stage is one box of the path diagram.
type Stage struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Mode   string `json:"mode"` // user, boundary, kernel, hardware
	Active bool   `json:"active"`
	Items  []Item `json:"items"`
}

// Counts are event counts; per operation they may be fractional (amortised batches).
type Counts struct {
	Transitions   float64 `json:"transitions"`
	Copies        float64 `json:"copies"`
	CopyBytes     float64 `json:"copyBytes"`
	PageLocks     float64 `json:"pageLocks"`
	LockedPages   float64 `json:"lockedPages"`
	IRPs          float64 `json:"irps"`
	Completions   float64 `json:"completions"`
	Wakeups       float64 `json:"wakeups"`
	RIOEntries    float64 `json:"rioEntries"`
	StackRequests float64 `json:"stackRequests"`
	Segments      float64 `json:"segments"`
}

// Cost is the weighted cost, split by unit.
type Cost struct {
	Transitions float64 `json:"transitions"`
	Copies      float64 `json:"copies"`
	PageLocks   float64 `json:"pageLocks"`
	IRPs        float64 `json:"irps"`
	Completions float64 `json:"completions"`
	Wakeups     float64 `json:"wakeups"`
	RIOEntries  float64 `json:"rioEntries"`
	Stack       float64 `json:"stack"`
	Total       float64 `json:"total"`
	Boundary    float64 `json:"boundary"` // everything but the stack work: what the API choice changes
}

// Labelled states which evidence a count rests on (the weakest of its contributions).
type Labelled struct {
	Metric   string `json:"metric"`
	Evidence string `json:"evidence"`
}

// Run is the result of the "run" operation.
type Run struct {
	Workload       Workload   `json:"workload"`
	Ops            int64      `json:"ops"`
	LastOpBytes    int64      `json:"lastOpBytes"`
	Stages         []Stage    `json:"stages"`
	Setup          []Item     `json:"setup"`
	PerOp          Counts     `json:"perOp"`
	SetupCounts    Counts     `json:"setupCounts"`
	Total          Counts     `json:"total"`
	CostPerOp      Cost       `json:"costPerOp"`
	CostTotal      Cost       `json:"costTotal"`
	CostPerMiB     float64    `json:"costPerMiB"`
	Evidence       []Labelled `json:"evidence"`
	Weights        Weights    `json:"weights"`
	WeightsLabel   Item       `json:"weightsLabel"`
	Warnings       []string   `json:"warnings"`
	IgnoredOptions []string   `json:"ignoredOptions"`
}

func pages(b int64) int64 { return max(1, (b+4095)/4096) }

func segments(b, mss int64) int64 { return max(1, (b+mss-1)/mss) }

// opItems returns the stages with their per-operation items for one operation of b bytes.
func opItems(w *Workload, b int64) []Stage {
	o := w.Options
	sndbuf0 := o.SndBuf != nil && *o.SndBuf == 0
	st := []Stage{
		{ID: "app", Name: "Application", Mode: "user"},
		{ID: "ws2_32", Name: "ws2_32.dll (catalog, SPI router)", Mode: "user"},
		{ID: "mswsock", Name: "mswsock.dll (base provider)", Mode: "user"},
		{ID: "boundary", Name: "System call boundary (NtDeviceIoControlFile on \\Device\\Afd)", Mode: "boundary"},
		{ID: "afd", Name: "afd.sys (endpoint, send buffering)", Mode: "kernel"},
		{ID: "tcpip", Name: "tcpip.sys (TCP/IP)", Mode: "kernel"},
		{ID: "wfp", Name: "WFP (ALE, transport layers)", Mode: "kernel"},
		{ID: "ndis", Name: "NDIS (filters, miniport)", Mode: "kernel"},
		{ID: "nic", Name: "NIC (DMA)", Mode: "hardware"},
	}
	idx := map[string]int{}
	for i, s := range st {
		idx[s.ID] = i
	}
	add := func(stage string, it Item) { addStageItem(st, idx, stage, it) }
	user := func(call string) {
		add("app", Item{Metric: "info", What: "calls " + call, Evidence: Documented, Source: SrcWSASend})
		add("ws2_32", Item{Metric: "info", What: "routes the call to the provider chosen for the socket", Evidence: Documented, Source: SrcCatalog})
		add("mswsock", Item{Metric: "info", What: "turns it into an AFD request (IOCTL codes undocumented)", Evidence: Observed, Source: SrcAFDComm})
	}
	irp := func(what string) {
		if o.FastIO && (w.API == "send" || w.API == "wsasend-iocp") {
			add("afd", Item{Metric: "info", What: "fast-I/O path: completed without an IRP", Evidence: Observed, Source: SrcAFDComm})
			return
		}
		add("afd", Item{Metric: "irps", PerOp: 1, What: what, Evidence: Documented, Source: SrcIRP})
	}
	classicLock := func() {
		if o.ClassicProbeLock {
			add("afd", Item{Metric: "pageLocks", PerOp: 1, Bytes: b, What: "per-operation probe and lock of the user buffer", Evidence: Observed, Source: SrcRIOCommty})
		}
	}
	stack := func() {
		add("tcpip", Item{Metric: "stackRequests", PerOp: 1, Bytes: b, What: fmt.Sprintf("transport work for one request, %d MSS segments", segments(b, o.MSS)), Evidence: Model, Source: SrcWeights})
		add("wfp", Item{Metric: "info", What: "ALE authorised the flow at connect; later packets of the flow are not reclassified", Evidence: Documented, Source: SrcALE})
		add("ndis", Item{Metric: "info", What: "NET_BUFFER_LISTs describe the data with MDL chains: no copy", Evidence: Documented, Source: SrcNBL})
		add("nic", Item{Metric: "info", What: "DMA from memory to the wire (not counted as a copy)", Evidence: Model, Source: SrcWeights})
	}
	switch w.API {
	case "send":
		user("send() (blocking)")
		add("boundary", Item{Metric: "transitions", PerOp: 1, What: "one system service call into AFD", Evidence: Documented, Source: SrcNtDevIo})
		switch {
		case sndbuf0:
			add("afd", Item{Metric: "pageLocks", PerOp: 1, Bytes: b, What: "SO_SNDBUF=0: the application's buffer is locked and used directly", Evidence: Documented, Source: SrcKB214397})
			irp("the send pends in an IRP until the transport is done with the buffer")
			add("afd", Item{Metric: "wakeups", PerOp: 1, What: "the thread blocks until the data is acknowledged, then wakes", Evidence: Documented, Source: SrcKB214397})
		case o.BufferFull:
			add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "copied into the AFD buffer once space frees up", Evidence: Documented, Source: SrcKB214397})
			irp("the send pends until buffer space frees up")
			add("afd", Item{Metric: "wakeups", PerOp: 1, What: "the thread blocks, then wakes when the send completes", Evidence: Documented, Source: SrcKB214397})
		default:
			add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "copied into the AFD send buffer; the call completes before the data is on the wire", Evidence: Documented, Source: SrcKB214397})
			classicLock()
			irp("one IRP for the send request")
		}
		stack()
	case "wsasend-iocp":
		user("WSASend (overlapped, socket associated with an I/O completion port)")
		add("boundary", Item{Metric: "transitions", PerOp: 1, What: "submit: one system service call into AFD", Evidence: Documented, Source: SrcNtDevIo})
		pending := sndbuf0 || o.BufferFull
		if pending {
			why := "send buffer full: the buffer is locked, the send returns WSA_IO_PENDING and data goes straight from it"
			src, ev := SrcIOCPMag, Documented
			if sndbuf0 {
				why, src = "SO_SNDBUF=0: the buffer is locked and used directly until the transport is done", SrcKB214397
			}
			add("afd", Item{Metric: "pageLocks", PerOp: 1, Bytes: b, What: why, Evidence: ev, Source: src})
			irp("the request pends in an IRP")
		} else {
			add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "room in the send buffer: copied and completed at once", Evidence: Documented, Source: SrcIOCPMag})
			classicLock()
			irp("one IRP for the send request")
		}
		if !pending && o.SkipCompletionPortOnSuccess {
			add("afd", Item{Metric: "info", What: "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: success inline, no packet queued, nothing to dequeue", Evidence: Documented, Source: SrcSkip})
		} else {
			add("afd", Item{Metric: "completions", PerOp: 1, What: "a completion packet is queued to the port", Evidence: Documented, Source: SrcIOCP})
			what, src := "GetQueuedCompletionStatus: one call per completion", SrcIOCP
			if o.GQCSExBatch > 1 {
				what, src = fmt.Sprintf("GetQueuedCompletionStatusEx dequeues %d completions per call", o.GQCSExBatch), SrcGQCSEx
			}
			add("boundary", Item{Metric: "transitions", PerOp: 1 / float64(o.GQCSExBatch), What: what, Evidence: Documented, Source: src})
		}
		stack()
	case "readfile-send":
		user("ReadFile then send() for each chunk")
		add("boundary", Item{Metric: "transitions", PerOp: 2, What: "two calls per chunk: ReadFile and send", Evidence: Documented, Source: SrcTF1998})
		add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "file cache → user buffer (ReadFile)", Evidence: Documented, Source: SrcTF1998})
		add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "user buffer → AFD send buffer (send)", Evidence: Documented, Source: SrcTF1998})
		add("afd", Item{Metric: "irps", PerOp: 2, What: "one IRP for the read, one for the send (a cached read may take a fast-I/O path instead)", Evidence: Model, Source: SrcIRP})
		stack()
	case "transmitfile":
		user("TransmitFile")
		add("boundary", Item{Metric: "transitions", PerOp: 1, What: "one call starts the whole transfer", Evidence: Documented, Source: SrcTransmit})
		add("afd", Item{Metric: "info", What: "file data is read through the cache manager inside the kernel: no user-mode copy", Evidence: Documented, Source: SrcTransmit})
		add("afd", Item{Metric: "irps", PerOp: 1, What: "one request for the transfer", Evidence: Model, Source: SrcWeights})
		if o.Overlapped {
			add("afd", Item{Metric: "completions", PerOp: 1, What: "one completion packet when the transfer ends", Evidence: Documented, Source: SrcIOCP})
			add("boundary", Item{Metric: "transitions", PerOp: 1 / float64(o.GQCSExBatch), What: "dequeue the completion", Evidence: Documented, Source: SrcIOCP})
		} else {
			add("afd", Item{Metric: "wakeups", PerOp: 1, What: "the calling thread waits for the transfer", Evidence: Model, Source: SrcWeights})
		}
		stack()
	case "rio":
		add("app", Item{Metric: "info", What: "RIOSend on a registered buffer slice (RIO_BUF)", Evidence: Documented, Source: SrcRIOSend})
		add("mswsock", Item{Metric: "rioEntries", PerOp: 1, What: "the request is written to the request queue in user mode", Evidence: Documented, Source: SrcRIO})
		if o.RIODeferBatch > 1 {
			add("boundary", Item{Metric: "transitions", PerOp: 1 / float64(o.RIODeferBatch), What: fmt.Sprintf("RIO_MSG_DEFER: one kernel entry starts a batch of %d requests", o.RIODeferBatch), Evidence: Model, Source: SrcRIOSend})
		} else {
			add("boundary", Item{Metric: "transitions", PerOp: 1, What: "a request without RIO_MSG_DEFER triggers execution (assumed one kernel entry)", Evidence: Model, Source: SrcWeights})
		}
		add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "at most one copy of the payload (assumed)", Evidence: Model, Source: SrcWeights})
		add("afd", Item{Metric: "info", What: "no per-operation lock: the buffer was locked once at registration", Evidence: Documented, Source: SrcRIOReg})
		if o.RIOCompletion == "poll" {
			add("mswsock", Item{Metric: "rioEntries", PerOp: 1, What: "RIODequeueCompletion reads the completion queue in user mode: no system call", Evidence: Documented, Source: SrcRIO})
		} else {
			n := float64(o.RIONotifyBatch)
			add("mswsock", Item{Metric: "rioEntries", PerOp: 1, What: "RIODequeueCompletion in user mode", Evidence: Documented, Source: SrcRIO})
			add("boundary", Item{Metric: "transitions", PerOp: 2 / n, What: fmt.Sprintf("RIONotify plus the wait for its IOCP packet, once per %d completions", o.RIONotifyBatch), Evidence: Documented, Source: SrcRIONotify})
			add("afd", Item{Metric: "completions", PerOp: 1 / n, What: "one notification packet per batch", Evidence: Documented, Source: SrcRIONotify})
		}
		stack()
	case "wsk":
		add("app", Item{Metric: "info", What: "a kernel-mode WSK client: no user/kernel boundary at all", Evidence: Documented, Source: SrcWSK})
		if o.WSKMode == "event" {
			add("afd", Item{Metric: "info", What: "event callbacks: no IRPs; WSK owns the indicated buffers", Evidence: Documented, Source: SrcWSKEvents})
			// WskReceiveEvent only asks the client not to retain WSK-owned buffers, or to release
			// them as soon as possible (WSK_FLAG_RELEASE_ASAP); copying out is the client's choice,
			// so counting one copy per operation is ours.
			add("afd", Item{Metric: "copies", PerOp: 1, Bytes: b, What: "the client copies out of WSK-owned buffers so it can release them quickly (one copy assumed; the client may also retain them and call WskRelease)", Evidence: Model, Source: SrcWSKRecv})
		} else {
			add("afd", Item{Metric: "irps", PerOp: 1, What: "every WSK function takes an IRP that WSK completes", Evidence: Documented, Source: SrcWSKIrp})
			add("afd", Item{Metric: "info", What: "the client supplies the buffer as an MDL: no copy", Evidence: Documented, Source: SrcWSKEvents})
			if o.PageableBuffer {
				add("afd", Item{Metric: "pageLocks", PerOp: 1, Bytes: b, What: "a pageable buffer must be probed and locked to build the MDL", Evidence: Model, Source: SrcBuffers})
			}
		}
		st[idx["afd"]].Name = "WSK subsystem (kernel socket NPI)"
		stack()
	}
	return st
}

//go:noinline
func sumItems(st []Stage, c *Counts, mss int64, mult float64) {
	for _, s := range st {
		for _, it := range s.Items {
			addItem(it, c, mss, mult)
		}
	}
}

// addStageItem is opItems' add, out of line: inlined at its sixty-odd call sites it made
// opItems the largest function of the WebAssembly bundle.
//
//go:noinline
func addStageItem(st []Stage, idx map[string]int, stage string, it Item) {
	s := &st[idx[stage]]
	s.Active = true
	s.Items = append(s.Items, it)
}

func addItem(it Item, c *Counts, mss int64, mult float64) {
	n := it.PerOp * mult
	switch it.Metric {
	case "transitions":
		c.Transitions += n
	case "copies":
		c.Copies += n
		c.CopyBytes += n * float64(it.Bytes)
	case "pageLocks":
		c.PageLocks += n
		c.LockedPages += n * float64(pages(it.Bytes))
	case "irps":
		c.IRPs += n
	case "completions":
		c.Completions += n
	case "wakeups":
		c.Wakeups += n
	case "rioEntries":
		c.RIOEntries += n
	case "stackRequests":
		c.StackRequests += n
		c.Segments += n * float64(segments(it.Bytes, mss))
	}
}

func cost(c Counts, w Weights) Cost {
	k := Cost{
		Transitions: c.Transitions * w.T,
		Copies:      c.Copies*w.CBase + c.CopyBytes/4096*w.CPer4K,
		PageLocks:   c.PageLocks*w.L + math.Max(0, c.LockedPages-c.PageLocks)*w.LPage,
		IRPs:        c.IRPs * w.I,
		Completions: c.Completions * w.Q,
		Wakeups:     c.Wakeups * w.W,
		RIOEntries:  c.RIOEntries * w.RIOEntry,
		Stack:       c.StackRequests*w.S + c.Segments*w.SSeg,
	}
	k.Boundary = k.Transitions + k.Copies + k.PageLocks + k.IRPs + k.Completions + k.Wakeups + k.RIOEntries
	k.Total = k.Boundary + k.Stack
	return k
}

var rank = map[string]int{Documented: 0, Observed: 1, Model: 2}

// Simulate runs the model for one workload.
func Simulate(w Workload) (*Run, error) {
	wt, err := validate(&w)
	if err != nil {
		return nil, err
	}
	o := w.Options
	full := w.Bytes / w.MessageSize
	last := w.Bytes % w.MessageSize
	ops := full
	if last > 0 {
		ops++
	} else {
		last = w.MessageSize
	}
	r := &Run{Workload: w, Ops: ops, LastOpBytes: last, Weights: wt, Warnings: []string{}, IgnoredOptions: []string{}, Setup: []Item{},
		WeightsLabel: Item{Metric: "info", What: "every weight is an adjustable educational parameter, not a measurement", Evidence: Model, Source: SrcWeights}}
	r.Stages = opItems(&w, w.MessageSize)
	sumItems(r.Stages, &r.PerOp, o.MSS, 1)
	sumItems(r.Stages, &r.Total, o.MSS, float64(ops-1))
	sumItems(opItems(&w, last), &r.Total, o.MSS, 1)

	if w.API == "rio" {
		region := w.MessageSize * int64(max(o.Outstanding, o.RIODeferBatch))
		r.Setup = append(r.Setup,
			Item{Metric: "transitions", PerOp: 1, What: "WSAIoctl(SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER) fetches the RIO function table", Evidence: Documented, Source: "https://learn.microsoft.com/en-us/windows/win32/api/mswsock/ns-mswsock-rio_extension_function_table"},
			Item{Metric: "transitions", PerOp: 1, What: "RIORegisterBuffer", Evidence: Documented, Source: SrcRIOReg},
			Item{Metric: "pageLocks", PerOp: 1, Bytes: region, What: fmt.Sprintf("the whole %d-byte region is locked once", region), Evidence: Documented, Source: SrcRIOReg},
			Item{Metric: "transitions", PerOp: 2, What: "RIOCreateCompletionQueue and RIOCreateRequestQueue", Evidence: Model, Source: SrcWeights})
	}
	for _, it := range r.Setup {
		addItem(it, &r.SetupCounts, o.MSS, 1)
		addItem(it, &r.Total, o.MSS, 1)
	}
	r.CostPerOp = cost(r.PerOp, wt)
	r.CostTotal = cost(r.Total, wt)
	r.CostPerMiB = r.CostTotal.Total / (float64(w.Bytes) / (1 << 20))

	worst := map[string]string{}
	note := func(it Item) {
		if it.Metric == "info" {
			return
		}
		if cur, ok := worst[it.Metric]; !ok || rank[it.Evidence] > rank[cur] {
			worst[it.Metric] = it.Evidence
		}
	}
	for _, s := range r.Stages {
		for _, it := range s.Items {
			note(it)
		}
	}
	for _, it := range r.Setup {
		note(it)
	}
	for _, m := range []string{"transitions", "copies", "pageLocks", "irps", "completions", "wakeups", "rioEntries", "stackRequests"} {
		if ev, ok := worst[m]; ok {
			r.Evidence = append(r.Evidence, Labelled{Metric: m, Evidence: ev})
		}
	}
	r.Evidence = append(r.Evidence, Labelled{Metric: "cost", Evidence: Model})

	sndbuf0 := o.SndBuf != nil && *o.SndBuf == 0
	if sndbuf0 && (w.API == "send" || w.API == "wsasend-iocp") && (w.API == "send" || o.Outstanding <= 1) {
		r.Warnings = append(r.Warnings, "SO_SNDBUF=0 with a single outstanding send: each send completes only when the transport is done with the buffer, and Nagle's algorithm plus the peer's 200 ms delayed ACK can stall every send (KB 214397). Keep several overlapped sends outstanding.")
	}
	if w.API == "transmitfile" {
		r.Warnings = append(r.Warnings, "Client editions of Windows allow only two concurrent TransmitFile operations; servers can raise the limit under AFD\\Parameters (documented on the TransmitFile page).")
	}
	if o.FastIO && w.API != "send" && w.API != "wsasend-iocp" {
		r.IgnoredOptions = append(r.IgnoredOptions, "fastIO")
	}
	if o.SkipCompletionPortOnSuccess && w.API != "wsasend-iocp" {
		r.IgnoredOptions = append(r.IgnoredOptions, "skipCompletionPortOnSuccess")
	}
	if o.SkipCompletionPortOnSuccess && w.API == "wsasend-iocp" && (sndbuf0 || o.BufferFull) {
		r.Warnings = append(r.Warnings, "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS saves nothing here: the sends pend, and pending requests still queue a completion packet.")
	}
	if o.GQCSExBatch > 1 && w.API != "wsasend-iocp" && !(w.API == "transmitfile" && o.Overlapped) {
		r.IgnoredOptions = append(r.IgnoredOptions, "gqcsExBatch")
	}
	if w.API != "rio" && (o.RIODeferBatch > 1 || o.RIONotifyBatch > 1) {
		r.IgnoredOptions = append(r.IgnoredOptions, "rio*")
	}
	if w.API == "rio" && o.RIODeferBatch > o.Outstanding {
		r.Warnings = append(r.Warnings, "Deferred requests still count against the request queue's outstanding capacity (RIOSend): the queue must hold the whole batch, so the model sized the registered region for it.")
	}
	return r, nil
}
