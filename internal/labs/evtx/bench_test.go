package evtx

import (
	"os"
	"path/filepath"
	"testing"
)

// benchFiles are the samples the benchmark script also gives to evtxexport and evtx_dump.py.
var benchFiles = []string{"security.evtx", "post-Security.evtx", "sysmon.evtx", "system.evtx"}

func benchParse(b *testing.B, opts Options, workers int) {
	dir := sharedDir(b)
	for _, name := range benchFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Skipf("sample %s missing: %v", name, err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			records := 0
			for b.Loop() {
				rd, err := OpenBytes(data)
				if err != nil {
					b.Fatal(err)
				}
				records = 0
				if err := rd.Walk(opts, workers, func(c *Chunk) error { records += len(c.Records); return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkParseXML renders every record as XML using all cores.
func BenchmarkParseXML(b *testing.B) { benchParse(b, Options{XML: true}, 0) }

// BenchmarkParseXMLOneCore is the same on one goroutine (what the browser gets).
func BenchmarkParseXMLOneCore(b *testing.B) { benchParse(b, Options{XML: true}, 1) }

// BenchmarkParseJSON renders every record as JSON using all cores.
func BenchmarkParseJSON(b *testing.B) { benchParse(b, Options{JSON: true}, 0) }

// BenchmarkParseSummary decodes records without rendering (info, facets).
func BenchmarkParseSummary(b *testing.B) { benchParse(b, Options{}, 0) }
