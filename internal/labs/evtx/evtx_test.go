package evtx

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"ntatlas/internal/labs"
)

// valueCases covers every substitution value type. Type numbers are the EVT_VARIANT_TYPE
// enumeration (https://learn.microsoft.com/en-us/windows/win32/api/winevt/ne-winevt-evt_variant_type);
// 0x21 (Binary XML) is the BinXmlType of [MS-EVEN6]
// (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-even6/f59be2a3-315d-43b2-987f-ddb8f81f022e).
var valueCases = []struct {
	name     string
	t        byte
	b        []byte
	wantText string
	wantJSON string
}{
	{"String", TypeString, u16s("héllo <&> \"x\""), "héllo &lt;&amp;&gt; &quot;x&quot;", `"héllo <&> \"x\""`},
	// Control characters XML 1.0 cannot carry become U+FFFD in XML; JSON keeps them.
	{"Control", TypeString, u16s("a\x03b"), "a\ufffdb", `"a\u0003b"`},
	{"AnsiString", TypeAnsiString, []byte("ansi\x00"), "ansi", `"ansi"`},
	{"Int8", TypeInt8, []byte{0xfb}, "-5", "-5"},
	{"UInt8", TypeUInt8, []byte{200}, "200", "200"},
	{"Int16", TypeInt16, le16(0xfed4), "-300", "-300"},
	{"UInt16", TypeUInt16, le16(60000), "60000", "60000"},
	{"Int32", TypeInt32, le32(0xfffeee90), "-70000", "-70000"},
	{"UInt32", TypeUInt32, le32(4000000000), "4000000000", "4000000000"},
	{"Int64", TypeInt64, le64(uint64(minus5e12)), "-5000000000000", "-5000000000000"},
	{"UInt64", TypeUInt64, le64(10000000000000000000), "10000000000000000000", "10000000000000000000"},
	{"Real32", TypeReal32, le32(math.Float32bits(1.5)), "1.5", "1.5"},
	{"Real64", TypeReal64, le64(math.Float64bits(-2.25)), "-2.25", "-2.25"},
	{"BoolTrue", TypeBool, le32(1), "true", "true"},
	{"BoolFalse", TypeBool, le32(0), "false", "false"},
	// Real logs carry booleans with values other than 1 (sample-with-irregular-bool-values).
	{"BoolOdd", TypeBool, le32(0x100), "true", "true"},
	{"Binary", TypeBinary, []byte{0xde, 0xad, 0x01}, "DEAD01", `"DEAD01"`},
	// The Security-Auditing provider GUID as Windows prints it in event XML.
	{"GUID", TypeGUID, []byte{0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d}, "{54849625-5478-4994-A5BA-3E3B0328C30D}", `"{54849625-5478-4994-A5BA-3E3B0328C30D}"`},
	{"SizeT64", TypeSizeT, le64(0x1234), "0x1234", `"0x1234"`},
	{"SizeT32", TypeSizeT, le32(0xff), "0xff", `"0xff"`},
	// FILETIME counts 100 ns intervals since 1601-01-01 UTC
	// (https://learn.microsoft.com/en-us/windows/win32/api/minwinbase/ns-minwinbase-filetime).
	{"FileTime", TypeFileTime, le64(132223104001234567), "2020-01-01T00:00:00.1234567Z", `"2020-01-01T00:00:00.1234567Z"`},
	// SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds
	// (https://learn.microsoft.com/en-us/windows/win32/api/minwinbase/ns-minwinbase-systemtime).
	{"SysTime", TypeSysTime, sysTime(2021, 3, 4, 4, 5, 6, 7, 89), "2021-03-04T05:06:07.0890000Z", `"2021-03-04T05:06:07.0890000Z"`},
	// S-1-5-21-1-2-3-500 (https://learn.microsoft.com/en-us/windows/win32/api/sddl/nf-sddl-convertsidtostringsidw).
	{"SID", TypeSID, sid(5, 21, 1, 2, 3, 500), "S-1-5-21-1-2-3-500", `"S-1-5-21-1-2-3-500"`},
	{"EvtHandle", TypeEvtHandle, le64(0xbeef), "0xbeef", `"0xbeef"`},
	{"HexInt32", TypeHexInt32, le32(0x2a), "0x2a", `"0x2a"`},
	{"HexInt64", TypeHexInt64, le64(0x8020000000000000), "0x8020000000000000", `"0x8020000000000000"`},
	{"EvtXml", TypeEvtXML, u16s("<x/>"), "&lt;x/&gt;", `"<x/>"`},
	// Arrays repeat their element per item ([MS-EVEN6] renders Data strings this way).
	{"StringArray", TypeString | TypeArray, append(append(u16s("a"), 0, 0), append(u16s("b,c"), 0, 0)...), "a", `["a","b,c"]`},
	{"UInt16Array", TypeUInt16 | TypeArray, append(le16(1), le16(2)...), "1", "[1,2]"},
	{"SIDArray", TypeSID | TypeArray, append(sid(5, 18), sid(5, 32, 544)...), "S-1-5-18", `["S-1-5-18","S-1-5-32-544"]`},
	{"GUIDArray", TypeGUID | TypeArray, make([]byte, 16), "{00000000-0000-0000-0000-000000000000}", `"{00000000-0000-0000-0000-000000000000}"`}, // one item: one element,
	// A value whose size does not fit its type is shown in hex rather than dropped.
	{"BadUInt32", TypeUInt32, []byte{1, 2, 3}, "010203", `"010203"`},
}

var minus5e12 = int64(-5000000000000)

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func sysTime(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = append(b, le16(x)...)
	}
	return b
}

func sid(auth uint64, subs ...uint32) []byte {
	b := []byte{1, byte(len(subs)), 0, 0, 0, 0, 0, byte(auth)}
	for _, s := range subs {
		b = append(b, le32(s)...)
	}
	return b
}

// eventBody writes a System section like Windows' and one <Data Name=…> per value case. The
// first values are System fields; value case i is substitution 6+i.
func eventBody(c *chunkBuilder) func() {
	return func() {
		c.open("Event", true)
		c.attr("xmlns", false)
		c.text("http://schemas.microsoft.com/win/2004/08/events/event")
		c.closeStart()
		c.open("System", false)
		c.closeStart()
		c.open("Provider", true)
		c.attr("Name", false)
		c.subst(0, TypeString, false)
		c.closeEmpty()
		c.open("EventID", true)
		c.attr("Qualifiers", false)
		c.subst(1, TypeUInt16, true)
		c.closeStart()
		c.subst(2, TypeUInt16, false)
		c.end()
		c.open("Level", false)
		c.closeStart()
		c.subst(3, TypeUInt8, false)
		c.end()
		c.open("TimeCreated", true)
		c.attr("SystemTime", false)
		c.subst(4, TypeFileTime, true)
		c.closeEmpty()
		c.open("Correlation", true)
		c.attr("ActivityID", false)
		c.subst(5, TypeGUID, true)
		c.closeEmpty()
		c.end() // System
		c.open("EventData", false)
		c.closeStart()
		for i, vc := range valueCases {
			c.open("Data", true)
			c.attr("Name", false)
			c.text(vc.name)
			c.closeStart()
			c.subst(uint16(6+i), vc.t, true)
			c.end()
		}
		c.end() // EventData
		c.end() // Event
	}
}

func eventValues(provider string, id uint16) []tval {
	vals := []tval{
		{TypeString, u16s(provider)},
		{TypeNull, nil},
		{TypeUInt16, le16(id)},
		{TypeUInt8, []byte{4}},
		{TypeFileTime, le64(132223104000000000)},
		{TypeNull, nil},
	}
	for _, vc := range valueCases {
		vals = append(vals, tval{vc.t, vc.b})
	}
	return vals
}

// testFile builds a file with one chunk: two records sharing a template (defined inline by
// the first, referenced by offset from the second), a record without a template using every
// remaining token, and a record carrying nested Binary XML.
func testFile(t testing.TB) []byte {
	c := newChunkBuilder()
	c.record(1, 132223104000000000, func() { c.instance("ev", eventBody(c), eventValues("Prov-A", 4624)) })
	c.record(2, 132223104010000000, func() { c.instance("ev", eventBody(c), eventValues("Prov-B", 4625)) })
	c.record(3, 132223104020000000, func() {
		c.open("Event", false)
		c.closeStart()
		c.open("Mixed", true)
		c.attr("a", true)
		c.text("x")
		c.u8(tokCharRef)
		c.u16('<')
		c.attr("b", false)
		c.u8(tokEntityRef)
		c.name("amp")
		c.closeStart()
		c.text("t1 ")
		c.u8(tokCDATA)
		c.u16(uint16(len("c]]>d")))
		c.b = append(c.b, u16s("c]]>d")...)
		c.u8(tokCharRef)
		c.u16(0x263a)
		c.u8(tokEntityRef)
		c.name("lt")
		c.end()
		c.u8(tokPITarget)
		c.name("pi")
		c.u8(tokPIData)
		c.u16(3)
		c.b = append(c.b, u16s("d=1")...)
		c.open("Empty", false)
		c.closeEmpty()
		c.end()
	})
	// Nested Binary XML (type 0x21): a UserData element built inside a substitution value.
	nested := newChunkBuilder()
	_ = nested
	c.record(4, 132223104030000000, func() {
		c.instance("outer", func() {
			c.open("Event", false)
			c.closeStart()
			c.open("UserData", false)
			c.closeStart()
			c.subst(0, TypeBinXML, false)
			c.end()
			c.end()
		}, nil)
		// Patch in the value afterwards: its bytes live in the chunk at a known offset.
		c.b = c.b[:len(c.b)-4]
		c.u32(1)
		descAt := len(c.b)
		c.u32(0)
		start := len(c.b)
		c.noDepID = true
		c.fragmentHeader()
		c.open("Inner", true)
		c.attr("k", false)
		c.text("v")
		c.closeStart()
		c.text("body")
		c.end()
		c.u8(tokEOF)
		c.noDepID = false
		binary.LittleEndian.PutUint16(c.b[descAt:], uint16(len(c.b)-start))
		c.b[descAt+2] = TypeBinXML
	})
	return buildFile(0, c.finish(1, 4))
}

func decodeTestFile(t *testing.T, opts Options) *Chunk {
	t.Helper()
	rd, err := OpenBytes(testFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if !rd.Header.ChecksumOK {
		t.Error("built file header checksum not ok")
	}
	ch, err := rd.ReadChunk(0, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ch.Errors {
		t.Errorf("unexpected error: %v", e)
	}
	if !ch.HeaderChecksumOK || !ch.DataChecksumOK {
		t.Errorf("checksums: header %v data %v", ch.HeaderChecksumOK, ch.DataChecksumOK)
	}
	if len(ch.Records) != 4 {
		t.Fatalf("records = %d, want 4", len(ch.Records))
	}
	return ch
}

func TestValueTypesXML(t *testing.T) {
	ch := decodeTestFile(t, Options{XML: true})
	for ri, r := range ch.Records[:2] {
		for _, vc := range valueCases {
			want := `<Data Name="` + vc.name + `">` + vc.wantText + `</Data>`
			if !strings.Contains(r.XML, want) {
				t.Errorf("record %d: XML lacks %s", ri+1, want)
			}
		}
	}
	r := ch.Records[0]
	for _, want := range []string{
		`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`,
		`<Provider Name="Prov-A"/>`,
		`<EventID>4624</EventID>`, // NULL optional Qualifiers: attribute left out
		`<TimeCreated SystemTime="2020-01-01T00:00:00.0000000Z"/>`,
		`<Correlation/>`,
	} {
		if !strings.Contains(r.XML, want) {
			t.Errorf("record 1 XML lacks %s\n%s", want, r.XML)
		}
	}
	if ch.Records[1].Provider != "Prov-B" || ch.Records[1].EventID != 4625 || ch.Records[1].Level != 4 {
		t.Errorf("record 2 summary = %+v", ch.Records[1])
	}
}

func TestValueTypesJSON(t *testing.T) {
	ch := decodeTestFile(t, Options{JSON: true})
	var doc map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(ch.Records[0].JSON), &doc); err != nil {
		t.Fatalf("record JSON invalid: %v\n%s", err, ch.Records[0].JSON)
	}
	ed := doc["Event"]["EventData"]
	for _, vc := range valueCases {
		if got := string(ed[vc.name]); got != vc.wantJSON {
			t.Errorf("EventData.%s = %s, want %s", vc.name, got, vc.wantJSON)
		}
	}
	sys := doc["Event"]["System"]
	if got := string(sys["EventID"]); got != "4624" {
		t.Errorf("System.EventID = %s", got)
	}
	if got := string(sys["Provider"]); got != `{"#attributes":{"Name":"Prov-A"}}` {
		t.Errorf("System.Provider = %s", got)
	}
	if got := string(sys["Correlation"]); got != "null" {
		t.Errorf("System.Correlation = %s, want null", got)
	}
}

func TestTokensWithoutTemplate(t *testing.T) {
	ch := decodeTestFile(t, Options{XML: true, JSON: true})
	r := ch.Records[2]
	want := "<Event>\n" +
		"  <Mixed a=\"x&#60;\" b=\"&amp;\">t1 <![CDATA[c]]]]><![CDATA[>d]]>&#9786;&lt;</Mixed>\n" +
		"  <?pi d=1?>\n" +
		"  <Empty/>\n" +
		"</Event>\n"
	if r.XML != want {
		t.Errorf("XML =\n%s\nwant\n%s", r.XML, want)
	}
	wantJSON := `{"Event":{"Mixed":{"#attributes":{"a":"x<","b":"&"},"#text":"t1 c]]>d☺<"},"Empty":null}}`
	if string(r.JSON) != wantJSON {
		t.Errorf("JSON = %s\nwant   %s", r.JSON, wantJSON)
	}
}

func TestNestedBinXML(t *testing.T) {
	ch := decodeTestFile(t, Options{XML: true, JSON: true})
	r := ch.Records[3]
	want := "<Event>\n  <UserData>\n    <Inner k=\"v\">body</Inner>\n  </UserData>\n</Event>\n"
	if r.XML != want {
		t.Errorf("XML =\n%s\nwant\n%s", r.XML, want)
	}
	if wantJSON := `{"Event":{"UserData":{"Inner":{"#attributes":{"k":"v"},"#text":"body"}}}}`; string(r.JSON) != wantJSON {
		t.Errorf("JSON = %s", r.JSON)
	}
}

// TestTemplateCache checks the second record reused the definition written by the first.
func TestTemplateCache(t *testing.T) {
	data := testFile(t)
	chunk := data[FileHeaderSize:]
	c := newChunkCtx(chunk)
	r1 := chunkHeaderSize
	size := int(binary.LittleEndian.Uint32(chunk[r1+4:]))
	for _, off := range []int{r1, r1 + size} {
		sz := int(binary.LittleEndian.Uint32(chunk[off+4:]))
		d := decoder{c: c, pos: off + recordHeaderLen, end: off + sz - 4, depID: true}
		if _, err := d.fragment(); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.templates) != 1 {
		t.Errorf("templates cached = %d, want 1 shared definition", len(c.templates))
	}
}

func TestChecksumsReported(t *testing.T) {
	data := testFile(t)
	data[FileHeaderSize+600] ^= 0xff // inside record 1
	data[FileHeaderSize+200] ^= 0xff // inside the string table, covered by the header CRC
	data[50] ^= 0xff                 // file header
	rd, err := OpenBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	in, err := rd.Info(1)
	if err != nil {
		t.Fatal(err)
	}
	if in.ChecksumErrors != 3 {
		t.Errorf("checksum errors = %d, want 3 (file header, chunk header, records)", in.ChecksumErrors)
	}
	row := in.ChunkTable[0]
	if row.HeaderChecksumOK || row.DataChecksumOK {
		t.Errorf("chunk row = %+v", row)
	}
	found := false
	for _, e := range in.Errors {
		if e.Chunk == 0 && e.Offset == FileHeaderSize+52 && strings.Contains(e.Message, "event records checksum") {
			found = true
		}
	}
	if !found {
		t.Errorf("no records checksum error at offset %d in %+v", FileHeaderSize+52, in.Errors)
	}
}

func TestInfoAndFacets(t *testing.T) {
	rd, err := OpenBytes(testFile(t))
	if err != nil {
		t.Fatal(err)
	}
	in, err := rd.Info(1)
	if err != nil {
		t.Fatal(err)
	}
	if in.Records != 4 || in.Chunks != 1 || in.FirstRecordID != 1 || in.LastRecordID != 4 ||
		in.FirstTime != "2020-01-01T00:00:00.0000000Z" || in.LastTime != "2020-01-01T00:00:03.0000000Z" || in.Dirty || in.Full {
		t.Errorf("info = %+v", in)
	}
	f, err := ParseFilter("EventID=4624|4625")
	if err != nil {
		t.Fatal(err)
	}
	fc, err := rd.Facets(f, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Records != 2 || len(fc.Provider) != 2 || fc.Provider[0] != (Count{"Prov-A", 1}) || fc.Level[0] != (Count{"4", 2}) {
		t.Errorf("facets = %+v", fc)
	}
}

func TestFilter(t *testing.T) {
	r := &Record{ID: 7, EventID: 4624, Level: 0, Provider: "Microsoft-Windows-Security-Auditing", Channel: "Security"}
	for _, tc := range []struct {
		f    string
		want bool
	}{
		{"EventID=4624", true},
		{"eventid=4625", false},
		{"EventID=4625|4624,Level=0", true},
		{"Provider=microsoft-windows-security-auditing,Channel=Security", true},
		{"Provider=Other", false},
		{"RecordID=7", true},
	} {
		f, err := ParseFilter(tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.f, err)
		}
		if got := f.Match(r); got != tc.want {
			t.Errorf("%s: match = %v", tc.f, got)
		}
	}
	for _, bad := range []string{"EventID", "Foo=1", "EventID=x", "Level=-1"} {
		var fe *FilterError
		if _, err := ParseFilter(bad); !errors.As(err, &fe) {
			t.Errorf("%q: error %v, want FilterError", bad, err)
		}
	}
}

// TestDamage breaks the built file in the ways real logs break and checks each is reported
// with its place while the rest is still decoded.
func TestDamage(t *testing.T) {
	base := testFile(t)
	rec2 := func(d []byte) int { // file offset of record 2
		return FileHeaderSize + chunkHeaderSize + int(binary.LittleEndian.Uint32(d[FileHeaderSize+chunkHeaderSize+4:]))
	}
	for _, tc := range []struct {
		name        string
		mutate      func(d []byte)
		wantRecords int
		wantRecov   int
		wantMsg     string
	}{
		{"zero record size", func(d []byte) { binary.LittleEndian.PutUint32(d[rec2(d)+4:], 0) }, 1, 2, "record size 0 invalid"},
		{"bad size copy", func(d []byte) {
			o := rec2(d)
			sz := int(binary.LittleEndian.Uint32(d[o+4:]))
			binary.LittleEndian.PutUint32(d[o+sz-4:], 0)
		}, 1, 2, "trailing size copy 0"},
		{"bad record signature", func(d []byte) { d[rec2(d)] = 'X' }, 1, 2, "no record signature"},
		{"bad token", func(d []byte) { d[rec2(d)+recordHeaderLen+4] = 0x77 }, 4, 0, "unexpected token 0x77"},
		{"template offset outside chunk", func(d []byte) {
			binary.LittleEndian.PutUint32(d[rec2(d)+recordHeaderLen+4+6:], 0xfffff0)
		}, 4, 0, "template definition offset outside"},
		{"name offset outside chunk", func(d []byte) {
			// First element of the inline template of record 1: token, dep id, size, name offset.
			o := FileHeaderSize + chunkHeaderSize + recordHeaderLen + 4 + 10 + 24 + 4
			binary.LittleEndian.PutUint32(d[o+7:], 0x7fffffff)
		}, 4, 0, "name offset outside the chunk"},
		{"free space offset too large", func(d []byte) { binary.LittleEndian.PutUint32(d[FileHeaderSize+48:], 0x20000) }, 4, 0, "free space offset"},
		{"bad chunk magic", func(d []byte) { d[FileHeaderSize] = 'X' }, 0, 0, "chunk signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := append([]byte(nil), base...)
			tc.mutate(d)
			rd, err := OpenBytes(d)
			if err != nil {
				if tc.wantRecords == 0 && strings.Contains(err.Error(), "no chunk") {
					return
				}
				t.Fatal(err)
			}
			in, err := rd.Info(2)
			if err != nil {
				t.Fatal(err)
			}
			if in.Records != tc.wantRecords || in.Recovered != tc.wantRecov {
				t.Errorf("records %d, recovered %d; want %d, %d", in.Records, in.Recovered, tc.wantRecords, tc.wantRecov)
			}
			found := false
			for _, e := range in.Errors {
				if strings.Contains(e.Message, tc.wantMsg) {
					found = true
					if e.Offset < FileHeaderSize && e.Chunk == 0 {
						t.Errorf("error offset %d is not a file offset inside the chunk", e.Offset)
					}
				}
			}
			if !found {
				t.Errorf("no error containing %q in %+v", tc.wantMsg, in.Errors)
			}
		})
	}
}

// TestTemplateLoop makes a template whose body instantiates itself.
func TestTemplateLoop(t *testing.T) {
	c := newChunkBuilder()
	c.record(1, 0, func() {
		c.u8(tokTemplate)
		c.u8(1)
		c.u32(0)
		off := uint32(len(c.b) + 4)
		c.u32(off)
		c.u32(0)
		c.b = append(c.b, make([]byte, 16)...)
		sizeAt := len(c.b)
		c.u32(0)
		c.fragmentHeader()
		c.u8(tokTemplate) // refers back to the definition being read
		c.u8(1)
		c.u32(0)
		c.u32(off)
		c.u32(0)
		c.u8(tokEOF)
		c.patch32(sizeAt, uint32(len(c.b)-sizeAt-4))
		c.u32(0)
	})
	ch := DecodeChunk(c.finish(1, 1), 0, 0, Options{XML: true})
	if len(ch.Errors) == 0 || !strings.Contains(ch.Errors[0].Message, "template refers to itself") {
		t.Errorf("errors = %+v", ch.Errors)
	}
}

// TestDeepNesting nests elements past the depth limit.
func TestDeepNesting(t *testing.T) {
	c := newChunkBuilder()
	c.record(1, 0, func() {
		for i := 0; i < maxDepth+5; i++ {
			c.open("E", false)
			c.closeStart()
		}
		for i := 0; i < maxDepth+5; i++ {
			c.end()
		}
	})
	ch := DecodeChunk(c.finish(1, 1), 0, 0, Options{XML: true})
	if len(ch.Errors) != 1 || !strings.Contains(ch.Errors[0].Message, "nested deeper") {
		t.Errorf("errors = %+v", ch.Errors)
	}
}

func TestDirtyFileChunkBeyondCount(t *testing.T) {
	c := newChunkBuilder()
	c.record(9, 0, func() { c.instance("ev", eventBody(c), eventValues("P", 1)) })
	chunk := c.finish(9, 9)
	d := buildFile(FlagDirty, testFile(t)[FileHeaderSize:], chunk)
	binary.LittleEndian.PutUint16(d[42:], 1) // header says one chunk
	rd, err := OpenBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	in, err := rd.Info(2)
	if err != nil {
		t.Fatal(err)
	}
	if in.Records != 5 || !in.Dirty || len(in.ChunkTable) != 2 || !in.ChunkTable[1].BeyondCount {
		t.Errorf("info = records %d dirty %v table %+v", in.Records, in.Dirty, in.ChunkTable)
	}
}

func TestHandle(t *testing.T) {
	b64 := base64Std(testFile(t))
	res, err := Handle("info", []byte(`{"file":"`+b64+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	if in := res.(*Info); in.Records != 4 {
		t.Errorf("info records = %d", in.Records)
	}
	res, err = Handle("chunk", []byte(`{"file":"`+b64+`","index":0,"format":"json","filter":"EventID=4625"}`))
	if err != nil {
		t.Fatal(err)
	}
	ch := res.(*Chunk)
	if len(ch.Records) != 1 || ch.Records[0].ID != 2 || ch.Records[0].XML != "" || len(ch.Records[0].JSON) == 0 {
		t.Errorf("chunk = %+v", ch.Records)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Error(err)
	}
	res, err = Handle("facets", []byte(`{"file":"`+b64+`"}`))
	if err != nil || res.(Facets).Records != 4 {
		t.Errorf("facets = %+v, %v", res, err)
	}
	res, err = Handle("search", []byte(`{"file":"`+b64+`","text":"prov-b"}`))
	if err != nil {
		t.Fatal(err)
	}
	if sr := res.(*SearchResult); len(sr.Matches) != 1 || sr.Matches[0].ID != 2 || sr.Truncated {
		t.Errorf("search = %+v", sr)
	}
	res, err = Handle("search", []byte(`{"file":"`+b64+`","text":"Event","limit":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if sr := res.(*SearchResult); len(sr.Matches) != 2 || !sr.Truncated {
		t.Errorf("search with limit = %d matches, truncated %v", len(sr.Matches), sr.Truncated)
	}
	var ie *labs.InputError
	for _, req := range []struct{ op, body, field string }{
		{"info", `{"file":"@@@"}`, "file"},
		{"info", `{"file":"AAAA"}`, "file"},
		{"chunk", `{"file":"` + b64 + `","index":5}`, "index"},
		{"chunk", `{"file":"` + b64 + `","format":"yaml"}`, "format"},
		{"facets", `{"file":"` + b64 + `","filter":"Nope=1"}`, "filter"},
		{"info", `{"fil":"x"}`, ""},
		{"search", `{"file":"` + b64 + `","text":" "}`, "text"},
		{"search", `{"file":"` + b64 + `","text":"x","limit":5000}`, "limit"},
	} {
		_, err := Handle(req.op, []byte(req.body))
		if !errors.As(err, &ie) || ie.Field != req.field {
			t.Errorf("%s %s: err = %v, want InputError on %q", req.op, req.body, err, req.field)
		}
	}
	var uo *labs.ErrUnknownOp
	if _, err := Handle("nope", nil); !errors.As(err, &uo) {
		t.Errorf("unknown op: %v", err)
	}
}

func base64Std(b []byte) string {
	var sb strings.Builder
	enc := base64NewEncoder(&sb)
	enc.Write(b)
	enc.Close()
	return sb.String()
}

// TestXMLWellFormed parses every record of the built file with encoding/xml.
func TestXMLWellFormed(t *testing.T) {
	ch := decodeTestFile(t, Options{XML: true})
	for _, r := range ch.Records {
		checkXML(t, r.XML)
	}
}

func checkXML(t testing.TB, doc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Errorf("XML not well-formed: %v\n%s", err, doc)
			return
		}
	}
}

func TestWalkDeterministic(t *testing.T) {
	d := testFile(t)
	chunks := [][]byte{}
	for i := 0; i < 7; i++ {
		chunks = append(chunks, d[FileHeaderSize:])
	}
	file := buildFile(0, chunks...)
	rd, err := OpenBytes(file)
	if err != nil {
		t.Fatal(err)
	}
	collect := func(workers int) string {
		var buf bytes.Buffer
		if err := rd.Walk(Options{JSON: true}, workers, func(c *Chunk) error {
			for _, r := range c.Records {
				buf.WriteString(RecordJSONLine(&r) + "\n")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	one, four := collect(1), collect(4)
	if one != four || strings.Count(one, "\n") != 28 {
		t.Errorf("1 worker and 4 workers differ or wrong count (%d lines)", strings.Count(one, "\n"))
	}
	stop := errors.New("stop")
	n := 0
	if err := rd.Walk(Options{}, 3, func(c *Chunk) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("stop: err %v after %d chunks", err, n)
	}
}

// TestHeaderDamage: a file whose header is destroyed still yields its chunks; data that holds
// neither header nor chunk is refused with a reason.
func TestHeaderDamage(t *testing.T) {
	d := testFile(t)
	for i := 0; i < 128; i++ {
		d[i] = 0
	}
	rd, err := OpenBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	in, err := rd.Info(1)
	if err != nil {
		t.Fatal(err)
	}
	if in.HeaderOK || in.Records != 4 || len(in.Errors) == 0 || !strings.Contains(in.Errors[0].Message, "signature") {
		t.Errorf("info = headerOK %v records %d errors %+v", in.HeaderOK, in.Records, in.Errors)
	}
	for _, b := range [][]byte{nil, []byte("x"), make([]byte, 5000)} {
		if _, err := OpenBytes(b); err == nil || !strings.Contains(err.Error(), "not an EVTX file") {
			t.Errorf("%d bytes: err = %v", len(b), err)
		}
	}
	// A chunk cut short by the end of the file is reported and decoded as far as it goes.
	cut := testFile(t)[:FileHeaderSize+4000]
	rd, err = OpenBytes(cut)
	if err != nil {
		t.Fatal(err)
	}
	in, err = rd.Info(1)
	if err != nil {
		t.Fatal(err)
	}
	if in.Records == 0 || !strings.Contains(in.Errors[0].Message, "truncated") {
		t.Errorf("truncated chunk: records %d errors %+v", in.Records, in.Errors)
	}
}

// TestFileTimeFormat checks the hand-written formatter against time.Format across the range,
// including leap days and the FILETIME epoch.
func TestFileTimeFormat(t *testing.T) {
	for _, ft := range []uint64{0, 1, 9_999_999, 116444736000000000, 132223104001234567,
		// Around leap days of 2000 (leap), 2100 and 1700 (not leap), and the extremes.
		125963423999999999, 157520160000000000, 31292351999999999, 125963424000000000, 1 << 62, math.MaxUint64} {
		want := FileTime(ft).Format(timeLayout)
		if got := FormatFileTime(ft); got != want {
			t.Errorf("FILETIME %d: %s, want %s", ft, got, want)
		}
	}
	for ft := uint64(0); ft < 1<<62; ft += 1<<62/9973 + 86400*10_000_000 + 12345 {
		if got, want := FormatFileTime(ft), FileTime(ft).Format(timeLayout); got != want {
			t.Fatalf("FILETIME %d: %s, want %s", ft, got, want)
		}
	}
}

// TestNullSubstitutions: an element whose only content is an optional substitution with a NULL
// value is left out ([MS-EVEN6] 4.8, https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-even6/f59be2a3-315d-43b2-987f-ddb8f81f022e;
// EvtVarTypeNull in https://learn.microsoft.com/en-us/windows/win32/api/winevt/ne-winevt-evt_variant_type);
// a normal substitution with NULL leaves the element empty, as libevtx renders it.
func TestNullSubstitutions(t *testing.T) {
	c := newChunkBuilder()
	c.record(1, 0, func() {
		c.instance("t", func() {
			c.open("E", false)
			c.closeStart()
			c.open("A", false)
			c.closeStart()
			c.subst(0, TypeString, true)
			c.end()
			c.open("B", false)
			c.closeStart()
			c.subst(1, TypeString, false)
			c.end()
			c.open("C", true)
			c.attr("x", false)
			c.subst(2, TypeUInt8, true)
			c.closeEmpty()
			c.end()
		}, []tval{{TypeNull, nil}, {TypeNull, nil}, {TypeNull, nil}})
	})
	ch := DecodeChunk(c.finish(1, 1), 0, 0, Options{XML: true, JSON: true})
	if len(ch.Errors) > 0 || len(ch.Records) != 1 {
		t.Fatalf("errors %+v", ch.Errors)
	}
	if want := "<E>\n  <B/>\n  <C/>\n</E>\n"; ch.Records[0].XML != want {
		t.Errorf("XML =\n%s\nwant\n%s", ch.Records[0].XML, want)
	}
	if want := `{"E":{"B":null,"C":null}}`; string(ch.Records[0].JSON) != want {
		t.Errorf("JSON = %s, want %s", ch.Records[0].JSON, want)
	}
}

// TestJSONGrouping: repeated sibling names become one array at the first one's place, with the
// same result for short sibling lists (compared pairwise) and long ones (indexed).
func TestJSONGrouping(t *testing.T) {
	mk := func(n int) []xItem {
		var items []xItem
		for i := 0; i < n; i++ {
			name := []string{"A", "B", "C"}[i%3]
			v := value{t: TypeUInt8, b: []byte{byte(i)}}
			items = append(items, xItem{kind: kElement, el: &xElem{name: name, kids: []xItem{{kind: kValue, val: v}}}})
		}
		return items
	}
	if got, want := string(appendJSONMembers(nil, mk(4), false)), `"A":[0,3],"B":1,"C":2`; got != want {
		t.Errorf("short: %s, want %s", got, want)
	}
	got := string(appendJSONMembers(nil, mk(20), false))
	want := `"A":[0,3,6,9,12,15,18],"B":[1,4,7,10,13,16,19],"C":[2,5,8,11,14,17]`
	if got != want {
		t.Errorf("long: %s, want %s", got, want)
	}
}
