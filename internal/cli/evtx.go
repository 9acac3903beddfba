package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ntatlas/internal/labs/evtx"
)

// EvtxInfo implements `ntatlas evtx info [--json] FILE`: header fields, chunk table, record
// counts, first/last record id and time, dirty/full flags and every checksum or parse error.
func EvtxInfo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evtx info", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas evtx info [--json] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(msg string) int { return evtxFail(*asJSON, stdout, stderr, msg) }
	if fs.NArg() != 1 {
		fs.Usage()
		return fail("expected exactly one FILE argument")
	}
	rd, f, err := openEvtx(fs.Arg(0))
	if err != nil {
		return fail(err.Error())
	}
	defer f.Close()
	in, err := rd.Info(0)
	if err != nil {
		return fail(err.Error())
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(in); err != nil {
			fmt.Fprintln(stderr, "evtx info:", err)
			return 2
		}
		return 0
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	h := in.Header
	fmt.Fprintf(w, "file:            %s\n", fs.Arg(0))
	if in.HeaderOK {
		fmt.Fprintf(w, "version:         %d.%d\n", h.MajorVersion, h.MinorVersion)
		fmt.Fprintf(w, "header chunks:   %d (first %d, last %d)\n", h.ChunkCount, h.FirstChunk, h.LastChunk)
		fmt.Fprintf(w, "next record id:  %d\n", h.NextRecordID)
		fmt.Fprintf(w, "flags:           0x%x%s\n", h.Flags, flagText(h.Flags))
		fmt.Fprintf(w, "header checksum: 0x%08x (%s)\n", h.Checksum, okText(h.ChecksumOK, h.Flags&evtx.FlagNoCRC32 != 0))
	} else {
		fmt.Fprintf(w, "header:          missing or damaged\n")
	}
	fmt.Fprintf(w, "chunks found:    %d\n", in.Chunks)
	fmt.Fprintf(w, "records:         %d\n", in.Records)
	fmt.Fprintf(w, "record ids:      %d .. %d\n", in.FirstRecordID, in.LastRecordID)
	fmt.Fprintf(w, "written:         %s .. %s\n", in.FirstTime, in.LastTime)
	fmt.Fprintf(w, "dirty:           %t\nfull:            %t\n", in.Dirty, in.Full)
	fmt.Fprintf(w, "checksum errors: %d\n\n", in.ChecksumErrors)
	fmt.Fprintf(w, "%5s %10s %10s %10s %7s %6s %6s %6s\n", "chunk", "offset", "first id", "last id", "records", "hdrCRC", "recCRC", "errors")
	for _, c := range in.ChunkTable {
		note := ""
		if c.BeyondCount {
			note = "  beyond header count"
		}
		fmt.Fprintf(w, "%5d %10d %10d %10d %7d %6s %6s %6d%s\n", c.Index, c.Offset, c.FirstRecordID, c.LastRecordID,
			c.Records, okShort(c.HeaderChecksumOK, !c.ChecksumsChecked), okShort(c.DataChecksumOK, !c.ChecksumsChecked), c.Errors, note)
	}
	if len(in.Errors) > 0 {
		fmt.Fprintf(w, "\nerrors (%d):\n", len(in.Errors)+in.ErrorsTruncated)
		for _, e := range in.Errors {
			fmt.Fprintf(w, "  %s\n", e.Error())
		}
		if in.ErrorsTruncated > 0 {
			fmt.Fprintf(w, "  ... and %d more\n", in.ErrorsTruncated)
		}
	}
	return 0
}

func flagText(f uint32) string {
	var parts []string
	if f&evtx.FlagDirty != 0 {
		parts = append(parts, "dirty")
	}
	if f&evtx.FlagFull != 0 {
		parts = append(parts, "full")
	}
	if f&evtx.FlagNoCRC32 != 0 {
		parts = append(parts, "no-crc32")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func okText(ok, skipped bool) string {
	switch {
	case skipped:
		return "not written"
	case ok:
		return "ok"
	}
	return "MISMATCH"
}

func okShort(ok, skipped bool) string {
	switch {
	case skipped:
		return "-"
	case ok:
		return "ok"
	}
	return "BAD"
}

// EvtxDump implements `ntatlas evtx dump [--format xml|json|jsonl] [--chunk N] [--filter F] FILE`.
// Records come in file order. Parse errors are reported on stderr and do not stop the dump.
func EvtxDump(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evtx dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "xml", "output format: xml, json or jsonl (one record per line)")
	chunk := fs.Int("chunk", -1, "dump only the chunk with this index (as listed by evtx info)")
	filter := fs.String("filter", "", "keep records matching Field=Value[|Value][,Field=Value]; fields EventID, Level, Provider, Channel, Computer, RecordID")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas evtx dump [--format xml|json|jsonl] [--chunk N] [--filter 'EventID=4624'] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	jsonOut := *format == "json" || *format == "jsonl"
	fail := func(msg string) int { return evtxFail(jsonOut, stdout, stderr, msg) }
	if *format != "xml" && !jsonOut {
		return fail(fmt.Sprintf("--format %q: want xml, json or jsonl", *format))
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fail("expected exactly one FILE argument")
	}
	flt, err := evtx.ParseFilter(*filter)
	if err != nil {
		return fail("--filter: " + err.Error())
	}
	rd, f, err := openEvtx(fs.Arg(0))
	if err != nil {
		return fail(err.Error())
	}
	defer f.Close()
	for _, e := range rd.FileErrors() {
		fmt.Fprintln(stderr, "evtx:", e.Error())
	}
	opts := evtx.Options{XML: !jsonOut, JSON: jsonOut, Filter: flt}
	w := bufio.NewWriterSize(stdout, 1<<16)
	n := 0
	switch *format {
	case "xml":
		w.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n")
	case "json":
		w.WriteString("[")
	}
	emit := func(c *evtx.Chunk) error {
		for _, e := range c.Errors {
			fmt.Fprintln(stderr, "evtx:", e.Error())
		}
		for i := range c.Records {
			r := &c.Records[i]
			switch *format {
			case "xml":
				fmt.Fprintf(w, "<!-- record %d, chunk %d, offset %d -->\n", r.ID, r.Chunk, r.Offset)
				w.WriteString(r.XML)
			default:
				if *format == "json" {
					if n > 0 {
						w.WriteString(",")
					}
					w.WriteString("\n")
				}
				w.WriteString(evtx.RecordJSONLine(r))
				if *format == "jsonl" {
					w.WriteString("\n")
				}
			}
			n++
		}
		return nil
	}
	if *chunk >= 0 {
		c, err := rd.ReadChunk(*chunk, opts)
		if err != nil {
			return fail(err.Error())
		}
		emit(c)
	} else if err := rd.Walk(opts, 0, emit); err != nil {
		w.Flush()
		return fail(err.Error())
	}
	switch *format {
	case "xml":
		w.WriteString("</Events>\n")
	case "json":
		w.WriteString("\n]\n")
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(stderr, "evtx dump:", err)
		return 2
	}
	return 0
}

func openEvtx(path string) (*evtx.Reader, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, nil, errors.New(path + " is a directory")
	}
	rd, err := evtx.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rd, f, nil
}

// evtxFail reports a usage or input error: a JSON object on stdout when JSON output was asked
// for ({"error": {"message": ...}}), and always a line on stderr. Exit status 2.
func evtxFail(asJSON bool, stdout, stderr io.Writer, msg string) int {
	if asJSON {
		b, _ := json.Marshal(map[string]any{"error": map[string]string{"message": msg}})
		stdout.Write(append(b, '\n'))
	}
	fmt.Fprintln(stderr, "evtx:", msg)
	return 2
}
