package dns

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"ntatlas/internal/labs"
)

// Windows PowerShell 5.1 `Get-DnsClientCache | ConvertTo-Json`: the properties of
// MSFT_DNSClientCache (https://learn.microsoft.com/en-us/previous-versions/windows/desktop/legacy/hh872334(v=vs.85))
// plus the cmdlet's aliases and the CIM plumbing properties, with enums as numbers.
const psJSON = `[
    {
        "Entry":  "www.example.com",
        "RecordName":  "www.example.com",
        "RecordType":  1,
        "Status":  0,
        "Section":  1,
        "TimeToLive":  2345,
        "DataLength":  4,
        "Data":  "93.184.216.34",
        "Caption":  null,
        "Description":  null,
        "ElementName":  null,
        "InstanceId":  "",
        "Name":  "www.example.com",
        "Type":  1,
        "PSComputerName":  null,
        "CimClass":  "ROOT/StandardCimv2:MSFT_DNSClientCache",
        "CimInstanceProperties":  "Caption = ; Data = 93.184.216.34",
        "CimSystemProperties":  "Microsoft.Management.Infrastructure.CimSystemProperties"
    },
    {
        "Entry":  "app.example.com",
        "RecordName":  "app.example.com",
        "RecordType":  5,
        "Status":  0,
        "Section":  1,
        "TimeToLive":  55,
        "DataLength":  8,
        "Data":  "www.example.com"
    },
    {
        "Entry":  "nosuch.example.com",
        "RecordName":  null,
        "RecordType":  1,
        "Status":  9003,
        "Section":  null,
        "TimeToLive":  280,
        "DataLength":  0,
        "Data":  null
    },
    {
        "Entry":  "v4only.example.com",
        "Name":  "v4only.example.com",
        "Type":  28,
        "Status":  9701,
        "TimeToLive":  100,
        "DataLength":  0
    }
]`

func TestImportPowerShellJSON(t *testing.T) {
	res, err := ImportCache("", []byte(psJSON))
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportedEntry{
		{Entry: "www.example.com", Name: "www.example.com", Type: "A", TypeCode: 1, Status: "Success", Section: "Answer", TTL: 2345, DataLength: 4, Data: "93.184.216.34", Index: 0},
		{Entry: "app.example.com", Name: "app.example.com", Type: "CNAME", TypeCode: 5, Status: "Success", Section: "Answer", TTL: 55, DataLength: 8, Data: "www.example.com", Index: 1},
		{Entry: "nosuch.example.com", Name: "nosuch.example.com", Type: "A", TypeCode: 1, Status: "NotExist", TTL: 280, Index: 2},
		{Entry: "v4only.example.com", Name: "v4only.example.com", Type: "AAAA", TypeCode: 28, Status: "NoRecords", TTL: 100, Index: 3},
	}
	if diff := cmp.Diff(want, res.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if res.Format != "json" || res.Summary.Names != 4 || res.Summary.ByStatus["Success"] != 2 {
		t.Errorf("format %s, summary %+v", res.Format, res.Summary)
	}
	// the imported cache loads into a scenario and answers without a packet
	sc := Scenario{Cache: res.Cache, Config: Config{Servers: servers("answer")},
		Queries: []Query{{Name: "app.example.com"}, {Name: "nosuch.example.com"}, {Name: "v4only.example.com", Type: "AAAA"}}}
	out := run(t, sc)
	got := []string{out.Results[0].Outcome + "/" + out.Results[0].Source, out.Results[1].Outcome, out.Results[2].Outcome}
	if diff := cmp.Diff([]string{"answer/cache", "nxdomain", "nodata"}, got); diff != "" {
		t.Error(diff)
	}
	if out.Results[0].DNSSends+out.Results[1].DNSSends+out.Results[2].DNSSends != 0 {
		t.Error("imported entries did not prevent DNS queries")
	}
}

func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}

func TestImportEncodingsAndShapes(t *testing.T) {
	// Windows PowerShell 5.1 redirection (>) writes UTF-16LE with a BOM
	res, err := ImportCache("json", utf16LE(psJSON))
	if err != nil || res.Count != 4 {
		t.Fatalf("UTF-16LE: %v, %+v", err, res)
	}
	// a single cache entry is converted to an object, not an array; PowerShell 7 with
	// -EnumsAsStrings writes names
	one := `{"Entry":"a.example","Name":"a.example","Type":"AAAA","Status":"Success","Section":"Answer","TimeToLive":"60","Data":"2001:db8::1"}`
	res, err = ImportCache("", append([]byte{0xEF, 0xBB, 0xBF}, one...))
	if err != nil || res.Count != 1 || res.Entries[0].Type != "AAAA" || res.Entries[0].TTL != 60 {
		t.Fatalf("single object: %v, %+v", err, res)
	}
}

func TestImportJSONErrors(t *testing.T) {
	cases := []struct {
		in, field string
	}{
		{`[{"Entry":"a","Type":1,"TimeToLive":-5}]`, "entries[0].TimeToLive"},
		{`[{"Entry":"a","Type":1},{"Entry":"b","RecordType":"bogus"}]`, "entries[1].RecordType"},
		{`[{"Entry":"a","Type":1,"Status":42}]`, "entries[0].Status"},
		{`[{"Entry":"a","Type":1,"Section":7}]`, "entries[0].Section"},
		{`[{"Type":1}]`, "entries[0].Entry"},
		{`[{"Entry":"a"}]`, "entries[0].Type"},
		{`[null]`, "entries[0]"},
		{"[\n{\"Entry\": \"a\",\n\"Type\": }]", "line 3, column 9"},
	}
	for _, c := range cases {
		_, err := ImportCache("json", []byte(c.in))
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("%s: got %v, want field %s", c.in, err, c.field)
		}
	}
}

// English `ipconfig /displaydns`, as in the field list of the ipconfig output (Record Name,
// Record Type, Time To Live, Data Length, Section, then the data line).
const displayDNS = "\r\nWindows IP Configuration\r\n\r\n" +
	"    www.example.com\r\n    ----------------------------------------\r\n" +
	"    Record Name . . . . . : www.example.com\r\n    Record Type . . . . . : 1\r\n" +
	"    Time To Live  . . . . : 2345\r\n    Data Length . . . . . : 4\r\n" +
	"    Section . . . . . . . : Answer\r\n    A (Host) Record . . . : 93.184.216.34\r\n\r\n" +
	"    Record Name . . . . . : www.example.com\r\n    Record Type . . . . . : 28\r\n" +
	"    Time To Live  . . . . : 2345\r\n    Data Length . . . . . : 16\r\n" +
	"    Section . . . . . . . : Answer\r\n    AAAA Record . . . . . : 2606:2800:220:1:248:1893:25c8:1946\r\n\r\n\r\n" +
	"    nosuch.example.com\r\n    ----------------------------------------\r\n    Name does not exist.\r\n\r\n\r\n" +
	"    v4only.example.com\r\n    ----------------------------------------\r\n    No records of type AAAA\r\n\r\n"

func TestImportDisplayDNS(t *testing.T) {
	res, err := ImportCache("", []byte(displayDNS))
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportedEntry{
		{Entry: "www.example.com", Name: "www.example.com", Type: "A", TypeCode: 1, Status: "Success", Section: "Answer", TTL: 2345, DataLength: 4, Data: "93.184.216.34", Line: 6},
		{Entry: "www.example.com", Name: "www.example.com", Type: "AAAA", TypeCode: 28, Status: "Success", Section: "Answer", TTL: 2345, DataLength: 16, Data: "2606:2800:220:1:248:1893:25c8:1946", Line: 13, Index: 1},
		{Entry: "nosuch.example.com", Name: "nosuch.example.com", Type: "A", TypeCode: 1, Status: "NotExist", Line: 23, Index: 2},
		{Entry: "v4only.example.com", Name: "v4only.example.com", Type: "AAAA", TypeCode: 28, Status: "NoRecords", Line: 28, Index: 3},
	}
	if diff := cmp.Diff(want, res.Entries, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if res.Format != "displaydns" || len(res.Cache) != 4 {
		t.Errorf("format %s, %d cache entries", res.Format, len(res.Cache))
	}
}

func TestImportDisplayDNSErrors(t *testing.T) {
	bad := func(from, to string) string { return strings.Replace(displayDNS, from, to, 1) }
	cases := []struct {
		in, field, msg string
	}{
		{bad("Time To Live  . . . . : 2345", "Time To Live  . . . . : soon"), "line 8", "time to live"},
		{bad("Record Type . . . . . : 1\r", "Record Type . . . . . : A\r"), "line 7", "record type"},
		{bad("Section . . . . . . . : Answer", "Section . . . . . . . : Glue"), "line 10", "unknown section"},
		{bad("A (Host) Record . . . : 93.184.216.34", "A (Host) Record . . . : 93.184"), "line 11", "not an IP"},
		{bad("Record Name . . . . . : www.example.com\r\n    Record Type . . . . . : 1", "Nom de l'enregistrement : www.example.com\r\n    Record Type . . . . . : 1"), "line 6", "English"},
		{"just some text\nwithout entries\n", "line 1", "before the first cache entry"},
	}
	for _, c := range cases {
		_, err := ImportCache("displaydns", []byte(c.in))
		var ie *labs.InputError
		if !errors.As(err, &ie) || ie.Field != c.field || !strings.Contains(ie.Message, c.msg) {
			t.Errorf("got %v, want %s containing %q", err, c.field, c.msg)
		}
	}
}

func TestImportViaHandle(t *testing.T) {
	req, _ := json.Marshal(ImportRequest{Text: displayDNS})
	out, err := Handle("import-cache", req)
	if err != nil || out.(*ImportResult).Count != 4 {
		t.Fatalf("%v %v", out, err)
	}
	if _, err := Handle("import-cache", []byte(`{"format":"xml","text":"x"}`)); err == nil {
		t.Error("unknown format accepted")
	}
}

func FuzzImportJSON(f *testing.F) {
	f.Add([]byte(psJSON))
	f.Add(utf16LE(psJSON))
	f.Add([]byte(`{"Entry":"a","Type":"A","TimeToLive":"1e3"}`))
	f.Add([]byte(`[{"Entry":"a","Type":1,"Status":9003}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ImportCache("json", b)
		if err != nil {
			if !errors.As(err, new(*labs.InputError)) {
				t.Fatalf("non-input error %v", err)
			}
			return
		}
		if res.Count != len(res.Entries) {
			t.Fatal("count mismatch")
		}
	})
}

func FuzzImportDisplayDNS(f *testing.F) {
	f.Add(displayDNS)
	f.Add("x\n-----\nName does not exist.\n")
	f.Add("x\n-----\nNo records of type 65535\n")
	f.Add("x\n-----\nRecord Type . : 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ImportCache("displaydns", []byte(s))
		if err != nil {
			var ie *labs.InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(ie.Field, "line ") && ie.Field != "" {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, e := range res.Entries {
			if e.Type == "" || e.Status == "" {
				t.Fatalf("incomplete entry %+v", e)
			}
		}
		// the preloadable entries must be accepted by the resolver
		sc := Scenario{Cache: res.Cache, Queries: []Query{{Name: "x"}}}
		if _, err := Resolve(&sc); err != nil {
			t.Fatalf("imported cache rejected by the resolver: %v", err)
		}
	})
}
