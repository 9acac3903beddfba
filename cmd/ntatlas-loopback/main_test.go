package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"ntatlas/internal/labs/sockpath"
)

// Runs the real measurement briefly over 127.0.0.1 and feeds its output to the lab, which
// validates it (bytes = calls × size, rates consistent with the counts).
func TestMeasureLoopbackAndImport(t *testing.T) {
	var out, errb bytes.Buffer
	if code := mainErr([]string{"-sizes", "64,4096,65536", "-duration", "40ms"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 3 || rep.Results[2].MessageSize != 65536 || rep.Results[0].Calls < 1 {
		t.Fatalf("results %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.Seconds < 0.04 || r.Seconds > 5 {
			t.Errorf("size %d measured for %gs, want about 40 ms", r.MessageSize, r.Seconds)
		}
	}
	res, err := sockpath.Handle("import-measurement", out.Bytes())
	if err != nil {
		t.Fatalf("the lab rejects the tool's own output: %v", err)
	}
	if c := res.(*sockpath.Comparison); len(c.Rows) != 3 {
		t.Errorf("comparison rows %+v", c.Rows)
	}
}

func manySizes(n int) string {
	var s []string
	for i := 1; i <= n; i++ {
		s = append(s, strconv.Itoa(i))
	}
	return strings.Join(s, ",")
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-sizes", "0"},
		{"-sizes", "64,64"},
		{"-sizes", "abc"},
		{"-sizes", manySizes(33)},
		{"-duration", "0s"},
		{"-duration", "1m"},
		{"-bogus"},
	} {
		var out, errb bytes.Buffer
		if code := mainErr(args, &out, &errb); code != 2 || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q", args, code, out.String())
		}
	}
}
