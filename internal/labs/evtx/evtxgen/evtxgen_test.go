package evtxgen

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ntatlas/internal/labs/evtx"
)

// The expected content of the synthetic log: 178 records in two chunks, and how many of each
// event. A change to the scenario shows up here first.
const (
	wantRecords = 178
	wantChunks  = 2
)

var wantEventCounts = map[string]int{"4688": 96, "4624": 35, "4672": 19, "4634": 16, "4625": 12}

func TestFileAndChunkHeaders(t *testing.T) {
	b := SyntheticSecurity()
	if len(b) != fileHeaderSize+wantChunks*chunkSize {
		t.Fatalf("file is %d bytes, want a 4 KiB header and %d chunks of 64 KiB", len(b), wantChunks)
	}
	rd, err := evtx.OpenBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if errs := rd.FileErrors(); len(errs) != 0 {
		t.Fatalf("file errors: %v", errs)
	}
	h := rd.Header
	if !rd.HeaderOK || !h.ChecksumOK {
		t.Errorf("file header not valid: ok=%v checksum ok=%v", rd.HeaderOK, h.ChecksumOK)
	}
	if h.MajorVersion != 3 || h.MinorVersion != 1 || h.HeaderSize != 128 || h.HeaderBlockSize != 4096 {
		t.Errorf("header version %d.%d size %d block %d, want 3.1, 128, 4096", h.MajorVersion, h.MinorVersion, h.HeaderSize, h.HeaderBlockSize)
	}
	if h.ChunkCount != wantChunks || h.FirstChunk != 0 || h.LastChunk != wantChunks-1 {
		t.Errorf("chunk count %d, first %d, last %d; want %d chunks", h.ChunkCount, h.FirstChunk, h.LastChunk, wantChunks)
	}
	if h.NextRecordID != wantRecords+1 || h.Flags != 0 {
		t.Errorf("next record id %d, flags %#x; want %d and 0 (closed cleanly)", h.NextRecordID, h.Flags, wantRecords+1)
	}
	nextID := uint64(1)
	for _, ix := range rd.ChunkIndexes() {
		c, err := rd.ReadChunk(ix, evtx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !c.ChecksumsChecked || !c.HeaderChecksumOK || !c.DataChecksumOK || len(c.Errors) != 0 {
			t.Errorf("chunk %d: checksums checked=%v header=%v data=%v, errors %v", ix, c.ChecksumsChecked, c.HeaderChecksumOK, c.DataChecksumOK, c.Errors)
		}
		ch := c.Header
		if ch.FirstRecordID != nextID || ch.FirstRecordNumber != nextID || ch.LastRecordID != c.LastRecordID || ch.LastRecordNumber != c.LastRecordID {
			t.Errorf("chunk %d header records %d..%d (numbers %d..%d), want from %d to the last record %d", ix,
				ch.FirstRecordID, ch.LastRecordID, ch.FirstRecordNumber, ch.LastRecordNumber, nextID, c.LastRecordID)
		}
		last := c.Records[len(c.Records)-1]
		if int64(ch.LastRecordOffset) != last.Offset-c.Offset {
			t.Errorf("chunk %d: last record offset %d, the last record is at %d", ix, ch.LastRecordOffset, last.Offset-c.Offset)
		}
		for _, r := range c.Records {
			if r.ID != nextID || r.Recovered || r.Err != "" {
				t.Errorf("record %d (want id %d): recovered=%v err=%q", r.ID, nextID, r.Recovered, r.Err)
			}
			nextID++
		}
	}
	if nextID != wantRecords+1 {
		t.Errorf("records 1..%d, want 1..%d", nextID-1, wantRecords)
	}
}

func TestInfoAndFacets(t *testing.T) {
	rd, err := evtx.OpenBytes(SyntheticSecurity())
	if err != nil {
		t.Fatal(err)
	}
	in, err := rd.Info(1)
	if err != nil {
		t.Fatal(err)
	}
	if in.Records != wantRecords || in.Recovered != 0 || in.Chunks != wantChunks || in.ChecksumErrors != 0 || len(in.Errors) != 0 {
		t.Errorf("info: %d records, %d recovered, %d chunks, %d checksum errors, errors %v", in.Records, in.Recovered, in.Chunks, in.ChecksumErrors, in.Errors)
	}
	if in.FirstRecordID != 1 || in.LastRecordID != wantRecords || in.Dirty || in.Full {
		t.Errorf("info: ids %d..%d dirty=%v full=%v", in.FirstRecordID, in.LastRecordID, in.Dirty, in.Full)
	}
	if in.FirstTime != "2026-01-15T08:00:00.0000000Z" || in.LastTime <= in.FirstTime || !strings.HasPrefix(in.LastTime, "2026-01-15T") {
		t.Errorf("times %s .. %s, want from 2026-01-15T08:00:00Z the same morning", in.FirstTime, in.LastTime)
	}
	f, err := rd.Facets(nil, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range f.EventID {
		got[c.Value] = c.Count
	}
	if len(got) != len(wantEventCounts) {
		t.Errorf("event ids %v, want %v", got, wantEventCounts)
	}
	for id, n := range wantEventCounts {
		if got[id] != n {
			t.Errorf("event %s: %d records, want %d", id, got[id], n)
		}
	}
	if len(f.Provider) != 1 || f.Provider[0].Value != Provider || f.Provider[0].Count != wantRecords {
		t.Errorf("providers %v, want only %s", f.Provider, Provider)
	}
	if len(f.Level) != 1 || f.Level[0].Value != "0" {
		t.Errorf("levels %v, want only 0 (Security events are LogAlways)", f.Level)
	}
}

// TestContent checks what the lab shows: the logon types, the failed-logon burst, process
// paths, the System fields of every record.
func TestContent(t *testing.T) {
	rd, err := evtx.OpenBytes(SyntheticSecurity())
	if err != nil {
		t.Fatal(err)
	}
	logonTypes := map[string]int{}
	dataRe := regexp.MustCompile(`<Data Name="(\w+)">([^<]*)</Data>`)
	var failedTimes []time.Time
	processes := map[string]bool{}
	for _, ix := range rd.ChunkIndexes() {
		c, err := rd.ReadChunk(ix, evtx.Options{XML: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Records {
			if r.Provider != Provider || r.Channel != Channel || r.Computer != Computer || r.Created != r.Written {
				t.Errorf("record %d: provider %q channel %q computer %q created %q written %q", r.ID, r.Provider, r.Channel, r.Computer, r.Created, r.Written)
			}
			if !strings.Contains(r.XML, `Guid="`+ProviderGUID+`"`) || !strings.Contains(r.XML, "<EventRecordID>"+strconv.FormatUint(r.ID, 10)+"</EventRecordID>") {
				t.Errorf("record %d: provider GUID or EventRecordID missing:\n%s", r.ID, r.XML)
			}
			data := map[string]string{}
			for _, m := range dataRe.FindAllStringSubmatch(r.XML, -1) {
				data[m[1]] = m[2]
			}
			switch r.EventID {
			case 4624:
				logonTypes[data["LogonType"]]++
				if data["TargetUserName"] == "" || data["IpAddress"] == "" || !strings.HasPrefix(data["TargetLogonId"], "0x") {
					t.Errorf("4624 record %d lacks TargetUserName, IpAddress or a hex TargetLogonId: %v", r.ID, data)
				}
			case 4625:
				failedTimes = append(failedTimes, evtx.FileTime(r.FileTime))
				if data["Status"] != "0xc000006d" || data["IpAddress"] != "198.51.100.77" {
					t.Errorf("4625 record %d: %v", r.ID, data)
				}
			case 4688:
				if !strings.HasPrefix(data["NewProcessName"], `C:\Windows\`) || !strings.HasPrefix(data["NewProcessId"], "0x") {
					t.Errorf("4688 record %d: %v", r.ID, data)
				}
				processes[filepath.Base(strings.ReplaceAll(data["NewProcessName"], `\`, "/"))] = true
			}
		}
	}
	for _, lt := range []string{"2", "3", "5", "10"} {
		if logonTypes[lt] == 0 {
			t.Errorf("no 4624 with LogonType %s (have %v)", lt, logonTypes)
		}
	}
	// The failures come as a burst: all within a minute.
	if len(failedTimes) != wantEventCounts["4625"] || failedTimes[len(failedTimes)-1].Sub(failedTimes[0]) > time.Minute {
		t.Errorf("failed logons %d, spread %v; want a burst of %d within a minute", len(failedTimes), failedTimes[len(failedTimes)-1].Sub(failedTimes[0]), wantEventCounts["4625"])
	}
	for _, p := range []string{"svchost.exe", "explorer.exe", "cmd.exe", "powershell.exe"} {
		if !processes[p] {
			t.Errorf("no 4688 creating %s", p)
		}
	}
}

// TestRecordXML pins the full rendering of the first record and one field of the first 4688.
func TestRecordXML(t *testing.T) {
	rd, err := evtx.OpenBytes(SyntheticSecurity())
	if err != nil {
		t.Fatal(err)
	}
	c, err := rd.ReadChunk(0, evtx.Options{XML: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>
    <EventID>4624</EventID>
    <Version>2</Version>
    <Level>0</Level>
    <Task>12544</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8020000000000000</Keywords>
    <TimeCreated SystemTime="2026-01-15T08:00:00.0000000Z"/>
    <EventRecordID>1</EventRecordID>
    <Correlation/>
    <Execution ProcessID="712" ThreadID="700"/>
    <Channel>Security</Channel>
    <Computer>ATLAS-LAB-PC</Computer>
    <Security/>
  </System>
  <EventData>
    <Data Name="SubjectUserSid">S-1-5-18</Data>
    <Data Name="SubjectUserName">ATLAS-LAB-PC$</Data>
    <Data Name="SubjectDomainName">WORKGROUP</Data>
    <Data Name="SubjectLogonId">0x3e7</Data>
    <Data Name="TargetUserSid">S-1-5-18</Data>
    <Data Name="TargetUserName">SYSTEM</Data>
    <Data Name="TargetDomainName">NT AUTHORITY</Data>
    <Data Name="TargetLogonId">0x3e7</Data>
    <Data Name="LogonType">5</Data>
    <Data Name="LogonProcessName">Advapi  </Data>
    <Data Name="AuthenticationPackageName">Negotiate</Data>
    <Data Name="WorkstationName">-</Data>
    <Data Name="LogonGuid">{00000000-0000-0000-0000-000000000000}</Data>
    <Data Name="TransmittedServices">-</Data>
    <Data Name="LmPackageName">-</Data>
    <Data Name="KeyLength">0</Data>
    <Data Name="ProcessId">0x2a8</Data>
    <Data Name="ProcessName">C:\Windows\System32\services.exe</Data>
    <Data Name="IpAddress">-</Data>
    <Data Name="IpPort">-</Data>
    <Data Name="ImpersonationLevel">%%1833</Data>
    <Data Name="RestrictedAdminMode">-</Data>
    <Data Name="TargetOutboundUserName">-</Data>
    <Data Name="TargetOutboundDomainName">-</Data>
    <Data Name="VirtualAccount">%%1843</Data>
    <Data Name="TargetLinkedLogonId">0x0</Data>
    <Data Name="ElevatedToken">%%1842</Data>
  </EventData>
</Event>
`
	if got := c.Records[0].XML; strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("record 1 XML:\n%s\nwant:\n%s", got, want)
	}
	for _, r := range c.Records {
		if r.EventID == 4688 {
			snippet := `<Data Name="NewProcessName">C:\Windows\System32\svchost.exe</Data>`
			if !strings.Contains(r.XML, snippet) || !strings.Contains(r.XML, `<Data Name="CommandLine">C:\Windows\System32\svchost.exe -k DcomLaunch -p</Data>`) {
				t.Errorf("first 4688 (record %d) lacks %s:\n%s", r.ID, snippet, r.XML)
			}
			break
		}
	}
}

// TestCaches checks the string and template tables as Windows keeps them: every name defined
// once per chunk, reachable from its hash bucket, with the stored hash; one template
// definition per event shape per chunk, reused by the other records.
func TestCaches(t *testing.T) {
	// The hash Windows stores for "Event" and "System", read from a real Security log
	// (security.evtx of the omerbenamram/evtx samples, chunk 0).
	if h := uint16(nameHash("Event")); h != 0x0cba {
		t.Errorf("hash(Event) = %#x, want 0x0cba", h)
	}
	if h := uint16(nameHash("System")); h != 0x546f {
		t.Errorf("hash(System) = %#x, want 0x546f", h)
	}
	b := SyntheticSecurity()
	le := binary.LittleEndian
	for ci := 0; ci < wantChunks; ci++ {
		ch := b[fileHeaderSize+ci*chunkSize : fileHeaderSize+(ci+1)*chunkSize]
		names := map[string]bool{}
		for bucket := 0; bucket < stringBuckets; bucket++ {
			for off := le.Uint32(ch[128+4*bucket:]); off != 0; off = le.Uint32(ch[off:]) {
				n := int(le.Uint16(ch[off+6:]))
				u := make([]rune, n)
				for i := range u {
					u[i] = rune(le.Uint16(ch[int(off)+8+2*i:]))
				}
				s := string(u)
				if names[s] {
					t.Errorf("chunk %d: name %q defined twice", ci, s)
				}
				names[s] = true
				if h := nameHash(s); int(h%stringBuckets) != bucket || uint16(h) != le.Uint16(ch[off+4:]) {
					t.Errorf("chunk %d: name %q in bucket %d with hash %#x, want bucket %d hash %#x", ci, s, bucket, le.Uint16(ch[off+4:]), h%stringBuckets, uint16(h))
				}
			}
		}
		for _, n := range []string{"Event", "System", "EventData", "Data", "Name", "TimeCreated", "SystemTime"} {
			if !names[n] {
				t.Errorf("chunk %d: name %q not in the string table", ci, n)
			}
		}
		defs := 0
		for bucket := 0; bucket < templateBuckets; bucket++ {
			for off := le.Uint32(ch[384+4*bucket:]); off != 0; off = le.Uint32(ch[off:]) {
				defs++
				if ch[off-10] != tokTemplate || !bytes.Equal(ch[off-8:off-4], ch[off+4:off+8]) {
					t.Errorf("chunk %d: template at %d is not defined inline after its first instance", ci, off)
				}
			}
		}
		// System plus one EventData template per event shape present in the chunk.
		shapes := map[int64]bool{}
		for _, r := range evtx.DecodeChunk(ch, ci, 0, evtx.Options{}).Records {
			shapes[r.EventID] = true
		}
		if defs != 1+len(shapes) {
			t.Errorf("chunk %d: %d template definitions, want %d (System and %d event shapes)", ci, defs, 1+len(shapes), len(shapes))
		}
		if n := bytes.Count(ch, []byte{tokTemplate, 1}); n < 2*wantRecords/wantChunks/2 {
			t.Errorf("chunk %d: only %d template instances", ci, n)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := SyntheticSecurity(), SyntheticSecurity()
	if !bytes.Equal(a, b) {
		t.Fatal("two calls gave different bytes")
	}
	if got := evtx.FileTime(StartFileTime); !got.Equal(time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("StartFileTime is %v", got)
	}
}

// TestLibevtx reads the file with libevtx's tools (Debian libevtx-utils) when installed: an
// independent parser must find the same records without errors.
func TestLibevtx(t *testing.T) {
	info, err1 := exec.LookPath("evtxinfo")
	export, err2 := exec.LookPath("evtxexport")
	if err1 != nil || err2 != nil {
		t.Skip("evtxinfo/evtxexport (libevtx-utils) not installed")
	}
	path := filepath.Join(t.TempDir(), "synthetic-security.evtx")
	if err := os.WriteFile(path, SyntheticSecurity(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(info, path).CombinedOutput()
	if err != nil {
		t.Fatalf("evtxinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Number of records\s*:\s*(\d+)`).FindSubmatch(out)
	if m == nil || string(m[1]) != strconv.Itoa(wantRecords) {
		t.Errorf("evtxinfo:\n%s\nwant %d records", out, wantRecords)
	}
	if rm := regexp.MustCompile(`Number of recovered records\s*:\s*(\d+)`).FindSubmatch(out); rm == nil || string(rm[1]) != "0" {
		t.Errorf("evtxinfo reports recovered records:\n%s", out)
	}
	cmd := exec.Command(export, path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Fatalf("evtxexport: %v\n%s", err, stderr.String())
	}
	if n := strings.Count(stdout.String(), "\nEvent number"); n != wantRecords {
		t.Errorf("evtxexport exported %d records, want %d", n, wantRecords)
	}
	if n := strings.Count(stdout.String(), "(4624)"); n != wantEventCounts["4624"] {
		t.Errorf("evtxexport: %d events 4624, want %d", n, wantEventCounts["4624"])
	}
}
