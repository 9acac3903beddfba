package web_test

// Browser test of the socket path lab (/tools/socket-path): changing the API changes the totals
// on screen, two exercises are answered and checked by the engine, and a pasted ntatlas-loopback
// measurement is lined up with the model (a broken one gets an error naming the field and line).
// Reuses the helpers of browser_test.go, lab_sddl_browser_test.go and lab_dns_browser_test.go.
// Run: go test ./internal/web -run BrowserLabSockpath -count=1 -v

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// loopbackSample is real output of `go run ./cmd/ntatlas-loopback -sizes 64,1024,65536
// -duration 100ms` on the Linux test machine, kept verbatim.
const loopbackSample = `{
  "tool": "ntatlas-loopback",
  "version": 1,
  "goos": "linux",
  "goarch": "amd64",
  "goVersion": "go1.26.8",
  "numCPU": 2,
  "durationMsPerSize": 100,
  "results": [
    {
      "messageSize": 64,
      "calls": 17408,
      "bytes": 1114112,
      "seconds": 0.124490099,
      "callsPerSec": 139834.41365887257,
      "mibPerSec": 8.534815286796421
    },
    {
      "messageSize": 1024,
      "calls": 13568,
      "bytes": 13893632,
      "seconds": 0.100234655,
      "callsPerSec": 135362.36544137355,
      "mibPerSec": 132.18981000134136
    },
    {
      "messageSize": 65536,
      "calls": 258,
      "bytes": 16908288,
      "seconds": 0.159133099,
      "callsPerSec": 1621.2843313005549,
      "mibPerSec": 101.33027070628468
    }
  ]
}`

func TestBrowserLabSockpath(t *testing.T) {
	b := secLabBrowser(t)
	tb := b.newTab(t)
	tb.secOpenLab("socket-path")
	tb.assertCleanConsole("/tools/socket-path (loaded)")

	total := func(metric string) string {
		t.Helper()
		return eval[string](tb, `document.querySelector('[data-output="run"] [data-total="`+metric+`"]').textContent`)
	}
	// Start: overlapped WSASend with skip-on-success, 1 GiB in 64 KiB sends: one transition each.
	tb.waitFor("the first run", `!!document.querySelector('[data-output="run"] [data-total="transitions"]')`)
	if got := total("transitions"); got != "16,384" {
		t.Errorf("WSASend + IOCP, 1 GiB / 64 KiB: total transitions %q, want 16,384", got)
	}
	if got := total("completions"); got != "0" {
		t.Errorf("with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS the completions total is %q, want 0", got)
	}
	// The diagram marks the boundary between user and kernel mode.
	if got := tb.text(`[data-stage="boundary"] .sp-boundary-label`); !strings.Contains(got, "user mode") || !strings.Contains(got, "kernel mode") {
		t.Errorf("boundary stage label %q", got)
	}
	stages := eval[[]string](tb, `[...document.querySelectorAll('.sp-path > li')].map(li => li.dataset.stage)`)
	if strings.Join(stages, ",") != "app,ws2_32,mswsock,boundary,afd,tcpip,wfp,ndis,nic" {
		t.Errorf("path stages %q", stages)
	}
	copiesBefore := total("copies")

	// The learner picks another API with the keyboard: ArrowDown twice from WSASend is TransmitFile.
	tb.do("focusing the API menu", chromedp.Focus(chromedp.CSS(`[data-input="api"]`), chromedp.NodeVisible))
	tb.do("choosing TransmitFile", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if v := eval[string](tb, `document.querySelector('[data-input="api"]').value`); v != "transmitfile" {
		t.Fatalf("API menu value %q after two ArrowDowns, want transmitfile", v)
	}
	tb.waitFor("TransmitFile totals", `document.querySelector('[data-output="run"] [data-summary]').textContent.startsWith("TransmitFile")`)
	if got := total("copies"); got != "0" || got == copiesBefore {
		t.Errorf("TransmitFile copies total %q (before %q), want 0: the data never passes through user mode", got, copiesBefore)
	}
	// Whole file in one call: message size 0.
	tb.secPaste(`[data-input="messageSize"]`, "0")
	tb.waitFor("one TransmitFile call", `document.querySelector('[data-output="run"] [data-total="transitions"]').textContent === "1"`)
	tb.do("scrolling to the diagram", chromedp.ScrollIntoView(chromedp.CSS(`.sp-path`)))
	tb.screenshot(b.artifacts, "lab-sockpath-path.png", false)
	tb.do("scrolling to the counts", chromedp.ScrollIntoView(chromedp.CSS(`[data-table="counts"]`)))
	tb.screenshot(b.artifacts, "lab-sockpath-counts.png", false)

	// Exercise 1, answered with the workload on screen.
	netLabClick(tb, "submitting the workload", `[data-exercise="fewest-transitions-1gib"] [data-action="check"]`)
	tb.waitFor("the fewest-transitions verdict", `!!document.querySelector('[data-exercise="fewest-transitions-1gib"] [data-verdict]')`)
	if v := tb.text(`[data-exercise="fewest-transitions-1gib"] [data-verdict]`); !strings.HasPrefix(v, "Right") {
		t.Errorf("TransmitFile of 1 GiB in one call: verdict %q, want right", v)
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-exercise="fewest-transitions-1gib"] tbody tr').length`); n < 3 {
		t.Errorf("the verdict compares with %d reference workloads, want several", n)
	}
	// Exercise 2: a wrong choice first, then the right one.
	netLabClick(tb, "choosing double-copy", `[data-exercise="sndbuf0-stall"] input[value="double-copy"]`)
	netLabClick(tb, "checking", `[data-exercise="sndbuf0-stall"] [data-action="check"]`)
	tb.waitFor("the wrong verdict", `document.querySelector('[data-exercise="sndbuf0-stall"] [data-verdict]')?.dataset.verdict === "wrong"`)
	netLabClick(tb, "choosing ack-wait", `[data-exercise="sndbuf0-stall"] input[value="ack-wait"]`)
	netLabClick(tb, "checking again", `[data-exercise="sndbuf0-stall"] [data-action="check"]`)
	tb.waitFor("the right verdict", `document.querySelector('[data-exercise="sndbuf0-stall"] [data-verdict]')?.dataset.verdict === "correct"`)
	if why := tb.text(`[data-exercise="sndbuf0-stall"] [data-output="check"]`); !strings.Contains(why, "KB 214397") {
		t.Errorf("the explanation should cite KB 214397: %q", why)
	}

	// A broken measurement: bytes of the second size do not match calls × size.
	broken := strings.Replace(loopbackSample, `"bytes": 13893632`, `"bytes": 13893633`, 1)
	tb.secPaste(`[data-input="measurement"]`, broken)
	netLabClick(tb, "comparing the broken measurement", `[data-action="compare"]`)
	tb.waitFor("the measurement error", `!!document.querySelector('[data-error="measurement"] .lab-error')`)
	if msg := tb.text(`[data-error="measurement"] .lab-error`); !strings.Contains(msg, "results[1].bytes") || !strings.Contains(msg, "line 21") {
		t.Errorf("measurement error %q should name results[1].bytes and line 21", msg)
	}
	// JSON that does not parse names its line and column.
	tb.secPaste(`[data-input="measurement"]`, "{\n  \"tool\": \"ntatlas-loopback\",\n  \"version\": 1,,\n}")
	netLabClick(tb, "comparing invalid JSON", `[data-action="compare"]`)
	tb.waitFor("the JSON error", `document.querySelector('[data-error="measurement"] .lab-error')?.textContent.includes("line 3")`)

	// The real measurement.
	tb.secPaste(`[data-input="measurement"]`, loopbackSample)
	netLabClick(tb, "comparing the measurement", `[data-action="compare"]`)
	tb.waitFor("the comparison table", `document.querySelectorAll('[data-table="measurement"] tbody tr').length === 3`)
	if e := eval[int](tb, `document.querySelectorAll('[data-error="measurement"] .lab-error').length`); e != 0 {
		t.Errorf("the error of the broken measurement is still shown")
	}
	row := tb.text(`[data-table="measurement"] tbody tr:last-child`)
	if !strings.HasPrefix(row, "64 KiB 1,621") {
		t.Errorf("last comparison row %q, want 64 KiB and the measured 1,621 calls/s", row)
	}
	if notes := tb.text(`[data-output="measurement"]`); !strings.Contains(notes, "not Windows") || !strings.Contains(notes, "Spread") {
		t.Errorf("the comparison should flag a Linux measurement and give the spread: %q", notes)
	}
	tb.screenshot(b.artifacts, "lab-sockpath-measurement.png", false)
	tb.assertCleanConsole("/tools/socket-path")

	netLabNarrow(t, b, "socket-path", "lab-sockpath-390.png")
}
