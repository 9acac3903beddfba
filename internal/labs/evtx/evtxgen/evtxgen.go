// Package evtxgen writes a small synthetic Security event log (.evtx) for the EVTX lab: invented
// events on an invented machine, laid out the way Windows lays out a real log, so that the lab
// can offer a sample without shipping anyone's real log.
//
// The layout follows the libyal "Windows XML Event Log (EVTX)" specification and what real
// Security logs show (checked against the samples of the omerbenamram/evtx project):
//   - one System template per chunk, shared by every record, whose last substitution (type
//     0x21, Binary XML) holds the event's EventData as a template instance of its own; one
//     EventData template per event shape, defined inline at its first use in the chunk and
//     referenced by offset afterwards;
//   - System substitutions in the order and types Windows uses (Level, Opcode, Task, EventID,
//     Qualifiers, Keywords, TimeCreated, ActivityID, ProcessID, ThreadID, EventRecordID,
//     Version, UserID, RelatedActivityID, Provider Name, Provider Guid, Channel, EventData),
//     with the computer name a literal of the template;
//   - names defined inline at first use, with their hash (h = h*65599 + c over the UTF-16 code
//     units, low 16 bits stored) and chained in the chunk's 64-bucket string table (bucket =
//     hash mod 64, newest first);
//   - template definitions chained in the chunk's 32-entry template table.
//
// Model choices of ours: the template GUIDs (Windows derives them in an undocumented way; ours
// are a hash of the template's shape), the template table bucket (first GUID dword mod 32),
// every value of every event. Everything is deterministic: no clock, no randomness.
package evtxgen

import (
	"encoding/binary"
	"hash/crc32"
	"hash/fnv"
	"unicode/utf16"
)

// Layout constants (libyal EVTX specification).
const (
	fileHeaderSize  = 4096
	chunkSize       = 65536
	chunkHeaderSize = 512
	stringBuckets   = 64
	templateBuckets = 32
)

// Value types of substitutions (EVT_VARIANT_TYPE, winevt.h; 0x21 is Binary XML).
const (
	tNull     byte = 0x00
	tString   byte = 0x01
	tUInt8    byte = 0x04
	tUInt16   byte = 0x06
	tUInt32   byte = 0x08
	tUInt64   byte = 0x0a
	tGUID     byte = 0x0f
	tSizeT    byte = 0x10
	tFileTime byte = 0x11
	tSID      byte = 0x13
	tHexInt32 byte = 0x14
	tHexInt64 byte = 0x15
	tBinXML   byte = 0x21
)

// Binary XML tokens.
const (
	tokEOF        = 0x00
	tokOpenStart  = 0x01
	tokCloseStart = 0x02
	tokCloseEmpty = 0x03
	tokEnd        = 0x04
	tokValue      = 0x05
	tokAttr       = 0x06
	tokTemplate   = 0x0c
	tokSubst      = 0x0d
	tokOptSubst   = 0x0e
	tokFragment   = 0x0f
	tokMore       = 0x40
)

// val is one substitution value.
type val struct {
	t byte
	b []byte
}

// chunk writes one 64 KiB chunk. Offsets of names and templates are chunk-relative, so the
// bytes are written in place, in order.
type chunk struct {
	b         []byte
	names     map[string]uint32
	tmpls     map[string]uint32
	strTable  [stringBuckets]uint32
	tmplTable [templateBuckets]uint32
	sizeAt    []int
	first     uint64
	last      uint64
	lastOff   int
	records   int
}

func newChunk() *chunk {
	c := &chunk{b: make([]byte, chunkHeaderSize, chunkSize), names: map[string]uint32{}, tmpls: map[string]uint32{}}
	copy(c.b, "ElfChnk\x00")
	return c
}

func (c *chunk) u8(v byte)    { c.b = append(c.b, v) }
func (c *chunk) u16(v uint16) { c.b = binary.LittleEndian.AppendUint16(c.b, v) }
func (c *chunk) u32(v uint32) { c.b = binary.LittleEndian.AppendUint32(c.b, v) }
func (c *chunk) u64(v uint64) { c.b = binary.LittleEndian.AppendUint64(c.b, v) }
func (c *chunk) patch32(at int, v uint32) {
	binary.LittleEndian.PutUint32(c.b[at:], v)
}

func utf16le(s string) []byte {
	var out []byte
	for _, r := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, r)
	}
	return out
}

// nameHash is the hash Windows stores with each name (low 16 bits) and uses to pick the
// string table bucket: h = h*65599 + c over the UTF-16 code units.
func nameHash(s string) uint32 {
	var h uint32
	for _, u := range utf16.Encode([]rune(s)) {
		h = h*65599 + uint32(u)
	}
	return h
}

// name writes a name reference, defining the name inline at its first use in the chunk and
// linking it into the string table.
func (c *chunk) name(s string) {
	if off, ok := c.names[s]; ok {
		c.u32(off)
		return
	}
	off := uint32(len(c.b) + 4)
	c.names[s] = off
	c.u32(off)
	h := nameHash(s)
	bucket := h % stringBuckets
	c.u32(c.strTable[bucket]) // previous head of the bucket
	c.strTable[bucket] = off
	c.u16(uint16(h))
	c.u16(uint16(len(utf16.Encode([]rune(s)))))
	c.b = append(c.b, utf16le(s)...)
	c.u16(0)
}

// attr is one attribute of an element: a literal string or a substitution.
type attr struct {
	name string
	lit  string
	sub  int // substitution index, used when lit is ""
	typ  byte
	opt  bool
}

// open writes an element start in a template definition (which carries a dependency id).
func (c *chunk) open(name string, attrs []attr, empty bool) {
	tok := byte(tokOpenStart)
	if len(attrs) > 0 {
		tok |= tokMore
	}
	c.u8(tok)
	c.u16(0xffff)
	c.sizeAt = append(c.sizeAt, len(c.b))
	c.u32(0)
	c.name(name)
	if len(attrs) > 0 {
		listAt := len(c.b)
		c.u32(0)
		for i, a := range attrs {
			t := byte(tokAttr)
			if i < len(attrs)-1 {
				t |= tokMore
			}
			c.u8(t)
			c.name(a.name)
			if a.lit != "" {
				c.text(a.lit)
			} else {
				c.subst(a.sub, a.typ, a.opt)
			}
		}
		c.patch32(listAt, uint32(len(c.b)-listAt-4))
	}
	if empty {
		c.u8(tokCloseEmpty)
		c.closeSize()
		return
	}
	c.u8(tokCloseStart)
}

func (c *chunk) closeSize() {
	at := c.sizeAt[len(c.sizeAt)-1]
	c.sizeAt = c.sizeAt[:len(c.sizeAt)-1]
	c.patch32(at, uint32(len(c.b)-at-4))
}

func (c *chunk) end() { c.u8(tokEnd); c.closeSize() }

func (c *chunk) text(s string) {
	c.u8(tokValue)
	c.u8(tString)
	c.u16(uint16(len(utf16.Encode([]rune(s)))))
	c.b = append(c.b, utf16le(s)...)
}

func (c *chunk) subst(id int, t byte, optional bool) {
	if optional {
		c.u8(tokOptSubst)
	} else {
		c.u8(tokSubst)
	}
	c.u16(uint16(id))
	c.u8(t)
}

// leaf writes <name>substitution</name>.
func (c *chunk) leaf(name string, id int, t byte, optional bool) {
	c.open(name, nil, false)
	c.subst(id, t, optional)
	c.end()
}

// templateGUID derives a template's GUID from its key: Windows' derivation is undocumented,
// so this is our choice; it only has to be stable and distinct per shape.
func templateGUID(key string) [16]byte {
	var g [16]byte
	h := fnv.New128a()
	h.Write([]byte(key))
	copy(g[:], h.Sum(nil))
	return g
}

// instance writes a template instance. The definition (written by body) is inline the first
// time key is used in the chunk; later instances refer to it by offset. The values follow
// their descriptors; a value given as nil b with t == tBinXML is written by nested instead,
// and its size patched afterwards.
func (c *chunk) instance(key string, body func(), vals []val, nested func()) {
	g := templateGUID(key)
	c.u8(tokTemplate)
	c.u8(1)
	c.b = append(c.b, g[:4]...) // the template identifier is the GUID's first four bytes
	if off, ok := c.tmpls[key]; ok {
		c.u32(off)
	} else {
		off := uint32(len(c.b) + 4)
		c.tmpls[key] = off
		c.u32(off)
		bucket := binary.LittleEndian.Uint32(g[:4]) % templateBuckets
		c.u32(c.tmplTable[bucket]) // next template in the bucket
		c.tmplTable[bucket] = off
		c.b = append(c.b, g[:]...)
		sizeAt := len(c.b)
		c.u32(0)
		c.b = append(c.b, tokFragment, 1, 1, 0)
		body()
		c.u8(tokEOF)
		c.patch32(sizeAt, uint32(len(c.b)-sizeAt-4))
	}
	c.u32(uint32(len(vals)))
	desc := len(c.b)
	for _, v := range vals {
		c.u16(uint16(len(v.b)))
		c.u8(v.t)
		c.u8(0)
	}
	for i, v := range vals {
		if v.t == tBinXML && v.b == nil && nested != nil {
			start := len(c.b)
			nested()
			binary.LittleEndian.PutUint16(c.b[desc+4*i:], uint16(len(c.b)-start))
			continue
		}
		c.b = append(c.b, v.b...)
	}
}

// finish fills in the chunk header: record numbers and ids, offsets, the string and template
// tables, and both checksums; the rest of the 64 KiB stays zero.
func (c *chunk) finish() []byte {
	free := len(c.b)
	out := make([]byte, chunkSize)
	copy(out, c.b)
	le := binary.LittleEndian
	le.PutUint64(out[8:], c.first)  // first event record number
	le.PutUint64(out[16:], c.last)  // last event record number
	le.PutUint64(out[24:], c.first) // first event record identifier
	le.PutUint64(out[32:], c.last)  // last event record identifier
	le.PutUint32(out[40:], 128)     // header size
	le.PutUint32(out[44:], uint32(c.lastOff))
	le.PutUint32(out[48:], uint32(free))
	for i, v := range c.strTable {
		le.PutUint32(out[128+4*i:], v)
	}
	for i, v := range c.tmplTable {
		le.PutUint32(out[384+4*i:], v)
	}
	le.PutUint32(out[52:], crc32.ChecksumIEEE(out[chunkHeaderSize:free]))
	hc := crc32.Update(0, crc32.IEEETable, out[:120])
	hc = crc32.Update(hc, crc32.IEEETable, out[128:chunkHeaderSize])
	le.PutUint32(out[124:], hc)
	return out
}

// fileHeader writes the 4 KiB file header block of a cleanly closed log (flags 0).
func fileHeader(chunks int, nextRecordID uint64) []byte {
	h := make([]byte, fileHeaderSize)
	copy(h, "ElfFile\x00")
	le := binary.LittleEndian
	le.PutUint64(h[8:], 0)                 // first chunk number
	le.PutUint64(h[16:], uint64(chunks-1)) // last chunk number
	le.PutUint64(h[24:], nextRecordID)     // next record identifier
	le.PutUint32(h[32:], 128)              // header size
	le.PutUint16(h[36:], 1)                // minor version
	le.PutUint16(h[38:], 3)                // major version
	le.PutUint16(h[40:], fileHeaderSize)   // header block size
	le.PutUint16(h[42:], uint16(chunks))   // number of chunks
	le.PutUint32(h[120:], 0)               // file flags: clean, not full
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	return h
}
