package evtx

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzFileHeader(f *testing.F) {
	f.Add(testFileSeed()[:FileHeaderSize])
	f.Add([]byte("ElfFile\x00"))
	f.Add(make([]byte, 128))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseFileHeader(b)
		if err == nil && len(b) < 128 {
			t.Fatalf("accepted %d bytes: %+v", len(b), h)
		}
		if rd, err := OpenBytes(b); err == nil {
			if _, err := rd.Info(1); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzChunk(f *testing.F) {
	seed := testFileSeed()
	f.Add(seed[FileHeaderSize:])
	if files, _ := filepath.Glob("../../../../shared/evtx/*.evtx"); len(files) > 0 {
		if b, err := os.ReadFile(files[0]); err == nil && len(b) >= FileHeaderSize+ChunkSize {
			f.Add(b[FileHeaderSize : FileHeaderSize+ChunkSize])
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		opts := Options{XML: true, JSON: true}
		c := DecodeChunk(b, 0, 0, opts)
		for _, r := range c.Records {
			if r.Offset < 0 || r.Offset >= int64(len(b)) {
				t.Fatalf("record offset %d outside chunk", r.Offset)
			}
		}
		// Memory recycled from decoding another chunk must not leak into this one.
		x := &expander{}
		decodeChunk(seed[FileHeaderSize:], 0, 0, opts, x)
		again := decodeChunk(b, 0, 0, opts, x)
		if len(again.Records) != len(c.Records) {
			t.Fatalf("reused expander: %d records, fresh %d", len(again.Records), len(c.Records))
		}
		for i := range c.Records {
			if again.Records[i].XML != c.Records[i].XML || string(again.Records[i].JSON) != string(c.Records[i].JSON) {
				t.Fatalf("record %d differs with a reused expander", i)
			}
		}
	})
}

// FuzzBinXML decodes arbitrary bytes as the Binary XML of a record placed in a valid chunk, so
// names and templates can point anywhere in it.
func FuzzBinXML(f *testing.F) {
	seed := testFileSeed()[FileHeaderSize:]
	f.Add(seed[chunkHeaderSize+recordHeaderLen : chunkHeaderSize+2000])
	f.Add([]byte{tokFragment, 1, 1, 0, tokOpenStart, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, tokEOF})
	f.Add([]byte{tokTemplate, 1, 0, 0, 0, 0, 0x10, 0x02, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > ChunkSize-chunkHeaderSize {
			return
		}
		chunk := make([]byte, ChunkSize)
		copy(chunk, seed[:chunkHeaderSize])
		copy(chunk[chunkHeaderSize:], b)
		c := newChunkCtx(chunk)
		d := decoder{c: c, pos: chunkHeaderSize, end: chunkHeaderSize + len(b), depID: true}
		nodes, _ := d.fragment()
		x := expander{c: c}
		items := x.collect(nodes, nil, 0)
		if x.items > maxItems+1 {
			t.Fatalf("expansion exceeded its bound: %d", x.items)
		}
		appendXML(nil, items, 0)
		appendJSONItems(nil, items)
		RenderWireBinXML(b)
	})
}

func testFileSeed() []byte { return testFile(nil) }
