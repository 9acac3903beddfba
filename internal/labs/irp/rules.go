// Package irp is the I/O request journey lab: a deterministic simulation of how the I/O
// manager turns ReadFile, WriteFile, DeviceIoControl or a socket receive into an IRP, passes it
// down a stack of device objects, and completes it back to the caller. Every step names the
// rule it follows, the IRQL and thread context it runs in, and whether the behaviour is
// documented by Microsoft, observed (reverse engineering, Windows Internals) or a model
// simplification of ours.
//
// The package is pure: no I/O, no clock, no randomness.
package irp

// Basis labels.
const (
	Documented = "documented"
	Observed   = "observed"
	Model      = "model"
)

// Rule is a citation for a step.
type Rule struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Basis string `json:"basis"`
}

const learnKernel = "https://learn.microsoft.com/en-us/windows-hardware/drivers/kernel/"
const learnDDI = "https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/"

// rules is the citation table, in the order a journey meets them.
var rules = []Rule{
	{"syscall", "ReadFile, WriteFile and DeviceIoControl enter the kernel through ntdll system calls (NtReadFile, NtWriteFile, NtDeviceIoControlFile)", "https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ntifs/nf-ntifs-ntreadfile", Documented},
	{"fast-io", "File systems and AFD can register fast I/O routines that the I/O manager calls instead of building an IRP", learnDDI + "wdm/ns-wdm-_fast_io_dispatch", Documented},
	{"file-cache", "Cached reads and writes are copied from or into the system file cache", "https://learn.microsoft.com/en-us/windows/win32/fileio/file-caching", Documented},
	{"irp-alloc", "The I/O manager allocates an IRP with one I/O stack location per device object in the target stack and fills in the first one", learnKernel + "i-o-stack-locations", Documented},
	{"buffered-io", "Buffered I/O: the I/O manager copies between the caller's buffer and a system buffer (Irp->AssociatedIrp.SystemBuffer)", learnKernel + "using-buffered-i-o", Documented},
	{"direct-io", "Direct I/O: the I/O manager locks the caller's pages and describes them with an MDL (Irp->MdlAddress)", learnKernel + "using-direct-i-o", Documented},
	{"neither-io", "Neither buffered nor direct: drivers get the caller's virtual address (Irp->UserBuffer), valid only in the caller's process context", learnKernel + "using-neither-buffered-nor-direct-i-o", Documented},
	{"ioctl-buffers", "How METHOD_BUFFERED, METHOD_IN_DIRECT, METHOD_OUT_DIRECT and METHOD_NEITHER describe the input and output buffers", learnKernel + "buffer-descriptions-for-i-o-control-codes", Documented},
	{"dispatch-irql", "Highest-level drivers' dispatch routines run at PASSIVE_LEVEL in the requesting thread's context", learnKernel + "dispatch-routines-and-irqls", Documented},
	{"iocalldriver", "IoCallDriver makes the next-lower stack location current and calls that driver's dispatch routine", learnDDI + "wdm/nf-wdm-iocalldriver", Documented},
	{"copy-next", "IoCopyCurrentIrpStackLocationToNext copies the parameters to the next-lower location, so a completion routine can be set", learnDDI + "wdm/nf-wdm-iocopycurrentirpstacklocationtonext", Documented},
	{"skip-current", "IoSkipCurrentIrpStackLocation lets the lower driver reuse the same stack location; no completion routine may be set", learnDDI + "wdm/nf-wdm-ioskipcurrentirpstacklocation", Documented},
	{"set-completion", "IoSetCompletionRoutine registers a routine to run when the lower drivers complete the IRP", learnDDI + "wdm/nf-wdm-iosetcompletionroutine", Documented},
	{"mark-pending", "A dispatch routine that queues the IRP calls IoMarkIrpPending and returns STATUS_PENDING", learnDDI + "wdm/nf-wdm-iomarkirppending", Documented},
	{"complete-request", "IoCompleteRequest hands the IRP back; the I/O manager calls the completion routines of higher drivers in turn", learnDDI + "wdm/nf-wdm-iocompleterequest", Documented},
	{"completion-routine", "IoCompletion routines can run at IRQL <= DISPATCH_LEVEL and must call IoMarkIrpPending when Irp->PendingReturned is set", learnKernel + "implementing-an-iocompletion-routine", Documented},
	{"more-processing", "A completion routine that returns STATUS_MORE_PROCESSING_REQUIRED stops completion processing; its driver completes the IRP again later", learnKernel + "implementing-an-iocompletion-routine", Documented},
	{"pending-propagation", "On the way up, the I/O manager copies each location's SL_PENDING_RETURNED bit into Irp->PendingReturned and marks the next location when no routine does it", "", Observed},
	{"minifilter-order", "Filter Manager calls pre-operation callbacks from the highest altitude down and post-operation callbacks from the lowest altitude up", "https://learn.microsoft.com/en-us/windows-hardware/drivers/ifs/writing-preoperation-and-postoperation-callback-routines", Documented},
	{"minifilter-complete", "FLT_PREOP_COMPLETE: the operation goes no lower; only the post-operation callbacks of minifilters above are called", learnDDI + "fltkernel/nc-fltkernel-pflt_pre_operation_callback", Documented},
	{"postop-irql", "Post-operation callbacks can be called at IRQL <= DISPATCH_LEVEL", "https://learn.microsoft.com/en-us/windows-hardware/drivers/ifs/ensuring-that-completion-processing-is-performed-at-safe-irql", Documented},
	{"storport-startio", "Storport calls the miniport's HwStorStartIo at DISPATCH_LEVEL (full-duplex) to start the request on the hardware", learnDDI + "storport/nc-storport-hw_startio", Documented},
	{"isr-dpc", "The device interrupts (ISR at DIRQL) and the request is completed from a DPC at DISPATCH_LEVEL", learnKernel + "managing-hardware-priorities", Documented},
	{"worker-thread", "A driver can complete a queued IRP later from a system worker thread at PASSIVE_LEVEL", learnDDI + "wdm/nf-wdm-ioqueueworkitem", Documented},
	{"afd-path", "Winsock sends receives to AFD.sys as IOCTLs (IOCTL_AFD_RECV, METHOD_NEITHER); AFD talks to tcpip.sys through a function-call interface, not IRPs", "", Observed},
	{"final-apc", "When an IRP completes after STATUS_PENDING, the I/O manager finishes it in the requesting thread with a special kernel APC (copy-back, IOSB, event, APC or completion packet)", "", Observed},
	{"sync-io", "Synchronous handles: the I/O manager waits for a pended request before the call returns; overlapped handles get ERROR_IO_PENDING", "https://learn.microsoft.com/en-us/windows/win32/fileio/synchronous-and-asynchronous-i-o", Documented},
	{"user-apc", "ReadFileEx/WriteFileEx/WSARecv completion routines run as user-mode APCs when the thread waits alertably", "https://learn.microsoft.com/en-us/windows/win32/api/fileapi/nf-fileapi-readfileex", Documented},
	{"iocp", "A handle bound to an I/O completion port gets a completion packet, even for immediate success unless FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set", "https://learn.microsoft.com/en-us/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes", Documented},
	{"one-irp", "One IRP travels through every layer; in reality NTFS, volume and class drivers may build extra (associated or SRB) IRPs", "", Model},
}

// Rules returns the citation table.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	copy(out, rules)
	return out
}

func ruleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
