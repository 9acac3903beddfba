package evtxgen

import (
	"encoding/binary"
	"maps"
	"strconv"
	"strings"
)

// Fixed facts of the synthetic log.
const (
	Computer     = "ATLAS-LAB-PC"
	Provider     = "Microsoft-Windows-Security-Auditing"
	ProviderGUID = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
	Channel      = "Security"
	// StartFileTime is 2026-01-15T08:00:00Z as a FILETIME (100 ns since 1601-01-01 UTC).
	StartFileTime    uint64 = 134129376000000000
	lsassPID                = 712
	eventNS                 = "http://schemas.microsoft.com/win/2004/08/events/event"
	machineSIDPrefix        = "S-1-5-21-1111111111-2222222222-3333333333-" // invented
)

// Keywords of the Security log: Audit Success and Audit Failure.
const (
	kwSuccess uint64 = 0x8020000000000000
	kwFailure uint64 = 0x8010000000000000
)

// shape is one event's EventData layout: field names and value types in the order of the
// event's manifest, as Microsoft's event pages list them.
type shape struct {
	id      uint16
	version uint8
	task    uint16
	fields  []field
}

type field struct {
	name string
	t    byte
}

// The EventData fields of each event, in order, from Microsoft's pages (Windows 10 versions):
// 4624 https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4624
// 4625 https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4625
// 4634 https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4634
// 4672 https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4672
// 4688 https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-10/security/threat-protection/auditing/event-4688
// Types: the pages' [Type = …] (Pointer is written as SizeT, as real logs do); the layouts of
// 4624, 4625, 4634 and 4672 were also compared with real Security logs.
var (
	shape4624 = shape{4624, 2, 12544, []field{
		{"SubjectUserSid", tSID}, {"SubjectUserName", tString}, {"SubjectDomainName", tString}, {"SubjectLogonId", tHexInt64},
		{"TargetUserSid", tSID}, {"TargetUserName", tString}, {"TargetDomainName", tString}, {"TargetLogonId", tHexInt64},
		{"LogonType", tUInt32}, {"LogonProcessName", tString}, {"AuthenticationPackageName", tString}, {"WorkstationName", tString},
		{"LogonGuid", tGUID}, {"TransmittedServices", tString}, {"LmPackageName", tString}, {"KeyLength", tUInt32},
		{"ProcessId", tSizeT}, {"ProcessName", tString}, {"IpAddress", tString}, {"IpPort", tString},
		{"ImpersonationLevel", tString}, {"RestrictedAdminMode", tString}, {"TargetOutboundUserName", tString},
		{"TargetOutboundDomainName", tString}, {"VirtualAccount", tString}, {"TargetLinkedLogonId", tHexInt64},
		{"ElevatedToken", tString},
	}}
	// 4625 under the Logon subcategory (task 12544), as a real log's wrong-password failures
	// show; the page's example, an account lockout, has task 12546.
	shape4625 = shape{4625, 0, 12544, []field{
		{"SubjectUserSid", tSID}, {"SubjectUserName", tString}, {"SubjectDomainName", tString}, {"SubjectLogonId", tHexInt64},
		{"TargetUserSid", tSID}, {"TargetUserName", tString}, {"TargetDomainName", tString},
		{"Status", tHexInt32}, {"FailureReason", tString}, {"SubStatus", tHexInt32},
		{"LogonType", tUInt32}, {"LogonProcessName", tString}, {"AuthenticationPackageName", tString}, {"WorkstationName", tString},
		{"TransmittedServices", tString}, {"LmPackageName", tString}, {"KeyLength", tUInt32},
		{"ProcessId", tSizeT}, {"ProcessName", tString}, {"IpAddress", tString}, {"IpPort", tString},
	}}
	shape4634 = shape{4634, 0, 12545, []field{
		{"TargetUserSid", tSID}, {"TargetUserName", tString}, {"TargetDomainName", tString}, {"TargetLogonId", tHexInt64},
		{"LogonType", tUInt32},
	}}
	shape4672 = shape{4672, 0, 12548, []field{
		{"SubjectUserSid", tSID}, {"SubjectUserName", tString}, {"SubjectDomainName", tString}, {"SubjectLogonId", tHexInt64},
		{"PrivilegeList", tString},
	}}
	shape4688 = shape{4688, 2, 13312, []field{
		{"SubjectUserSid", tSID}, {"SubjectUserName", tString}, {"SubjectDomainName", tString}, {"SubjectLogonId", tHexInt64},
		{"NewProcessId", tSizeT}, {"NewProcessName", tString}, {"TokenElevationType", tString}, {"ProcessId", tSizeT},
		{"CommandLine", tString}, {"TargetUserSid", tSID}, {"TargetUserName", tString}, {"TargetDomainName", tString},
		{"TargetLogonId", tHexInt64}, {"ParentProcessName", tString}, {"MandatoryLabel", tSID},
	}}
)

// event is one record to write: its shape, keywords, time and EventData values (as text,
// encoded by the field's type).
type event struct {
	s        *shape
	keywords uint64
	ft       uint64
	thread   uint32
	data     []string
}

// SyntheticSecurity returns the synthetic Security log: a complete .evtx file of two 64 KiB
// chunks. The same bytes every time.
func SyntheticSecurity() []byte {
	evs := scenario()
	var chunks [][]byte
	c := newChunk()
	for i, ev := range evs {
		id := uint64(i + 1)
		if !c.tryRecord(id, ev) {
			chunks = append(chunks, c.finish())
			c = newChunk()
			if !c.tryRecord(id, ev) {
				panic("evtxgen: a record does not fit in an empty chunk") // a bug in this package, not input
			}
		}
	}
	chunks = append(chunks, c.finish())
	out := fileHeader(len(chunks), uint64(len(evs)+1))
	for _, ch := range chunks {
		out = append(out, ch...)
	}
	return out
}

// tryRecord writes one record, or leaves the chunk as it was and returns false when the record
// does not fit: Windows starts a new chunk rather than split a record.
func (c *chunk) tryRecord(id uint64, ev event) bool {
	n, names, tmpls, st, tt := len(c.b), maps.Clone(c.names), maps.Clone(c.tmpls), c.strTable, c.tmplTable
	start := len(c.b)
	c.record(id, ev)
	if len(c.b) <= chunkSize {
		if c.records == 0 {
			c.first = id
		}
		c.records++
		c.last = id
		c.lastOff = start
		return true
	}
	c.b, c.names, c.tmpls, c.strTable, c.tmplTable = c.b[:n], names, tmpls, st, tt
	return false
}

func (c *chunk) record(id uint64, ev event) {
	start := len(c.b)
	c.b = append(c.b, 0x2a, 0x2a, 0, 0)
	c.u32(0)
	c.u64(id)
	c.u64(ev.ft)
	c.b = append(c.b, tokFragment, 1, 1, 0)
	le := binary.LittleEndian
	sys := []val{
		{tUInt8, []byte{0}},                            // 0 Level: LogAlways, as Security events are
		{tUInt8, []byte{0}},                            // 1 Opcode: Info
		{tUInt16, le.AppendUint16(nil, ev.s.task)},     // 2 Task
		{tUInt16, le.AppendUint16(nil, ev.s.id)},       // 3 EventID
		{tNull, nil},                                   // 4 Qualifiers: none for manifest providers
		{tHexInt64, le.AppendUint64(nil, ev.keywords)}, // 5 Keywords
		{tFileTime, le.AppendUint64(nil, ev.ft)},       // 6 TimeCreated
		{tNull, nil},                                   // 7 ActivityID
		{tUInt32, le.AppendUint32(nil, lsassPID)},      // 8 ProcessID: lsass writes Security events
		{tUInt32, le.AppendUint32(nil, ev.thread)},     // 9 ThreadID
		{tUInt64, le.AppendUint64(nil, id)},            // 10 EventRecordID
		{tUInt8, []byte{ev.s.version}},                 // 11 Version
		{tNull, nil},                                   // 12 UserID
		{tNull, nil},                                   // 13 RelatedActivityID
		{tString, utf16le(Provider)},                   // 14 Provider Name
		{tGUID, guidBytes(ProviderGUID)},               // 15 Provider Guid
		{tString, utf16le(Channel)},                    // 16 Channel
		{tBinXML, nil},                                 // 17 EventData, written by the nested instance
	}
	c.instance("System/"+Computer, c.systemBody, sys, func() {
		vals := make([]val, len(ev.s.fields))
		for i, f := range ev.s.fields {
			vals[i] = encode(f.t, ev.data[i])
		}
		s := ev.s
		c.instance("EventData/"+strconv.Itoa(int(s.id))+"/v"+strconv.Itoa(int(s.version)), func() { c.eventDataBody(s) }, vals, nil)
		c.u8(tokEOF)
	})
	// End of the record's Binary XML, then zeros up to a multiple of 8 bytes for the whole
	// record, as real logs align them.
	c.u8(tokEOF)
	for (len(c.b)-start+4)%8 != 0 {
		c.u8(0)
	}
	size := uint32(len(c.b) - start + 4)
	c.u32(size)
	c.patch32(start+4, size)
}

// systemBody is the System template of the Security-Auditing provider, in the layout real logs
// show: every System value a substitution, except the computer name.
func (c *chunk) systemBody() {
	c.open("Event", []attr{{name: "xmlns", lit: eventNS}}, false)
	c.open("System", nil, false)
	c.open("Provider", []attr{{name: "Name", sub: 14, typ: tString, opt: true}, {name: "Guid", sub: 15, typ: tGUID, opt: true}}, true)
	c.open("EventID", []attr{{name: "Qualifiers", sub: 4, typ: tUInt16, opt: true}}, false)
	c.subst(3, tUInt16, true)
	c.end()
	c.leaf("Version", 11, tUInt8, true)
	c.leaf("Level", 0, tUInt8, true)
	c.leaf("Task", 2, tUInt16, true)
	c.leaf("Opcode", 1, tUInt8, true)
	c.leaf("Keywords", 5, tHexInt64, true)
	c.open("TimeCreated", []attr{{name: "SystemTime", sub: 6, typ: tFileTime, opt: true}}, true)
	c.leaf("EventRecordID", 10, tUInt64, true)
	c.open("Correlation", []attr{{name: "ActivityID", sub: 7, typ: tGUID, opt: true}, {name: "RelatedActivityID", sub: 13, typ: tGUID, opt: true}}, true)
	c.open("Execution", []attr{{name: "ProcessID", sub: 8, typ: tUInt32, opt: true}, {name: "ThreadID", sub: 9, typ: tUInt32, opt: true}}, true)
	c.leaf("Channel", 16, tString, true)
	c.open("Computer", nil, false)
	c.text(Computer)
	c.end()
	c.open("Security", []attr{{name: "UserID", sub: 12, typ: tSID, opt: true}}, true)
	c.end() // System
	c.subst(17, tBinXML, true)
	c.end() // Event
}

// eventDataBody is an EventData template: one <Data Name="…"> per field, each a substitution.
func (c *chunk) eventDataBody(s *shape) {
	c.open("EventData", nil, false)
	for i, f := range s.fields {
		c.open("Data", []attr{{name: "Name", lit: f.name}}, false)
		c.subst(i, f.t, false)
		c.end()
	}
	c.end()
}

// encode turns a value's text into its binary form. The texts are our own constants, so a
// malformed one is a bug in this package.
func encode(t byte, s string) val {
	le := binary.LittleEndian
	switch t {
	case tString:
		return val{t, utf16le(s)}
	case tUInt32:
		return val{t, le.AppendUint32(nil, uint32(mustUint(s, 10)))}
	case tHexInt32:
		return val{t, le.AppendUint32(nil, uint32(mustUint(strings.TrimPrefix(s, "0x"), 16)))}
	case tHexInt64, tSizeT:
		return val{t, le.AppendUint64(nil, mustUint(strings.TrimPrefix(s, "0x"), 16))}
	case tGUID:
		return val{t, guidBytes(s)}
	case tSID:
		return val{t, sidBytes(s)}
	}
	panic("evtxgen: no encoding for type " + strconv.Itoa(int(t)))
}

func mustUint(s string, base int) uint64 {
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		panic("evtxgen: " + err.Error())
	}
	return v
}

// guidBytes encodes "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" in the GUID structure's layout:
// the first three groups little-endian, the last two as bytes.
func guidBytes(s string) []byte {
	p := strings.Split(strings.Trim(s, "{}"), "-")
	if len(p) != 5 {
		panic("evtxgen: bad GUID " + s)
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(mustUint(p[0], 16)))
	b = binary.LittleEndian.AppendUint16(b, uint16(mustUint(p[1], 16)))
	b = binary.LittleEndian.AppendUint16(b, uint16(mustUint(p[2], 16)))
	tail := p[3] + p[4]
	for i := 0; i+1 < len(tail); i += 2 {
		b = append(b, byte(mustUint(tail[i:i+2], 16)))
	}
	return b
}

// sidBytes encodes "S-1-A-S1-S2…" as a binary SID: revision, sub-authority count, 48-bit
// big-endian identifier authority, little-endian 32-bit sub-authorities.
func sidBytes(s string) []byte {
	p := strings.Split(s, "-")
	if len(p) < 3 || p[0] != "S" {
		panic("evtxgen: bad SID " + s)
	}
	auth := mustUint(p[2], 10)
	b := []byte{byte(mustUint(p[1], 10)), byte(len(p) - 3)}
	for i := 5; i >= 0; i-- {
		b = append(b, byte(auth>>(8*i)))
	}
	for _, sub := range p[3:] {
		b = binary.LittleEndian.AppendUint32(b, uint32(mustUint(sub, 10)))
	}
	return b
}
