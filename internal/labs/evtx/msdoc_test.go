package evtx

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestMSEVEN6SimpleFragment decodes the example of [MS-EVEN6] section 4.7, "BinXml Example
// Without Templates" (https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-even6/7cdd0c95-2181-4794-a094-55c78b389358):
// elements, attributes, value text, an entity reference (&amp;) and a character reference
// (&#60;, "<"), and a close-empty element.
func TestMSEVEN6SimpleFragment(t *testing.T) {
	dump := `
0f 01 01 00 01 f2 00 00 00 ba 0c 05 00 45 00 76
00 65 00 6e 00 74 00 00 00 02 01 22 00 00 00 b5
79 08 00 45 00 6c 00 65 00 6d 00 65 00 6e 00 74
00 31 00 00 00 02 05 01 03 00 61 00 62 00 63 00
04 01 44 00 00 00 b6 79 08 00 45 00 6c 00 65 00
6d 00 65 00 6e 00 74 00 32 00 00 00 02 45 01 05
00 20 00 64 00 65 00 66 00 20 00 49 24 fb 03 00
61 00 6d 00 70 00 00 00 48 3c 00 05 01 05 00 20
00 67 00 68 00 69 00 20 00 04 41 6b 00 00 00 b7
79 08 00 45 00 6c 00 65 00 6d 00 65 00 6e 00 74
00 33 00 00 00 50 00 00 00 46 90 d8 05 00 41 00
74 00 74 00 72 00 41 00 00 00 05 01 03 00 61 00
62 00 63 00 06 91 d8 05 00 41 00 74 00 74 00 72
00 42 00 00 00 45 01 03 00 64 00 65 00 66 00 49
24 fb 03 00 61 00 6d 00 70 00 00 00 48 3c 00 05
01 03 00 67 00 68 00 69 00 03 04 00`
	b, err := hex.DecodeString(strings.Join(strings.Fields(dump), ""))
	if err != nil {
		t.Fatal(err)
	}
	got, err := RenderWireBinXML(b)
	if err != nil {
		t.Fatal(err)
	}
	want := "<Event>\n" +
		"  <Element1>abc</Element1>\n" +
		"  <Element2> def &amp;&#60; ghi </Element2>\n" +
		"  <Element3 AttrA=\"abc\" AttrB=\"def&amp;&#60;ghi\"/>\n" +
		"</Event>\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
