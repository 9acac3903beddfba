package evtx

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
)

// Layout constants of the EVTX format (libyal "Windows XML Event Log (EVTX)" specification).
const (
	FileHeaderSize  = 4096  // file header block; its first 128 bytes are used
	ChunkSize       = 65536 // every chunk
	chunkHeaderSize = 512   // chunk header, string hash table and template table
	recordHeaderLen = 24    // signature, size, record id, written time
)

const (
	fileMagic   = "ElfFile\x00"
	chunkMagic  = "ElfChnk\x00"
	recordMagic = "\x2a\x2a\x00\x00"
)

// File header flags.
const (
	FlagDirty   = 0x1 // the log was not closed cleanly
	FlagFull    = 0x2 // the log reached its maximum size
	FlagNoCRC32 = 0x4 // checksums were not written (newer Windows versions)
)

// FileHeader is the first 128 bytes of an EVTX file.
type FileHeader struct {
	FirstChunk      uint64 `json:"firstChunkNumber"`
	LastChunk       uint64 `json:"lastChunkNumber"`
	NextRecordID    uint64 `json:"nextRecordId"`
	HeaderSize      uint32 `json:"headerSize"`
	MinorVersion    uint16 `json:"minorVersion"`
	MajorVersion    uint16 `json:"majorVersion"`
	HeaderBlockSize uint16 `json:"headerBlockSize"`
	ChunkCount      uint16 `json:"chunkCount"`
	Flags           uint32 `json:"flags"`
	Checksum        uint32 `json:"checksum"`
	ChecksumOK      bool   `json:"checksumOk"`
}

// ParseFileHeader decodes a file header from at least 128 bytes. A wrong checksum is not an
// error (ChecksumOK reports it): the rest of the file may still be readable.
func ParseFileHeader(b []byte) (FileHeader, error) {
	var h FileHeader
	if len(b) < 128 {
		return h, fmt.Errorf("file header: %d bytes, need 128", len(b))
	}
	if string(b[:8]) != fileMagic {
		return h, fmt.Errorf("file header at offset 0: signature %q is not \"ElfFile\\x00\"", b[:8])
	}
	le := binary.LittleEndian
	h.FirstChunk = le.Uint64(b[8:])
	h.LastChunk = le.Uint64(b[16:])
	h.NextRecordID = le.Uint64(b[24:])
	h.HeaderSize = le.Uint32(b[32:])
	h.MinorVersion = le.Uint16(b[36:])
	h.MajorVersion = le.Uint16(b[38:])
	h.HeaderBlockSize = le.Uint16(b[40:])
	h.ChunkCount = le.Uint16(b[42:])
	h.Flags = le.Uint32(b[120:])
	h.Checksum = le.Uint32(b[124:])
	h.ChecksumOK = crc32.ChecksumIEEE(b[:120]) == h.Checksum
	return h, nil
}

// ChunkHeader is the first 128 bytes of a chunk (the string and template tables follow).
type ChunkHeader struct {
	FirstRecordNumber uint64 `json:"firstRecordNumber"`
	LastRecordNumber  uint64 `json:"lastRecordNumber"`
	FirstRecordID     uint64 `json:"firstRecordId"`
	LastRecordID      uint64 `json:"lastRecordId"`
	HeaderSize        uint32 `json:"headerSize"`
	LastRecordOffset  uint32 `json:"lastRecordOffset"`
	FreeSpaceOffset   uint32 `json:"freeSpaceOffset"`
	DataChecksum      uint32 `json:"dataChecksum"`
	Flags             uint32 `json:"flags"`
	HeaderChecksum    uint32 `json:"headerChecksum"`
}

// ParseChunkHeader decodes a chunk header from at least 512 bytes.
func ParseChunkHeader(b []byte) (ChunkHeader, error) {
	var h ChunkHeader
	if len(b) < chunkHeaderSize {
		return h, fmt.Errorf("chunk header: %d bytes, need %d", len(b), chunkHeaderSize)
	}
	if string(b[:8]) != chunkMagic {
		return h, fmt.Errorf("chunk signature %q is not \"ElfChnk\\x00\"", b[:8])
	}
	le := binary.LittleEndian
	h.FirstRecordNumber = le.Uint64(b[8:])
	h.LastRecordNumber = le.Uint64(b[16:])
	h.FirstRecordID = le.Uint64(b[24:])
	h.LastRecordID = le.Uint64(b[32:])
	h.HeaderSize = le.Uint32(b[40:])
	h.LastRecordOffset = le.Uint32(b[44:])
	h.FreeSpaceOffset = le.Uint32(b[48:])
	h.DataChecksum = le.Uint32(b[52:])
	h.Flags = le.Uint32(b[120:])
	h.HeaderChecksum = le.Uint32(b[124:])
	return h, nil
}

// chunkHeaderCRC is the CRC32 of bytes 0–120 and 128–512: everything but the flags and the
// checksum itself.
func chunkHeaderCRC(b []byte) uint32 {
	c := crc32.Update(0, crc32.IEEETable, b[:120])
	return crc32.Update(c, crc32.IEEETable, b[128:chunkHeaderSize])
}

// ParseError is one failure, located by chunk index, record id (0 when unknown) and byte
// offset in the file.
type ParseError struct {
	Chunk    int    `json:"chunk"`
	RecordID uint64 `json:"recordId,omitempty"`
	Offset   int64  `json:"offset"`
	Message  string `json:"message"`
}

func (e ParseError) Error() string {
	if e.RecordID != 0 {
		return fmt.Sprintf("chunk %d, record %d, offset %d: %s", e.Chunk, e.RecordID, e.Offset, e.Message)
	}
	return fmt.Sprintf("chunk %d, offset %d: %s", e.Chunk, e.Offset, e.Message)
}

// Record is one event record. XML and JSON are filled when the options ask for them; the
// System fields are always extracted (missing numbers are -1).
type Record struct {
	Chunk    int    `json:"chunk"`
	ID       uint64 `json:"recordId"`
	Offset   int64  `json:"offset"`
	Written  string `json:"written"`
	FileTime uint64 `json:"-"`
	EventID  int64  `json:"eventId"`
	Level    int64  `json:"level"`
	Provider string `json:"provider"`
	// Source is the Provider element's EventSourceName attribute (classic event sources).
	Source   string `json:"eventSourceName,omitempty"`
	Channel  string `json:"channel,omitempty"`
	Computer string `json:"computer,omitempty"`
	Created  string `json:"timeCreated,omitempty"`
	XML      string `json:"xml,omitempty"`
	// JSON is the record's JSON document ({"Event": …}), embedded as an object in API results.
	JSON json.RawMessage `json:"json,omitempty"`
	Err  string          `json:"error,omitempty"`
	// Recovered marks a record found by scanning past damage or in the chunk's unused space
	// rather than by walking the chunk's record list. Such records are counted apart.
	Recovered bool `json:"recovered,omitempty"`
}

// Chunk is the decoded content of one 64 KiB chunk.
type Chunk struct {
	Index            int          `json:"index"`
	Offset           int64        `json:"offset"`
	Header           ChunkHeader  `json:"header"`
	HeaderChecksumOK bool         `json:"headerChecksumOk"`
	DataChecksumOK   bool         `json:"dataChecksumOk"`
	ChecksumsChecked bool         `json:"checksumsChecked"`
	BeyondCount      bool         `json:"beyondHeaderCount"`
	RecordCount      int          `json:"recordCount"`
	RecoveredCount   int          `json:"recoveredCount"`
	FirstRecordID    uint64       `json:"firstRecordId"`
	LastRecordID     uint64       `json:"lastRecordId"`
	Records          []Record     `json:"records,omitempty"`
	Errors           []ParseError `json:"errors,omitempty"`
}

// Options choose what DecodeChunk produces.
type Options struct {
	XML  bool
	JSON bool
	// Filter keeps only matching records (nil keeps all). RecordCount still counts every record.
	Filter *Filter
	// SkipChecksums leaves CRC verification out (when the file header says none were written).
	SkipChecksums bool
}

// DecodeChunk decodes one chunk. data must be the whole chunk (ChunkSize bytes); index and
// fileOffset only label records and errors. It never panics on malformed data.
func DecodeChunk(data []byte, index int, fileOffset int64, opts Options) *Chunk {
	return decodeChunk(data, index, fileOffset, opts, &expander{})
}

// decodeChunk is DecodeChunk with an expander whose memory is reused from chunk to chunk.
func decodeChunk(data []byte, index int, fileOffset int64, opts Options, x *expander) *Chunk {
	ch := &Chunk{Index: index, Offset: fileOffset}
	fail := func(off int, id uint64, format string, a ...any) {
		ch.Errors = append(ch.Errors, ParseError{Chunk: index, RecordID: id, Offset: fileOffset + int64(off), Message: fmt.Sprintf(format, a...)})
	}
	if len(data) < ChunkSize {
		fail(0, 0, "chunk truncated: %d of %d bytes", len(data), ChunkSize)
		if len(data) < chunkHeaderSize {
			return ch
		}
	}
	if len(data) > ChunkSize {
		data = data[:ChunkSize]
	}
	h, err := ParseChunkHeader(data)
	if err != nil {
		fail(0, 0, "%v", err)
		return ch
	}
	ch.Header = h
	limit := int(h.FreeSpaceOffset)
	if limit < chunkHeaderSize || limit > len(data) {
		fail(48, 0, "free space offset %d outside the chunk; reading records up to the chunk end", h.FreeSpaceOffset)
		limit = len(data)
	}
	if !opts.SkipChecksums {
		ch.ChecksumsChecked = true
		ch.HeaderChecksumOK = chunkHeaderCRC(data) == h.HeaderChecksum
		if !ch.HeaderChecksumOK {
			fail(124, 0, "chunk header checksum 0x%08x, computed 0x%08x", h.HeaderChecksum, chunkHeaderCRC(data))
		}
		sum := crc32.ChecksumIEEE(data[chunkHeaderSize:limit])
		ch.DataChecksumOK = sum == h.DataChecksum
		if !ch.DataChecksumOK {
			fail(52, 0, "event records checksum 0x%08x, computed 0x%08x", h.DataChecksum, sum)
		}
	}
	c := newChunkCtx(data)
	x.c = c
	var buf []byte
	off := chunkHeaderSize
	recovering := false // set once damage forced a scan: later records are "recovered"
	slack := false      // scanning the unused space after the free space offset
	for {
		if off+recordHeaderLen > limit {
			if slack || limit >= len(data) {
				break
			}
			// Unused space after the last record can hold whole records of an earlier cycle.
			slack, recovering = true, true
			off = resync(data, limit, len(data))
			limit = len(data)
			continue
		}
		if string(data[off:off+4]) != recordMagic {
			if allZero(data[off:limit]) {
				off = limit
				continue
			}
			next := resync(data, off+1, limit)
			if !slack {
				fail(off, 0, "no record signature; skipped %d bytes to the next record", next-off)
			}
			off, recovering = next, true
			continue
		}
		size := int(binary.LittleEndian.Uint32(data[off+4:]))
		id := binary.LittleEndian.Uint64(data[off+8:])
		if size < recordHeaderLen+4 || off+size > len(data) {
			next := resync(data, off+1, limit)
			if !slack {
				fail(off, id, "record size %d invalid; skipped %d bytes to the next record", size, next-off)
			}
			off, recovering = next, true
			continue
		}
		if cp := binary.LittleEndian.Uint32(data[off+size-4:]); int(cp) != size {
			// A record being written when the log was copied has its size but not yet its
			// trailing copy; its content cannot be trusted, and the next record may start
			// anywhere, so look for it.
			next := resync(data, off+1, limit)
			if !slack {
				fail(off, id, "record size %d but trailing size copy %d; record skipped (%d bytes to the next record)", size, cp, next-off)
			}
			off, recovering = next, true
			continue
		}
		ft := binary.LittleEndian.Uint64(data[off+16:])
		rec := Record{Chunk: index, ID: id, Offset: fileOffset + int64(off), FileTime: ft, Written: FormatFileTime(ft), EventID: -1, Level: -1}
		x.reset()
		d := decoder{c: c, pos: off + recordHeaderLen, end: off + size - 4, depID: true, x: x}
		nodes, err := d.fragment()
		items := x.collect(nodes, nil, 0)
		if err == nil {
			err = x.err
		}
		if err != nil && slack {
			// Leftovers in unused space often reference templates that were overwritten:
			// keep only those that decode cleanly.
			off += size
			continue
		}
		rec.Recovered = recovering
		if recovering {
			ch.RecoveredCount++
		} else {
			ch.RecordCount++
			if ch.FirstRecordID == 0 || id < ch.FirstRecordID {
				ch.FirstRecordID = id
			}
			if id > ch.LastRecordID {
				ch.LastRecordID = id
			}
		}
		if err != nil {
			rec.Err = err.Error()
			fail(off, id, "%v", err)
		}
		summarize(&rec, items)
		if opts.Filter == nil || opts.Filter.Match(&rec) {
			if opts.XML {
				buf = appendXML(buf[:0], items, 0)
				rec.XML = string(buf)
			}
			if opts.JSON {
				buf = appendJSONItems(buf[:0], items)
				rec.JSON = json.RawMessage(append([]byte(nil), buf...))
			}
			ch.Records = append(ch.Records, rec)
		}
		off += size
	}
	return ch
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// resync finds the next plausible record start (signature, sane size, matching size copy) so
// that one damaged record does not hide the rest of the chunk. Returns limit when none is left.
func resync(data []byte, from, limit int) int {
	for off := from; off+recordHeaderLen <= limit; {
		i := bytes.Index(data[off:limit], []byte(recordMagic))
		if i < 0 {
			return limit
		}
		off += i
		if off+recordHeaderLen > limit {
			return limit
		}
		size := int(binary.LittleEndian.Uint32(data[off+4:]))
		if size >= recordHeaderLen+4 && off+size <= len(data) && int(binary.LittleEndian.Uint32(data[off+size-4:])) == size {
			return off
		}
		off++
	}
	return limit
}

// summarize extracts the System fields used for filters, facets and tables.
func summarize(r *Record, items []xItem) {
	var ev *xElem
	for i := range items {
		if items[i].kind == kElement && items[i].el.name == "Event" {
			ev = items[i].el
			break
		}
	}
	if ev == nil {
		return
	}
	for i := range ev.kids {
		if ev.kids[i].kind != kElement || ev.kids[i].el.name != "System" {
			continue
		}
		for _, k := range ev.kids[i].el.kids {
			if k.kind != kElement {
				continue
			}
			e := k.el
			switch e.name {
			case "Provider":
				r.Provider = attrText(e, "Name")
				r.Source = attrText(e, "EventSourceName")
			case "EventID":
				r.EventID = parseInt(partsText(e.kids))
			case "Level":
				r.Level = parseInt(partsText(e.kids))
			case "Channel":
				r.Channel = partsText(e.kids)
			case "Computer":
				r.Computer = partsText(e.kids)
			case "TimeCreated":
				r.Created = attrText(e, "SystemTime")
			}
		}
		return
	}
}

//go:noinline
func attrText(e *xElem, name string) string {
	for _, a := range e.attrs {
		if a.name == name {
			return partsText(a.parts)
		}
	}
	return ""
}

func parseInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
