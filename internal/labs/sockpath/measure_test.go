package sockpath

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"ntatlas/internal/labs"
)

// A real ntatlas-loopback run (linux/amd64, 200 ms per size).
const sampleMeasurement = `{
  "tool": "ntatlas-loopback", "version": 1, "goos": "linux", "goarch": "amd64", "goVersion": "go1.26.8",
  "numCPU": 2, "durationMsPerSize": 200,
  "results": [
    {"messageSize": 1024, "calls": 68800, "bytes": 70451200, "seconds": 0.200842539, "callsPerSec": 342556.9122087229, "mibPerSec": 334.52823457883096},
    {"messageSize": 64, "calls": 57344, "bytes": 3670016, "seconds": 0.201016036, "callsPerSec": 285270.77312379197, "mibPerSec": 17.411546211168943},
    {"messageSize": 16384, "calls": 11136, "bytes": 182452224, "seconds": 0.201661557, "callsPerSec": 55221.23386164275, "mibPerSec": 862.831779088168},
    {"messageSize": 65536, "calls": 3200, "bytes": 209715200, "seconds": 0.202612692, "callsPerSec": 15793.679894446099, "mibPerSec": 987.1049934028812}
  ]
}`

func TestImportMeasurement(t *testing.T) {
	out, err := Handle("import-measurement", []byte(sampleMeasurement))
	if err != nil {
		t.Fatal(err)
	}
	c := out.(*Comparison)
	if len(c.Rows) != 4 || c.Rows[0].MessageSize != 64 || c.Rows[3].MessageSize != 65536 {
		t.Fatalf("rows not sorted by size: %+v", c.Rows)
	}
	if c.Rows[0].ModelRelCallRate != 1 || c.Rows[0].MeasuredRelRate != 1 {
		t.Errorf("the smallest size is the reference: %+v", c.Rows[0])
	}
	// the model charges more per op for bigger messages (copy and segments), so its relative
	// call rate must fall with size
	for i := 1; i < len(c.Rows); i++ {
		if c.Rows[i].ModelRelCallRate >= c.Rows[i-1].ModelRelCallRate {
			t.Errorf("model rate not decreasing at %d: %+v", c.Rows[i].MessageSize, c.Rows)
		}
	}
	if c.Spread < 1 || c.Verdict == "" || c.ModelNote.Evidence != Observed {
		t.Errorf("spread %g verdict %q note %+v", c.Spread, c.Verdict, c.ModelNote)
	}
	if !strings.Contains(strings.Join(c.Notes, " "), "not Windows") {
		t.Errorf("a Linux measurement must say it is not Windows: %v", c.Notes)
	}
}

func TestImportMeasurementErrors(t *testing.T) {
	edit := func(from, to string) string { return strings.Replace(sampleMeasurement, from, to, 1) }
	cases := []struct{ in, field string }{
		{edit(`"ntatlas-loopback"`, `"iperf"`), "tool"},
		{edit(`"version": 1`, `"version": 2`), "version"},
		{edit(`"calls": 68800`, `"calls": 68801`), "results[0].bytes"},
		{edit(`"callsPerSec": 342556.9122087229`, `"callsPerSec": 999999`), "results[0].callsPerSec"},
		{edit(`"mibPerSec": 17.411546211168943`, `"mibPerSec": 1`), "results[1].mibPerSec"},
		{edit(`"seconds": 0.200842539`, `"seconds": 0`), "results[0].seconds"},
		{edit(`"messageSize": 64,`, `"messageSize": 1024,`), "results[1].messageSize"},
		{edit(`"results": [`, `"extra": true, "results": [`), ""},
		{`{"tool":"ntatlas-loopback","version":1,"goos":"linux","results":[]}`, "results"},
	}
	for _, c := range cases {
		_, err := Handle("import-measurement", []byte(c.in))
		var ie *labs.InputError
		if !errors.As(err, &ie) || (c.field != "" && ie.Field != c.field) {
			t.Errorf("got %v, want InputError on %q", err, c.field)
		}
	}
}

func FuzzImportMeasurement(f *testing.F) {
	f.Add([]byte(sampleMeasurement))
	f.Add([]byte(`{"tool":"ntatlas-loopback","version":1,"goos":"windows","results":[{"messageSize":1,"calls":1,"bytes":1,"seconds":1,"callsPerSec":1,"mibPerSec":0.00000095367431640625}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := Handle("import-measurement", b)
		if err != nil {
			if !errors.As(err, new(*labs.InputError)) {
				t.Fatalf("non-input error %v", err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
	})
}
