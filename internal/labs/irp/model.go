package irp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"ntatlas/internal/labs"
)

// Request is what the user-mode caller asks for.
type Request struct {
	Call                        string `json:"call"`                   // ReadFile, WriteFile, DeviceIoControl, WSARecv
	Method                      string `json:"method,omitempty"`       // DeviceIoControl only: METHOD_BUFFERED, METHOD_IN_DIRECT, METHOD_OUT_DIRECT, METHOD_NEITHER
	Length                      uint32 `json:"length,omitempty"`       // ReadFile/WriteFile/WSARecv byte count
	InputLength                 uint32 `json:"inputLength,omitempty"`  // DeviceIoControl
	OutputLength                uint32 `json:"outputLength,omitempty"` // DeviceIoControl
	Completion                  string `json:"completion"`             // synchronous, event, apc, iocp
	Cached                      bool   `json:"cached,omitempty"`       // data already in the file cache (or, for a socket, already received)
	SkipCompletionPortOnSuccess bool   `json:"skipCompletionPortOnSuccess,omitempty"`
}

// Minifilter is one minifilter instance attached through Filter Manager.
type Minifilter struct {
	Name     string `json:"name"`
	Altitude string `json:"altitude"`
	Pre      string `json:"pre"`              // with-callback, no-callback, complete
	Status   string `json:"status,omitempty"` // when pre is complete
}

// Layer is one device object in the stack, top first.
type Layer struct {
	Name              string       `json:"name"`             // driver file name, unique in the stack: "ntfs.sys"
	Device            string       `json:"device,omitempty"` // "\Device\HarddiskVolume3"
	Kind              string       `json:"kind"`             // see kinds
	Action            string       `json:"action"`           // forward, complete, pend
	Forward           string       `json:"forward,omitempty"`
	CompletionRoutine bool         `json:"completionRoutine,omitempty"`
	CompletionResult  string       `json:"completionResult,omitempty"` // continue (default), more-processing
	Status            string       `json:"status,omitempty"`
	PendCompletion    string       `json:"pendCompletion,omitempty"` // dpc (default), worker
	IoFlags           string       `json:"ioFlags,omitempty"`        // buffered, direct, neither
	FastIo            bool         `json:"fastIo,omitempty"`
	NextMajor         string       `json:"nextMajor,omitempty"`
	Minifilters       []Minifilter `json:"minifilters,omitempty"`
	Note              string       `json:"note,omitempty"`
}

var (
	kinds       = []string{"filter-manager", "file-system", "volume", "partition", "disk-class", "storport", "afd", "filter", "function"}
	actions     = []string{"forward", "complete", "pend"}
	calls       = []string{"ReadFile", "WriteFile", "DeviceIoControl", "WSARecv"}
	methods     = []string{"METHOD_BUFFERED", "METHOD_IN_DIRECT", "METHOD_OUT_DIRECT", "METHOD_NEITHER"}
	completions = []string{"synchronous", "event", "apc", "iocp"}
	preResults  = []string{"with-callback", "no-callback", "complete"}
	nextMajors  = []string{"IRP_MJ_SCSI", "IRP_MJ_INTERNAL_DEVICE_CONTROL"}
)

// statuses maps the NTSTATUS values the lab knows to the Win32 error a caller sees.
var statuses = map[string]string{
	"STATUS_SUCCESS":                "ERROR_SUCCESS",
	"STATUS_END_OF_FILE":            "ERROR_HANDLE_EOF",
	"STATUS_ACCESS_DENIED":          "ERROR_ACCESS_DENIED",
	"STATUS_BUFFER_OVERFLOW":        "ERROR_MORE_DATA",
	"STATUS_INVALID_DEVICE_REQUEST": "ERROR_INVALID_FUNCTION",
	"STATUS_CANCELLED":              "ERROR_OPERATION_ABORTED",
	"STATUS_DEVICE_NOT_READY":       "ERROR_NOT_READY",
	"STATUS_IO_DEVICE_ERROR":        "ERROR_IO_DEVICE",
}

// Limits that keep a scenario small enough to read and to simulate instantly.
const (
	MaxLayers      = 12
	MaxMinifilters = 8
	MaxLength      = 1 << 30
	maxNameLen     = 48
)

// Scenario is a whole run: a stack (preset id or layers), a request and an optional
// prediction of the completion order.
type Scenario struct {
	Stack     json.RawMessage `json:"stack"`
	Request   json.RawMessage `json:"request"`
	Predicted []string        `json:"predicted,omitempty"`
}

//go:noinline
func oneOf(v string, list []string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

//go:noinline
func bad(field, format string, a ...any) error {
	return &labs.InputError{Offset: -1, Field: field, Message: fmt.Sprintf(format, a...)}
}

// decodeStack reads a stack given as a preset id ("storage-read") or as an array of layers.
func decodeStack(raw json.RawMessage) ([]Layer, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return nil, bad("stack", "required: a preset id or an array of layers")
	}
	if t[0] == '"' {
		var id string
		if err := json.Unmarshal(t, &id); err != nil {
			return nil, bad("stack", "bad string: %v", err)
		}
		p, ok := presetByID(id)
		if !ok {
			return nil, bad("stack", "unknown preset %q (see the presets op)", id)
		}
		return p.Layers, nil
	}
	var layers []Layer
	if err := labs.Decode(t, &layers); err != nil {
		if ie, ok := err.(*labs.InputError); ok {
			ie.Field = strings.TrimPrefix("stack"+dotField(ie.Field), ".")
		}
		return nil, err
	}
	if err := validateLayers(layers); err != nil {
		return nil, err
	}
	return layers, nil
}

func dotField(f string) string {
	if f == "" {
		return ""
	}
	return "." + f
}

func validateLayers(layers []Layer) error {
	if len(layers) == 0 {
		return bad("stack", "needs at least one layer")
	}
	if len(layers) > MaxLayers {
		return bad("stack", "has %d layers; at most %d", len(layers), MaxLayers)
	}
	seen := map[string]int{}
	for i := range layers {
		l := &layers[i]
		f := fmt.Sprintf("stack[%d]", i)
		if l.Name == "" || len(l.Name) > maxNameLen {
			return bad(f+".name", "required, at most %d characters", maxNameLen)
		}
		if j, ok := seen[strings.ToLower(l.Name)]; ok {
			return bad(f+".name", "%q is already used by stack[%d]; names identify layers in predictions", l.Name, j)
		}
		seen[strings.ToLower(l.Name)] = i
		if !oneOf(l.Kind, kinds) {
			return bad(f+".kind", "%q is not one of %s", l.Kind, strings.Join(kinds, ", "))
		}
		if !oneOf(l.Action, actions) {
			return bad(f+".action", "%q is not one of %s", l.Action, strings.Join(actions, ", "))
		}
		last := i == len(layers)-1
		switch l.Action {
		case "forward":
			if last {
				return bad(f+".action", "the lowest layer has no driver below it to forward to; use complete or pend")
			}
			if l.Forward != "copy" && l.Forward != "skip" {
				return bad(f+".forward", "forwarding needs \"copy\" (IoCopyCurrentIrpStackLocationToNext) or \"skip\" (IoSkipCurrentIrpStackLocation)")
			}
			if l.Status != "" {
				return bad(f+".status", "only a layer that completes or pends sets the status")
			}
		default:
			if l.Forward != "" || l.CompletionRoutine || l.NextMajor != "" {
				return bad(f+".forward", "only a forwarding layer can skip/copy, set a completion routine or a next major function")
			}
			if l.Status == "" {
				l.Status = "STATUS_SUCCESS"
			}
			if _, ok := statuses[l.Status]; !ok {
				return bad(f+".status", "%q is not a status this lab knows (%s)", l.Status, strings.Join(statusNames(), ", "))
			}
		}
		if l.CompletionResult != "" && l.CompletionResult != "continue" && l.CompletionResult != "more-processing" {
			return bad(f+".completionResult", "%q is not continue or more-processing", l.CompletionResult)
		}
		if l.CompletionResult == "more-processing" && !l.CompletionRoutine {
			return bad(f+".completionResult", "more-processing needs completionRoutine: true")
		}
		if l.CompletionResult == "" && l.CompletionRoutine {
			l.CompletionResult = "continue"
		}
		if l.PendCompletion != "" && (l.Action != "pend" || (l.PendCompletion != "dpc" && l.PendCompletion != "worker")) {
			return bad(f+".pendCompletion", "only a pending layer sets it, to dpc or worker")
		}
		if l.Action == "pend" && l.PendCompletion == "" {
			l.PendCompletion = "dpc"
		}
		if l.IoFlags == "" {
			l.IoFlags = defaultIoFlags(l.Kind)
		}
		if !oneOf(l.IoFlags, []string{"buffered", "direct", "neither"}) {
			return bad(f+".ioFlags", "%q is not buffered, direct or neither", l.IoFlags)
		}
		if l.NextMajor != "" && !oneOf(l.NextMajor, nextMajors) {
			return bad(f+".nextMajor", "%q is not one of %s", l.NextMajor, strings.Join(nextMajors, ", "))
		}
		if len(l.Minifilters) > 0 && l.Kind != "filter-manager" {
			return bad(f+".minifilters", "only a filter-manager layer hosts minifilters")
		}
		if len(l.Minifilters) > MaxMinifilters {
			return bad(f+".minifilters", "at most %d", MaxMinifilters)
		}
		alt := map[string]bool{}
		for k := range l.Minifilters {
			m := &l.Minifilters[k]
			mf := fmt.Sprintf("%s.minifilters[%d]", f, k)
			if m.Name == "" || len(m.Name) > maxNameLen {
				return bad(mf+".name", "required, at most %d characters", maxNameLen)
			}
			if _, ok := seen[strings.ToLower(m.Name)]; ok {
				return bad(mf+".name", "%q is already used in this stack", m.Name)
			}
			seen[strings.ToLower(m.Name)] = i
			if _, err := altitudeValue(m.Altitude); err != nil {
				return bad(mf+".altitude", "%v", err)
			}
			if alt[m.Altitude] {
				return bad(mf+".altitude", "two minifilters at altitude %s; altitudes are unique", m.Altitude)
			}
			alt[m.Altitude] = true
			if !oneOf(m.Pre, preResults) {
				return bad(mf+".pre", "%q is not one of %s", m.Pre, strings.Join(preResults, ", "))
			}
			if m.Pre == "complete" {
				if m.Status == "" {
					m.Status = "STATUS_ACCESS_DENIED"
				}
				if _, ok := statuses[m.Status]; !ok {
					return bad(mf+".status", "%q is not a status this lab knows", m.Status)
				}
			} else if m.Status != "" {
				return bad(mf+".status", "only a minifilter that completes sets a status")
			}
		}
		if len(l.Note) > 300 {
			return bad(f+".note", "at most 300 characters")
		}
	}
	return nil
}

// altitudeValue parses an altitude such as "328010" or "40500.5" (altitudes are decimal strings).
func altitudeValue(s string) (float64, error) {
	if s == "" || len(s) > 20 {
		return 0, fmt.Errorf("required: a decimal altitude such as 328010")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || strings.ContainsAny(s, "eE+-") {
		return 0, fmt.Errorf("%q is not a positive decimal altitude", s)
	}
	return v, nil
}

func defaultIoFlags(kind string) string {
	switch kind {
	case "disk-class", "storport", "partition", "volume":
		return "direct"
	case "function":
		return "buffered"
	}
	return "neither"
}

func statusNames() []string {
	var out []string
	for k := range statuses {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] }) // sort.Slice, not sort.Strings: one sort implementation in the WebAssembly bundle
	return out
}

func decodeRequest(raw json.RawMessage) (Request, error) {
	var r Request
	if len(bytes.TrimSpace(raw)) == 0 {
		return r, bad("request", "required")
	}
	if err := labs.Decode(raw, &r); err != nil {
		if ie, ok := err.(*labs.InputError); ok {
			ie.Field = "request" + dotField(ie.Field)
		}
		return r, err
	}
	return r, validateRequest(&r)
}

func validateRequest(r *Request) error {
	if !oneOf(r.Call, calls) {
		return bad("request.call", "%q is not one of %s", r.Call, strings.Join(calls, ", "))
	}
	if r.Call == "DeviceIoControl" {
		if !oneOf(r.Method, methods) {
			return bad("request.method", "DeviceIoControl needs one of %s", strings.Join(methods, ", "))
		}
		if r.Length != 0 {
			return bad("request.length", "DeviceIoControl uses inputLength and outputLength")
		}
		if r.InputLength > MaxLength || r.OutputLength > MaxLength {
			return bad("request.inputLength", "at most %d bytes", MaxLength)
		}
		if r.Cached {
			return bad("request.cached", "only reads, writes and socket receives can be satisfied from already available data")
		}
	} else {
		if r.Method != "" {
			return bad("request.method", "only DeviceIoControl has a transfer method; for %s the top device's flags decide", r.Call)
		}
		if r.InputLength != 0 || r.OutputLength != 0 {
			return bad("request.inputLength", "only DeviceIoControl has input and output lengths; use length")
		}
		if r.Length == 0 || r.Length > MaxLength {
			return bad("request.length", "must be 1 to %d bytes", MaxLength)
		}
	}
	if !oneOf(r.Completion, completions) {
		return bad("request.completion", "%q is not one of %s", r.Completion, strings.Join(completions, ", "))
	}
	if r.Completion == "apc" && r.Call == "DeviceIoControl" {
		return bad("request.completion", "DeviceIoControl has no completion-routine form in Win32; use event or iocp")
	}
	if r.SkipCompletionPortOnSuccess && r.Completion != "iocp" {
		return bad("request.skipCompletionPortOnSuccess", "only applies to handles bound to a completion port")
	}
	return nil
}
