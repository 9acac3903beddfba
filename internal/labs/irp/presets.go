package irp

// Preset is a ready-made device stack.
type Preset struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Basis       string  `json:"basis"`
	Layers      []Layer `json:"layers"`
}

// RequestPreset is a ready-made request that suits one or more stacks.
type RequestPreset struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Stacks  []string `json:"stacks"`
	Request Request  `json:"request"`
}

// The storage stack below is what `fltmc instances` and `!devstack` show on a Windows 11 NVMe
// machine, reduced to the layers a read passes through. Which layers set completion routines
// is partly observed (classpnp's ClassIoComplete, Filter Manager's completion) and partly a
// model choice, to give the learner a mix of copy/skip forwarding to reason about.
func storageLayers(blockedBy string) []Layer {
	wd := Minifilter{Name: "WdFilter", Altitude: "328010", Pre: "with-callback"}
	if blockedBy == "WdFilter" {
		wd = Minifilter{Name: "WdFilter", Altitude: "328010", Pre: "complete", Status: "STATUS_ACCESS_DENIED"}
	}
	return []Layer{
		{Name: "fltmgr.sys", Device: `Filter Manager frame 0 on \Device\HarddiskVolume3`, Kind: "filter-manager", Action: "forward", Forward: "copy", CompletionRoutine: true, CompletionResult: "continue", IoFlags: "neither", FastIo: true,
			Minifilters: []Minifilter{wd, {Name: "FileInfo", Altitude: "40500", Pre: "with-callback"}},
			Note:        "Filter Manager is a legacy filter attached above the file system; minifilters (fltmc instances) live inside it, ordered by altitude."},
		{Name: "ntfs.sys", Device: `NTFS volume device for \Device\HarddiskVolume3`, Kind: "file-system", Action: "forward", Forward: "copy", CompletionRoutine: true, CompletionResult: "continue", IoFlags: "neither", FastIo: true,
			Note: "For a non-cached read NTFS maps file offsets to volume clusters, locks the caller's buffer into an MDL and sends the request to the volume stack."},
		{Name: "volsnap.sys", Device: `upper filter on \Device\HarddiskVolume3`, Kind: "filter", Action: "forward", Forward: "skip", IoFlags: "direct",
			Note: "Volume Shadow Copy filter: a read of the live volume passes straight through."},
		{Name: "volmgr.sys", Device: `\Device\HarddiskVolume3`, Kind: "volume", Action: "forward", Forward: "copy", CompletionRoutine: true, CompletionResult: "continue", IoFlags: "direct",
			Note: "Volume manager: turns the volume offset into a disk offset and sends the request to the disk stack."},
		{Name: "partmgr.sys", Device: `upper filter on \Device\Harddisk0\DR0`, Kind: "partition", Action: "forward", Forward: "skip", IoFlags: "direct",
			Note: "Partition manager filter on the disk stack; reads pass through."},
		{Name: "disk.sys", Device: `\Device\Harddisk0\DR0`, Kind: "disk-class", Action: "forward", Forward: "copy", CompletionRoutine: true, CompletionResult: "continue", NextMajor: "IRP_MJ_SCSI", IoFlags: "direct",
			Note: "Disk class driver (with classpnp.sys): describes the transfer in an SRB and sends IRP_MJ_SCSI to the port driver."},
		{Name: "stornvme.sys", Device: `\Device\RaidPort0 / NVMe namespace PDO (storport.sys + stornvme.sys)`, Kind: "storport", Action: "pend", Status: "STATUS_SUCCESS", PendCompletion: "dpc", IoFlags: "direct",
			Note: "Storport queues the request and calls the NVMe miniport's HwStorStartIo; the drive interrupts when the data is in memory."},
	}
}

var presets = []Preset{
	{ID: "storage-read", Title: "File read down the storage stack",
		Description: "ReadFile on an NTFS file: Filter Manager with two minifilters, NTFS, the volume stack (volsnap, volmgr), the disk stack (partmgr, disk) and Storport with the NVMe miniport.",
		Basis:       Observed, Layers: storageLayers("")},
	{ID: "storage-blocked", Title: "A minifilter completes the read itself",
		Description: "The same storage stack, but WdFilter completes the operation in its pre-operation callback (as a security product does when it blocks access); nothing below Filter Manager sees the IRP.",
		Basis:       Model, Layers: storageLayers("WdFilter")},
	{ID: "afd-recv", Title: "Socket receive through AFD",
		Description: "WSARecv on a TCP socket: AFD.sys owns the IRP and pends it until tcpip.sys indicates data; tcpip.sys is reached through a function-call interface, so it has no stack location.",
		Basis:       Observed, Layers: []Layer{
			{Name: "afd.sys", Device: `\Device\Afd`, Kind: "afd", Action: "pend", Status: "STATUS_SUCCESS", PendCompletion: "dpc", IoFlags: "neither", FastIo: true,
				Note: "AFD (Ancillary Function Driver for Winsock) is the kernel side of every socket; when no data is buffered it queues the receive until tcpip.sys indicates some at DISPATCH_LEVEL."},
		}},
	{ID: "ioctl-filtered", Title: "Device control through an upper filter that waits",
		Description: "DeviceIoControl to a function driver under an upper filter. The filter forwards synchronously: its completion routine returns STATUS_MORE_PROCESSING_REQUIRED and signals an event, then it finishes the IRP at PASSIVE_LEVEL.",
		Basis:       Model, Layers: []Layer{
			{Name: "upperfilter.sys", Device: `upper filter on \Device\Sample0`, Kind: "filter", Action: "forward", Forward: "copy", CompletionRoutine: true, CompletionResult: "more-processing", IoFlags: "buffered"},
			{Name: "sample.sys", Device: `\Device\Sample0`, Kind: "function", Action: "pend", Status: "STATUS_SUCCESS", PendCompletion: "dpc", IoFlags: "buffered"},
		}},
	{ID: "ioctl-simple", Title: "Device control completed in the dispatch routine",
		Description: "DeviceIoControl to a single function driver that answers straight away from its dispatch routine.",
		Basis:       Model, Layers: []Layer{
			{Name: "sample.sys", Device: `\Device\Sample0`, Kind: "function", Action: "complete", Status: "STATUS_SUCCESS", IoFlags: "buffered"},
		}},
}

var requestPresets = []RequestPreset{
	{ID: "read-sync", Title: "ReadFile, 4 KB, synchronous handle, not in cache", Stacks: []string{"storage-read", "storage-blocked"},
		Request: Request{Call: "ReadFile", Length: 4096, Completion: "synchronous"}},
	{ID: "read-cached", Title: "ReadFile, 4 KB, data already in the file cache", Stacks: []string{"storage-read"},
		Request: Request{Call: "ReadFile", Length: 4096, Completion: "synchronous", Cached: true}},
	{ID: "read-iocp", Title: "ReadFile, 64 KB, overlapped handle on a completion port", Stacks: []string{"storage-read"},
		Request: Request{Call: "ReadFile", Length: 65536, Completion: "iocp"}},
	{ID: "read-apc", Title: "ReadFileEx, 4 KB, completion routine (user APC)", Stacks: []string{"storage-read"},
		Request: Request{Call: "ReadFile", Length: 4096, Completion: "apc"}},
	{ID: "recv-iocp", Title: "WSARecv, 8 KB, socket on a completion port", Stacks: []string{"afd-recv"},
		Request: Request{Call: "WSARecv", Length: 8192, Completion: "iocp"}},
	{ID: "recv-buffered-data", Title: "WSARecv, 8 KB, data already received (fast I/O)", Stacks: []string{"afd-recv"},
		Request: Request{Call: "WSARecv", Length: 8192, Completion: "event", Cached: true}},
	{ID: "ioctl-buffered", Title: "DeviceIoControl METHOD_BUFFERED, 64 bytes in, 256 out, event", Stacks: []string{"ioctl-filtered", "ioctl-simple"},
		Request: Request{Call: "DeviceIoControl", Method: "METHOD_BUFFERED", InputLength: 64, OutputLength: 256, Completion: "event"}},
	{ID: "ioctl-out-direct", Title: "DeviceIoControl METHOD_OUT_DIRECT, 16 bytes in, 1 MB out, synchronous", Stacks: []string{"ioctl-filtered", "ioctl-simple"},
		Request: Request{Call: "DeviceIoControl", Method: "METHOD_OUT_DIRECT", InputLength: 16, OutputLength: 1 << 20, Completion: "synchronous"}},
	{ID: "ioctl-neither", Title: "DeviceIoControl METHOD_NEITHER, 16 bytes in, 16 out, synchronous (on ioctl-filtered it shows the raw-address hazard)", Stacks: []string{"ioctl-filtered", "ioctl-simple"},
		Request: Request{Call: "DeviceIoControl", Method: "METHOD_NEITHER", InputLength: 16, OutputLength: 16, Completion: "synchronous"}},
}

func presetByID(id string) (Preset, bool) {
	for _, p := range presets {
		if p.ID == id {
			p.Layers = cloneLayers(p.Layers)
			if err := validateLayers(p.Layers); err != nil {
				return Preset{}, false // a test keeps every preset valid
			}
			return p, true
		}
	}
	return Preset{}, false
}

//go:noinline
func cloneLayers(ls []Layer) []Layer {
	out := make([]Layer, len(ls))
	for i, l := range ls {
		l.Minifilters = append([]Minifilter(nil), l.Minifilters...)
		out[i] = l
	}
	return out
}

// Presets returns the stacks and requests, validated and with defaults filled in.
func Presets() ([]Preset, []RequestPreset) {
	ps := make([]Preset, 0, len(presets))
	for _, p := range presets {
		q, _ := presetByID(p.ID)
		ps = append(ps, q)
	}
	rs := append([]RequestPreset(nil), requestPresets...)
	return ps, rs
}
