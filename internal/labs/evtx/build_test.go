package evtx

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"
)

// chunkBuilder writes a chunk byte by byte so that chunk-relative offsets (inline names,
// template definitions, nested Binary XML) come out exactly as Windows lays them out.
type chunkBuilder struct {
	b       []byte
	names   map[string]uint32
	tmpls   map[string]uint32
	sizeAt  []int // stack of element data-size fields to patch
	noDepID bool  // inside nested Binary XML: element starts carry no dependency id
}

func newChunkBuilder() *chunkBuilder {
	c := &chunkBuilder{b: make([]byte, chunkHeaderSize), names: map[string]uint32{}, tmpls: map[string]uint32{}}
	copy(c.b, chunkMagic)
	return c
}

func (c *chunkBuilder) u8(v byte)    { c.b = append(c.b, v) }
func (c *chunkBuilder) u16(v uint16) { c.b = binary.LittleEndian.AppendUint16(c.b, v) }
func (c *chunkBuilder) u32(v uint32) { c.b = binary.LittleEndian.AppendUint32(c.b, v) }
func (c *chunkBuilder) u64(v uint64) { c.b = binary.LittleEndian.AppendUint64(c.b, v) }
func (c *chunkBuilder) patch32(at int, v uint32) {
	binary.LittleEndian.PutUint32(c.b[at:], v)
}

func u16s(s string) []byte {
	var out []byte
	for _, r := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, r)
	}
	return out
}

// name writes a name reference, defining the name inline on first use in the chunk.
func (c *chunkBuilder) name(s string) {
	if off, ok := c.names[s]; ok {
		c.u32(off)
		return
	}
	off := uint32(len(c.b) + 4)
	c.names[s] = off
	c.u32(off)
	c.u32(0) // next name in the hash bucket
	c.u16(0) // hash: not checked by readers
	c.u16(uint16(len(utf16.Encode([]rune(s)))))
	c.b = append(c.b, u16s(s)...)
	c.u16(0)
}

func (c *chunkBuilder) open(name string, attrs bool) {
	tok := byte(tokOpenStart)
	if attrs {
		tok |= tokMore
	}
	c.u8(tok)
	if !c.noDepID {
		c.u16(0xffff)
	}
	c.sizeAt = append(c.sizeAt, len(c.b))
	c.u32(0)
	c.name(name)
	if attrs {
		c.u32(0) // attribute list size: readers rely on the tokens
	}
}

func (c *chunkBuilder) attr(name string, more bool) {
	tok := byte(tokAttr)
	if more {
		tok |= tokMore
	}
	c.u8(tok)
	c.name(name)
}

func (c *chunkBuilder) closeSize() {
	at := c.sizeAt[len(c.sizeAt)-1]
	c.sizeAt = c.sizeAt[:len(c.sizeAt)-1]
	c.patch32(at, uint32(len(c.b)-at-4))
}

func (c *chunkBuilder) closeStart() { c.u8(tokCloseStart) }
func (c *chunkBuilder) closeEmpty() { c.u8(tokCloseEmpty); c.closeSize() }
func (c *chunkBuilder) end()        { c.u8(tokEnd); c.closeSize() }

func (c *chunkBuilder) text(s string) {
	c.u8(tokValue)
	c.u8(TypeString)
	c.u16(uint16(len(utf16.Encode([]rune(s)))))
	c.b = append(c.b, u16s(s)...)
}

func (c *chunkBuilder) subst(id uint16, t byte, optional bool) {
	if optional {
		c.u8(tokOptSubst)
	} else {
		c.u8(tokSubst)
	}
	c.u16(id)
	c.u8(t)
}

func (c *chunkBuilder) fragmentHeader() { c.b = append(c.b, tokFragment, 1, 1, 0) }

type tval struct {
	t byte
	b []byte
}

// instance writes a template instance; body writes the definition the first time key is used
// in this chunk, later uses reference it by offset.
func (c *chunkBuilder) instance(key string, body func(), vals []tval) {
	c.u8(tokTemplate)
	c.u8(1)
	c.u32(0x11223344)
	if off, ok := c.tmpls[key]; ok {
		c.u32(off)
	} else {
		off := uint32(len(c.b) + 4)
		c.tmpls[key] = off
		c.u32(off)
		c.u32(0)                                                                         // next template
		c.b = append(c.b, 0x44, 0x33, 0x22, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) // GUID
		sizeAt := len(c.b)
		c.u32(0)
		saved := c.noDepID
		c.noDepID = false
		c.fragmentHeader()
		body()
		c.u8(tokEOF)
		c.noDepID = saved
		c.patch32(sizeAt, uint32(len(c.b)-sizeAt-4))
	}
	c.u32(uint32(len(vals)))
	for _, v := range vals {
		c.u16(uint16(len(v.b)))
		c.u8(v.t)
		c.u8(0)
	}
	for _, v := range vals {
		c.b = append(c.b, v.b...)
	}
}

// record writes one event record around the Binary XML written by body.
func (c *chunkBuilder) record(id, filetime uint64, body func()) {
	start := len(c.b)
	c.b = append(c.b, recordMagic...)
	c.u32(0)
	c.u64(id)
	c.u64(filetime)
	c.fragmentHeader()
	body()
	c.u8(tokEOF)
	size := uint32(len(c.b) - start + 4)
	c.u32(size)
	c.patch32(start+4, size)
}

// finish fills the header fields and checksums and pads the chunk to 64 KiB.
func (c *chunkBuilder) finish(first, last uint64) []byte {
	free := len(c.b)
	out := make([]byte, ChunkSize)
	copy(out, c.b)
	le := binary.LittleEndian
	le.PutUint64(out[8:], first)
	le.PutUint64(out[16:], last)
	le.PutUint64(out[24:], first)
	le.PutUint64(out[32:], last)
	le.PutUint32(out[40:], 128)
	le.PutUint32(out[48:], uint32(free))
	le.PutUint32(out[52:], crc32.ChecksumIEEE(out[chunkHeaderSize:free]))
	le.PutUint32(out[124:], chunkHeaderCRC(out))
	return out
}

// buildFile puts a file header in front of chunks.
func buildFile(flags uint32, chunks ...[]byte) []byte {
	h := make([]byte, FileHeaderSize)
	copy(h, fileMagic)
	le := binary.LittleEndian
	le.PutUint64(h[16:], uint64(len(chunks)-1))
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 2)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], FileHeaderSize)
	le.PutUint16(h[42:], uint16(len(chunks)))
	le.PutUint32(h[120:], flags)
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	for _, c := range chunks {
		h = append(h, c...)
	}
	return h
}
