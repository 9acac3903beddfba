package evtx

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Reader reads an EVTX file chunk by chunk from an io.ReaderAt; it holds no more than a few
// chunks in memory at a time, whatever the file size.
type Reader struct {
	r      io.ReaderAt
	size   int64
	Header FileHeader
	// HeaderOK is false when the file header is missing or damaged; chunks are still read.
	HeaderOK bool
	slots    []slot
	errs     []ParseError
}

type slot struct {
	index  int
	offset int64
	beyond bool // past the header's chunk count: left by a dirty or recycled log
}

// NewReader reads the file header and finds the chunks: every 64 KiB slot after the header
// block whose signature is "ElfChnk", including slots beyond the header's chunk count (a log
// closed uncleanly may not have updated the count). Slots inside the count with a bad signature
// are reported. It fails only when the data holds neither a header nor a chunk.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	rd := &Reader{r: r, size: size}
	hb := make([]byte, 128)
	if size >= 128 {
		if _, err := r.ReadAt(hb, 0); err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading file header: %w", err)
		}
		h, err := ParseFileHeader(hb)
		if err != nil {
			rd.errs = append(rd.errs, ParseError{Chunk: -1, Offset: 0, Message: err.Error()})
		} else {
			rd.Header, rd.HeaderOK = h, true
			if !h.ChecksumOK && h.Flags&FlagNoCRC32 == 0 {
				rd.errs = append(rd.errs, ParseError{Chunk: -1, Offset: 124, Message: fmt.Sprintf("file header checksum 0x%08x, computed 0x%08x", h.Checksum, crc32IEEE(hb[:120]))})
			}
		}
	} else {
		rd.errs = append(rd.errs, ParseError{Chunk: -1, Offset: 0, Message: fmt.Sprintf("file of %d bytes is shorter than a file header", size)})
	}
	// The header block is 4096 bytes in every known version; a damaged header must not move
	// the chunk grid.
	magic := make([]byte, 8)
	for i, off := 0, int64(FileHeaderSize); off+chunkHeaderSize <= size; i, off = i+1, off+ChunkSize {
		if _, err := r.ReadAt(magic, off); err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading chunk %d at offset %d: %w", i, off, err)
		}
		inCount := rd.HeaderOK && i < int(rd.Header.ChunkCount)
		if string(magic) == chunkMagic {
			// A chunk cut short by the end of the file is reported by DecodeChunk.
			rd.slots = append(rd.slots, slot{index: i, offset: off, beyond: rd.HeaderOK && !inCount})
			continue
		}
		if inCount {
			rd.errs = append(rd.errs, ParseError{Chunk: i, Offset: off, Message: fmt.Sprintf("chunk signature %q is not \"ElfChnk\\x00\"; chunk skipped", magic)})
		}
	}
	if !rd.HeaderOK && len(rd.slots) == 0 {
		return nil, fmt.Errorf("not an EVTX file: %s, and no chunk found", rd.errs[0].Message)
	}
	return rd, nil
}

// NumChunks is the number of chunks found (those with a valid signature).
func (rd *Reader) NumChunks() int { return len(rd.slots) }

// FileErrors are the problems found before decoding chunks: header and chunk signatures.
func (rd *Reader) FileErrors() []ParseError { return append([]ParseError(nil), rd.errs...) }

// ChunkIndexes lists the indexes of the chunks found, in file order. A chunk's index is its
// position in the file ((offset-4096)/65536), the number used in tables and errors.
func (rd *Reader) ChunkIndexes() []int {
	out := make([]int, len(rd.slots))
	for i, s := range rd.slots {
		out[i] = s.index
	}
	return out
}

// ReadChunk reads and decodes the chunk with the given index.
func (rd *Reader) ReadChunk(index int, opts Options) (*Chunk, error) {
	for _, s := range rd.slots {
		if s.index == index {
			return rd.decode(s, make([]byte, ChunkSize), opts, &expander{})
		}
	}
	return nil, fmt.Errorf("no chunk with index %d (%d chunks found; indexes %s)", index, len(rd.slots), rangeText(rd.ChunkIndexes()))
}

func rangeText(ix []int) string {
	if len(ix) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d..%d", ix[0], ix[len(ix)-1])
}

func (rd *Reader) decode(s slot, buf []byte, opts Options, x *expander) (*Chunk, error) {
	n, err := rd.r.ReadAt(buf, s.offset)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading chunk %d at offset %d: %w", s.index, s.offset, err)
	}
	if rd.HeaderOK && rd.Header.Flags&FlagNoCRC32 != 0 {
		opts.SkipChecksums = true
	}
	c := decodeChunk(buf[:n], s.index, s.offset, opts, x)
	c.BeyondCount = s.beyond
	return c, nil
}

// Walk decodes every chunk and calls fn with each in file order. Chunks are decoded by up to
// workers goroutines (0 means GOMAXPROCS); at most 2×workers decoded chunks wait for fn, so
// memory stays bounded. The output does not depend on the number of workers. fn returning an
// error stops the walk and Walk returns that error.
func (rd *Reader) Walk(opts Options, workers int, fn func(*Chunk) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(rd.slots) {
		workers = len(rd.slots)
	}
	if workers <= 1 {
		buf := make([]byte, ChunkSize)
		x := &expander{}
		for _, s := range rd.slots {
			c, err := rd.decode(s, buf, opts, x)
			if err != nil {
				return err
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
	type result struct {
		c   *Chunk
		err error
	}
	window := 2 * workers
	results := make([]chan result, len(rd.slots))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	jobs := make(chan int)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each decoded chunk keeps its buffer alive through the records that alias it, so
			// every chunk gets a fresh one.
			x := &expander{}
			for i := range jobs {
				c, err := rd.decode(rd.slots[i], make([]byte, ChunkSize), opts, x)
				results[i] <- result{c, err}
			}
		}()
	}
	// sem holds one token per chunk dispatched but not yet consumed by fn: the bound on memory.
	sem := make(chan struct{}, window)
	go func() {
		defer close(jobs)
		for i := range rd.slots {
			select {
			case sem <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case jobs <- i:
			case <-stop:
				return
			}
		}
	}()
	var ferr error
	for i := range rd.slots {
		r := <-results[i]
		<-sem
		if r.err != nil {
			ferr = r.err
		} else {
			ferr = fn(r.c)
		}
		if ferr != nil {
			close(stop)
			break
		}
	}
	wg.Wait()
	return ferr
}

// Filter selects records by System fields; every condition must hold (AND).
type Filter struct {
	conds []cond
}

type cond struct {
	field string // canonical name
	vals  []string
}

// ParseFilter parses "Field=Value[|Value...][,Field=Value...]". Fields: EventID, Level,
// Provider, Channel, Computer, RecordID (case-insensitive names; Provider, Channel and Computer
// values compare case-insensitively). An empty string is no filter.
func ParseFilter(s string) (*Filter, error) {
	f := &Filter{}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	pos := 0
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		name := canonicalField(strings.TrimSpace(k))
		if !ok || name == "" {
			return nil, &FilterError{Offset: pos, Msg: fmt.Sprintf("%q: want Field=Value with Field one of EventID, Level, Provider, Channel, Computer, RecordID", part)}
		}
		var vals []string
		for _, alt := range strings.Split(v, "|") {
			alt = strings.TrimSpace(alt)
			if name == "EventID" || name == "Level" || name == "RecordID" {
				if _, err := strconv.ParseUint(alt, 10, 64); err != nil {
					return nil, &FilterError{Offset: pos + len(k) + 1, Msg: fmt.Sprintf("%s value %q is not a non-negative integer", name, alt)}
				}
			}
			vals = append(vals, alt)
		}
		f.conds = append(f.conds, cond{field: name, vals: vals})
		pos += len(part) + 1
	}
	return f, nil
}

// FilterError names the byte offset in the filter text where it went wrong.
type FilterError struct {
	Offset int
	Msg    string
}

func (e *FilterError) Error() string { return fmt.Sprintf("filter offset %d: %s", e.Offset, e.Msg) }

func canonicalField(k string) string {
	for _, f := range []string{"EventID", "Level", "Provider", "Channel", "Computer", "RecordID"} {
		if strings.EqualFold(k, f) {
			return f
		}
	}
	return ""
}

// Match reports whether a record satisfies every condition.
func (f *Filter) Match(r *Record) bool {
	if f == nil {
		return true
	}
	for _, c := range f.conds {
		ok := false
		for _, v := range c.vals {
			switch c.field {
			case "EventID":
				ok = strconv.FormatInt(r.EventID, 10) == v
			case "Level":
				ok = strconv.FormatInt(r.Level, 10) == v
			case "RecordID":
				ok = strconv.FormatUint(r.ID, 10) == v
			case "Provider":
				ok = strings.EqualFold(r.Provider, v)
			case "Channel":
				ok = strings.EqualFold(r.Channel, v)
			case "Computer":
				ok = strings.EqualFold(r.Computer, v)
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ChunkRow is one line of the chunk table.
type ChunkRow struct {
	Index            int    `json:"index"`
	Offset           int64  `json:"offset"`
	FirstRecordID    uint64 `json:"firstRecordId"`
	LastRecordID     uint64 `json:"lastRecordId"`
	Records          int    `json:"records"`
	Recovered        int    `json:"recovered"`
	HeaderChecksumOK bool   `json:"headerChecksumOk"`
	DataChecksumOK   bool   `json:"dataChecksumOk"`
	ChecksumsChecked bool   `json:"checksumsChecked"`
	BeyondCount      bool   `json:"beyondHeaderCount"`
	Errors           int    `json:"errors"`
}

// Info summarises a file.
type Info struct {
	Header          FileHeader   `json:"header"`
	HeaderOK        bool         `json:"headerOk"`
	Records         int          `json:"records"`
	Recovered       int          `json:"recovered"`
	Chunks          int          `json:"chunks"`
	FirstRecordID   uint64       `json:"firstRecordId"`
	LastRecordID    uint64       `json:"lastRecordId"`
	FirstTime       string       `json:"firstTime"`
	LastTime        string       `json:"lastTime"`
	Dirty           bool         `json:"dirty"`
	Full            bool         `json:"full"`
	ChecksumErrors  int          `json:"checksumErrors"`
	ChunkTable      []ChunkRow   `json:"chunkTable"`
	Errors          []ParseError `json:"errors"`
	ErrorsTruncated int          `json:"errorsTruncated,omitempty"`
}

// MaxInfoErrors caps the errors listed by Info; the rest are counted in ErrorsTruncated.
const MaxInfoErrors = 1000

// Info decodes the whole file and summarises it. Record ids and times are the smallest and
// largest found (file order differs from id order in a wrapped log); times are the records'
// written times.
func (rd *Reader) Info(workers int) (*Info, error) {
	in := &Info{Header: rd.Header, HeaderOK: rd.HeaderOK, Chunks: len(rd.slots), ChunkTable: []ChunkRow{}, Errors: []ParseError{}}
	in.Dirty = rd.Header.Flags&FlagDirty != 0
	in.Full = rd.Header.Flags&FlagFull != 0
	addErr := func(e ParseError) {
		if len(in.Errors) < MaxInfoErrors {
			in.Errors = append(in.Errors, e)
		} else {
			in.ErrorsTruncated++
		}
	}
	for _, e := range rd.errs {
		addErr(e)
	}
	var minFT, maxFT uint64
	err := rd.Walk(Options{}, workers, func(c *Chunk) error {
		row := ChunkRow{Index: c.Index, Offset: c.Offset, FirstRecordID: c.FirstRecordID, LastRecordID: c.LastRecordID,
			Records: c.RecordCount, Recovered: c.RecoveredCount, HeaderChecksumOK: c.HeaderChecksumOK, DataChecksumOK: c.DataChecksumOK,
			ChecksumsChecked: c.ChecksumsChecked, BeyondCount: c.BeyondCount, Errors: len(c.Errors)}
		in.ChunkTable = append(in.ChunkTable, row)
		if c.ChecksumsChecked {
			if !c.HeaderChecksumOK {
				in.ChecksumErrors++
			}
			if !c.DataChecksumOK {
				in.ChecksumErrors++
			}
		}
		for _, e := range c.Errors {
			addErr(e)
		}
		for i := range c.Records {
			r := &c.Records[i]
			if r.Recovered {
				in.Recovered++
				continue
			}
			in.Records++
			if in.FirstRecordID == 0 || r.ID < in.FirstRecordID {
				in.FirstRecordID = r.ID
			}
			if r.ID > in.LastRecordID {
				in.LastRecordID = r.ID
			}
			if r.FileTime != 0 && (minFT == 0 || r.FileTime < minFT) {
				minFT = r.FileTime
			}
			if r.FileTime > maxFT {
				maxFT = r.FileTime
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if minFT != 0 {
		in.FirstTime, in.LastTime = FormatFileTime(minFT), FormatFileTime(maxFT)
	}
	if rd.HeaderOK && !rd.Header.ChecksumOK && rd.Header.Flags&FlagNoCRC32 == 0 {
		in.ChecksumErrors++
	}
	return in, nil
}

// Count is one facet value and how many records carry it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets counts records by provider, level and event id.
type Facets struct {
	Records  int     `json:"records"`
	Provider []Count `json:"provider"`
	Level    []Count `json:"level"`
	EventID  []Count `json:"eventId"`
}

// FacetCounter accumulates facets over records; Result sorts by count, then value.
type FacetCounter struct {
	n                    int
	prov, level, eventID map[string]int
}

// Add counts one record.
func (fc *FacetCounter) Add(r *Record) {
	if fc.prov == nil {
		fc.prov, fc.level, fc.eventID = map[string]int{}, map[string]int{}, map[string]int{}
	}
	fc.n++
	fc.prov[r.Provider]++
	fc.level[numText(r.Level)]++
	fc.eventID[numText(r.EventID)]++
}

func numText(n int64) string {
	if n < 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// Result returns the facets in a deterministic order.
func (fc *FacetCounter) Result() Facets {
	return Facets{Records: fc.n, Provider: sorted(fc.prov), Level: sorted(fc.level), EventID: sorted(fc.eventID)}
}

func sorted(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}
