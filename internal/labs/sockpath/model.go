// Package sockpath models one socket workload on its way from the application through ws2_32,
// mswsock, the AFD boundary, AFD, tcpip, WFP and NDIS to the NIC. It counts, per operation and
// in total, the boundary transitions, copies, page locks, IRPs, completions, dequeues and
// wake-ups the chosen API implies, and turns them into a relative cost with adjustable weights.
// Every figure carries an evidence label: documented (Microsoft), observed (community) or model
// (our approximation). The sequences and default weights follow the research notes
// (networking.md §3); the weights are educational, never measurements.
package sockpath

import (
	"fmt"
	"math"

	"ntatlas/internal/labs"
)

// Evidence labels shown with every figure.
const (
	Documented = "documented"
	Observed   = "observed"
	Model      = "model"
)

// Sources (Microsoft Learn unless marked community).
const (
	SrcKB214397  = "https://learn.microsoft.com/en-us/previous-versions/troubleshoot/windows/win32/data-segment-tcp-winsock"
	SrcIOCPMag   = "MSDN Magazine Oct 2000, Write Scalable Winsock Apps Using Completion Ports (archival)"
	SrcSkip      = "https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes"
	SrcIOCP      = "https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports"
	SrcGQCSEx    = "https://learn.microsoft.com/en-us/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatusex"
	SrcWSASend   = "https://learn.microsoft.com/en-us/windows/win32/api/winsock2/nf-winsock2-wsasend"
	SrcTransmit  = "https://learn.microsoft.com/en-us/windows/desktop/api/mswsock/nf-mswsock-transmitfile"
	SrcTF1998    = "MSDN 1998 conference paper on TransmitFile (archival)"
	SrcRIO       = "https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2012-R2-and-2012/hh997032(v=ws.11)"
	SrcRIOSend   = "https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nc-mswsock-lpfn_riosend"
	SrcRIOReg    = "https://learn.microsoft.com/en-us/previous-versions/windows/desktop/legacy/hh437199(v=vs.85)"
	SrcRIONotify = "https://learn.microsoft.com/en-us/windows/win32/api/mswsock/nc-mswsock-lpfn_rionotify"
	SrcRIOCommty = "community: serverframework.com RIO articles (per-operation lock in classic Winsock)"
	SrcWSK       = "https://learn.microsoft.com/en-us/windows-hardware/drivers/network/introduction-to-winsock-kernel"
	SrcWSKIrp    = "https://learn.microsoft.com/windows-hardware/drivers/network/using-irps-with-winsock-kernel-functions"
	SrcWSKRecv   = "https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event"
	SrcWSKEvents = "https://learn.microsoft.com/en-us/windows-hardware/drivers/network/using-winsock-kernel-functions-vs--event-callback-functions"
	SrcNtDevIo   = "https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntdeviceiocontrolfile"
	SrcBuffers   = "https://learn.microsoft.com/windows-hardware/drivers/kernel/methods-for-accessing-data-buffers"
	SrcIRP       = "https://learn.microsoft.com/windows-hardware/drivers/gettingstarted/i-o-request-packets"
	SrcCatalog   = "https://learn.microsoft.com/en-us/windows/win32/winsock/transport-division-of-responsibilities-between-dll-and-service-providers-2"
	SrcALE       = "https://learn.microsoft.com/en-us/windows/win32/fwp/ale-stateful-filtering"
	SrcNBL       = "https://learn.microsoft.com/en-us/windows-hardware/drivers/network/network-data-structures"
	SrcAFDComm   = "community: AFD IOCTLs and the fast-I/O path (wepoll, reverse engineering)"
	SrcWeights   = "NT Atlas model: networking research notes §3.3 (educational weights)"
)

// Workload is the JSON input of the "run" operation.
type Workload struct {
	Bytes       int64    `json:"bytes"`
	MessageSize int64    `json:"messageSize"`
	API         string   `json:"api"` // send, wsasend-iocp, readfile-send, transmitfile, rio, wsk
	Options     Options  `json:"options"`
	Weights     *Weights `json:"weights,omitempty"`
}

// Options refine the API. Unused options for an API are ignored, and the result lists them.
type Options struct {
	// SndBuf is SO_SNDBUF; nil keeps the default (buffered). 0 turns AFD send buffering off.
	SndBuf *int64 `json:"sndbuf,omitempty"`
	// Outstanding is how many sends the application keeps in flight (overlapped APIs).
	Outstanding int `json:"outstanding,omitempty"`
	// BufferFull: the socket's send buffer has no room, so sends pend (the buffer is locked and
	// sent from directly).
	BufferFull bool `json:"bufferFull,omitempty"`
	// SkipCompletionPortOnSuccess: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set on the socket.
	SkipCompletionPortOnSuccess bool `json:"skipCompletionPortOnSuccess,omitempty"`
	// GQCSExBatch: completions dequeued per GetQueuedCompletionStatusEx call (1 = plain GQCS).
	GQCSExBatch int `json:"gqcsExBatch,omitempty"`
	// Overlapped TransmitFile (completion through the port).
	Overlapped bool `json:"overlapped,omitempty"`
	// RIO: requests per RIO_MSG_DEFER batch (1 = no DEFER), completion by "poll" or "notify",
	// completions collected per notification.
	RIODeferBatch  int    `json:"rioDeferBatch,omitempty"`
	RIOCompletion  string `json:"rioCompletion,omitempty"`
	RIONotifyBatch int    `json:"rioNotifyBatch,omitempty"`
	// WSK: "function" (WskSend with the client's MDL) or "event" (receive callbacks, WSK-owned
	// buffers); PageableBuffer: the client's buffer must be probed and locked.
	WSKMode        string `json:"wskMode,omitempty"`
	PageableBuffer bool   `json:"pageableBuffer,omitempty"`
	// FastIO: AFD completes simple sends on its fast-I/O path without an IRP (community).
	FastIO bool `json:"fastIO,omitempty"`
	// ClassicProbeLock: count a probe-and-lock on every classic (non-RIO) operation, as the
	// community explanation of RIO's gain says.
	ClassicProbeLock bool `json:"classicProbeLock,omitempty"`
	// MSS for the per-segment stack cost (default 1460).
	MSS int64 `json:"mss,omitempty"`
}

// Weights of the cost model, in arbitrary cost units.
type Weights struct {
	T        float64 `json:"T"`        // user→kernel→user transition
	I        float64 `json:"I"`        // IRP allocate/dispatch/complete
	L        float64 `json:"L"`        // probe-and-lock, first page
	LPage    float64 `json:"LPage"`    // each extra 4 KiB page locked
	Q        float64 `json:"Q"`        // queue a completion
	CBase    float64 `json:"CBase"`    // copy, fixed part
	CPer4K   float64 `json:"CPer4K"`   // copy, per 4 KiB
	RIOEntry float64 `json:"RIOEntry"` // RIO request enqueue or completion dequeue in user mode
	S        float64 `json:"S"`        // stack work per request (tcpip + WFP + NDIS)
	SSeg     float64 `json:"SSeg"`     // stack work per MSS segment (LSO/checksum offload assumed)
	W        float64 `json:"W"`        // block + wake (context switch)
}

// DefaultWeights are the educational defaults of networking.md §3.3.
func DefaultWeights() Weights {
	return Weights{T: 1, I: 0.5, L: 0.5, LPage: 0.05, Q: 0.3, CBase: 0.1, CPer4K: 0.25, RIOEntry: 0.05, S: 1.75, SSeg: 0.02, W: 3}
}

const (
	maxBytes          = int64(1) << 50 // 1 PiB keeps float totals exact enough
	maxTransmitFileOp = 2147483646     // TransmitFile: largest nNumberOfBytesToWrite per call
	gib               = int64(1) << 30
)

//go:noinline
func inErr(field, format string, a ...any) error {
	return &labs.InputError{Offset: -1, Field: field, Message: fmt.Sprintf(format, a...)}
}

func validate(w *Workload) (Weights, error) {
	if w.Bytes <= 0 || w.Bytes > maxBytes {
		return Weights{}, inErr("bytes", "must be 1..%d", maxBytes)
	}
	switch w.API {
	case "send", "wsasend-iocp", "readfile-send", "transmitfile", "rio", "wsk":
	case "":
		return Weights{}, inErr("api", "missing (send, wsasend-iocp, readfile-send, transmitfile, rio, wsk)")
	default:
		return Weights{}, inErr("api", "unknown API %q (send, wsasend-iocp, readfile-send, transmitfile, rio, wsk)", w.API)
	}
	if w.MessageSize == 0 && w.API == "transmitfile" {
		w.MessageSize = min(w.Bytes, maxTransmitFileOp)
	}
	if w.MessageSize <= 0 || w.MessageSize > w.Bytes {
		return Weights{}, inErr("messageSize", "must be 1..bytes (%d)", w.Bytes)
	}
	if w.API == "transmitfile" && w.MessageSize > maxTransmitFileOp {
		return Weights{}, inErr("messageSize", "TransmitFile sends at most %d bytes per call", maxTransmitFileOp)
	}
	if w.API != "transmitfile" && w.MessageSize > 1<<31 {
		return Weights{}, inErr("messageSize", "a single send is limited to 2 GiB in this model")
	}
	o := &w.Options
	if o.SndBuf != nil && (*o.SndBuf < 0 || *o.SndBuf > 1<<31) {
		return Weights{}, inErr("options.sndbuf", "must be 0..2^31")
	}
	if o.Outstanding < 0 || o.Outstanding > 1<<16 {
		return Weights{}, inErr("options.outstanding", "must be 0..65536")
	}
	if o.Outstanding == 0 {
		o.Outstanding = 1
	}
	if o.GQCSExBatch < 0 || o.GQCSExBatch > 1<<16 {
		return Weights{}, inErr("options.gqcsExBatch", "must be 0..65536")
	}
	if o.GQCSExBatch == 0 {
		o.GQCSExBatch = 1
	}
	if o.RIODeferBatch < 0 || o.RIODeferBatch > 1<<16 {
		return Weights{}, inErr("options.rioDeferBatch", "must be 0..65536")
	}
	if o.RIODeferBatch == 0 {
		o.RIODeferBatch = 1
	}
	if o.RIONotifyBatch < 0 || o.RIONotifyBatch > 1<<16 {
		return Weights{}, inErr("options.rioNotifyBatch", "must be 0..65536")
	}
	if o.RIONotifyBatch == 0 {
		o.RIONotifyBatch = 1
	}
	switch o.RIOCompletion {
	case "":
		o.RIOCompletion = "poll"
	case "poll", "notify":
	default:
		return Weights{}, inErr("options.rioCompletion", "unknown %q (poll, notify)", o.RIOCompletion)
	}
	switch o.WSKMode {
	case "":
		o.WSKMode = "function"
	case "function", "event":
	default:
		return Weights{}, inErr("options.wskMode", "unknown %q (function, event)", o.WSKMode)
	}
	if o.MSS < 0 || o.MSS > 65535 {
		return Weights{}, inErr("options.mss", "must be 0..65535")
	}
	if o.MSS == 0 {
		o.MSS = 1460
	}
	wt := DefaultWeights()
	if w.Weights != nil {
		wt = *w.Weights
		for _, f := range []struct {
			name string
			v    float64
		}{{"T", wt.T}, {"I", wt.I}, {"L", wt.L}, {"LPage", wt.LPage}, {"Q", wt.Q}, {"CBase", wt.CBase},
			{"CPer4K", wt.CPer4K}, {"RIOEntry", wt.RIOEntry}, {"S", wt.S}, {"SSeg", wt.SSeg}, {"W", wt.W}} {
			if f.v < 0 || f.v > 1e6 || math.IsNaN(f.v) {
				return Weights{}, inErr("weights."+f.name, "must be 0..1e6")
			}
		}
	}
	return wt, nil
}
