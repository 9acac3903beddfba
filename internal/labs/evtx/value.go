package evtx

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"ntatlas/internal/labs"
)

// Value types of Binary XML substitutions. The numbering is the EVT_VARIANT_TYPE enumeration of
// the Windows Event Log API (winevt.h); 0x80 marks an array of the base type.
const (
	TypeNull       byte = 0x00
	TypeString     byte = 0x01
	TypeAnsiString byte = 0x02
	TypeInt8       byte = 0x03
	TypeUInt8      byte = 0x04
	TypeInt16      byte = 0x05
	TypeUInt16     byte = 0x06
	TypeInt32      byte = 0x07
	TypeUInt32     byte = 0x08
	TypeInt64      byte = 0x09
	TypeUInt64     byte = 0x0a
	TypeReal32     byte = 0x0b
	TypeReal64     byte = 0x0c
	TypeBool       byte = 0x0d
	TypeBinary     byte = 0x0e
	TypeGUID       byte = 0x0f
	TypeSizeT      byte = 0x10
	TypeFileTime   byte = 0x11
	TypeSysTime    byte = 0x12
	TypeSID        byte = 0x13
	TypeHexInt32   byte = 0x14
	TypeHexInt64   byte = 0x15
	TypeEvtHandle  byte = 0x20
	TypeBinXML     byte = 0x21
	TypeEvtXML     byte = 0x23
	TypeArray      byte = 0x80
)

// baseTypeName names each value type as in the JSON record structure and in errors.
func baseTypeName(t byte) (string, bool) {
	names := [...]string{
		TypeNull: "Null", TypeString: "String", TypeAnsiString: "AnsiString", TypeInt8: "Int8",
		TypeUInt8: "UInt8", TypeInt16: "Int16", TypeUInt16: "UInt16", TypeInt32: "Int32",
		TypeUInt32: "UInt32", TypeInt64: "Int64", TypeUInt64: "UInt64", TypeReal32: "Real32",
		TypeReal64: "Real64", TypeBool: "Bool", TypeBinary: "Binary", TypeGUID: "Guid",
		TypeSizeT: "SizeT", TypeFileTime: "FileTime", TypeSysTime: "SysTime", TypeSID: "Sid",
		TypeHexInt32: "HexInt32", TypeHexInt64: "HexInt64", TypeEvtHandle: "EvtHandle",
		TypeBinXML: "BinXml", TypeEvtXML: "EvtXml",
	}
	if int(t) < len(names) && names[t] != "" {
		return names[t], true
	}
	return "", false
}

// TypeName names a value type ("UInt16", "String[]" for arrays, "0x42" when unknown).
func TypeName(t byte) string {
	base := t &^ TypeArray
	n, ok := baseTypeName(base)
	if !ok {
		return "0x" + strconv.FormatUint(uint64(t), 16)
	}
	if t&TypeArray != 0 {
		return n + "[]"
	}
	return n
}

// elemSize is the fixed size of one element of a type, 0 when the size varies.
func elemSize(t byte) int {
	switch t {
	case TypeInt8, TypeUInt8:
		return 1
	case TypeInt16, TypeUInt16:
		return 2
	case TypeInt32, TypeUInt32, TypeReal32, TypeBool, TypeHexInt32:
		return 4
	case TypeInt64, TypeUInt64, TypeReal64, TypeFileTime, TypeHexInt64:
		return 8
	case TypeGUID, TypeSysTime:
		return 16
	}
	return 0
}

// value is one typed value: a literal from a value token or a substitution from a template
// instance. b aliases the chunk buffer.
type value struct {
	t   byte
	b   []byte
	off int // offset of b within the chunk, for nested Binary XML and error positions
}

func (v value) isNull() bool { return v.t == TypeNull || len(v.b) == 0 }

// utf16String decodes UTF-16LE, dropping trailing NULs; unpaired surrogates become U+FFFD.
func utf16String(b []byte) string {
	n := len(b) / 2
	for n > 0 && b[2*n-2] == 0 && b[2*n-1] == 0 {
		n--
	}
	ascii := true
	for i := 0; i < n; i++ {
		if b[2*i+1] != 0 || b[2*i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		var sb strings.Builder
		sb.Grow(n)
		for i := 0; i < n; i++ {
			sb.WriteByte(b[2*i])
		}
		return sb.String()
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ansiString treats bytes as UTF-8 when valid and as Latin-1 otherwise: the code page that wrote
// the log is not recorded in the file.
func ansiString(b []byte) string {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// filetimeEpochDelta is the number of 100 ns intervals from 1601-01-01 to 1970-01-01.
const filetimeEpochDelta = 116444736000000000

// FileTime converts a FILETIME (100 ns intervals since 1601-01-01 UTC) to a time.Time in UTC.
func FileTime(ft uint64) time.Time {
	d := int64(ft/10_000_000) - filetimeEpochDelta/10_000_000
	ns := int64(ft%10_000_000) * 100
	return time.Unix(d, ns).UTC()
}

// timeLayout is the shape Windows uses for SystemTime in event XML: UTC with seven fractional
// digits (the 100 ns resolution of FILETIME).
const timeLayout = "2006-01-02T15:04:05.0000000Z"

// FormatFileTime formats a FILETIME as Windows shows it in event XML.
//
//go:noinline
func FormatFileTime(ft uint64) string {
	var b [40]byte
	return string(appendFileTime(b[:0], ft))
}

// appendFileTime writes a FILETIME as 2006-01-02T15:04:05.0000000Z without time.Format, which
// is slow and allocates (this runs several times per record) and would bring time's layout
// engine into the WebAssembly bundle. Years past 9999 get all their digits, as time.Format
// writes them.
func appendFileTime(dst []byte, ft uint64) []byte {
	secs := ft / 10_000_000
	frac := ft % 10_000_000
	days := int64(secs / 86400)
	rem := secs % 86400
	// Days since 1601-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm,
	// shifted to 0000-03-01).
	z := days + 584694 // days from 0000-03-01 to 1601-01-01 (719468 - 134774)
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return appendTimestamp(dst, uint64(y), uint64(m), uint64(d), rem/3600, rem/60%60, rem%60, frac)
}

// appendTimestamp writes timeLayout's fields; frac is in 100 ns units. The year has at least
// four digits, more when it needs them.
func appendTimestamp(dst []byte, y, mo, d, h, mi, s, frac uint64) []byte {
	yw := 4
	for v := y / 10000; v > 0; v /= 10 {
		yw++
	}
	dst = appendDigits(dst, y, yw)
	dst = append(dst, '-')
	dst = appendDigits(dst, mo, 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, frac, 7)
	return append(dst, 'Z')
}

func appendDigits(dst []byte, v uint64, n int) []byte {
	var b [20]byte
	for i := n - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[:n]...)
}

func formatSystemTime(b []byte) string {
	le := binary.LittleEndian
	y, mo, d := int(le.Uint16(b)), int(le.Uint16(b[2:])), int(le.Uint16(b[6:]))
	h, mi, s, ms := int(le.Uint16(b[8:])), int(le.Uint16(b[10:])), int(le.Uint16(b[12:])), int(le.Uint16(b[14:]))
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || ms > 999 {
		return "invalid SYSTEMTIME 0x" + strings.ToUpper(hex.EncodeToString(b[:16]))
	}
	// Normalised as time.Date would: the checks above let 31 February and second 60 through.
	sec := labs.DaysFromCivil(int64(y), int64(mo), int64(d))*86400 + int64(h*3600+mi*60+s)
	ty, tmo, td, th, tmi, ts := labs.CivilFromUnix(sec)
	var buf [40]byte
	return string(appendTimestamp(buf[:0], uint64(ty), uint64(tmo), uint64(td), uint64(th), uint64(tmi), uint64(ts), uint64(ms)*10_000))
}

// formatGUID renders a GUID in registry format with upper-case hex, as event XML shows it.
func formatGUID(b []byte) string { return string(appendGUID(nil, b)) }

func appendGUID(dst []byte, b []byte) []byte {
	const hx = "0123456789ABCDEF"
	le := binary.LittleEndian
	var out [38]byte
	out[0], out[37] = '{', '}'
	put := func(pos int, v uint64, digits int) {
		for i := digits - 1; i >= 0; i-- {
			out[pos+i] = hx[v&0xf]
			v >>= 4
		}
	}
	put(1, uint64(le.Uint32(b)), 8)
	out[9] = '-'
	put(10, uint64(le.Uint16(b[4:])), 4)
	out[14] = '-'
	put(15, uint64(le.Uint16(b[6:])), 4)
	out[19] = '-'
	put(20, uint64(b[8])<<8|uint64(b[9]), 4)
	out[24] = '-'
	for i := 0; i < 6; i++ {
		put(25+2*i, uint64(b[10+i]), 2)
	}
	return append(dst, out[:]...)
}

// appendText appends a value's text for XML without intermediate strings for the common
// types, which need no escaping; other types go through text().
func (v value) appendText(dst []byte) []byte {
	le := binary.LittleEndian
	if es := elemSize(v.t); es > 0 && len(v.b) != es {
		return appendEscaped(dst, v.text())
	}
	switch v.t {
	case TypeString:
		return appendEscapedUTF16(dst, v.b)
	case TypeUInt8:
		return strconv.AppendUint(dst, uint64(v.b[0]), 10)
	case TypeUInt16:
		return strconv.AppendUint(dst, uint64(le.Uint16(v.b)), 10)
	case TypeUInt32:
		return strconv.AppendUint(dst, uint64(le.Uint32(v.b)), 10)
	case TypeUInt64:
		return strconv.AppendUint(dst, le.Uint64(v.b), 10)
	case TypeInt32:
		return strconv.AppendInt(dst, int64(int32(le.Uint32(v.b))), 10)
	case TypeInt64:
		return strconv.AppendInt(dst, int64(le.Uint64(v.b)), 10)
	case TypeHexInt32:
		return strconv.AppendUint(append(dst, '0', 'x'), uint64(le.Uint32(v.b)), 16)
	case TypeHexInt64:
		return strconv.AppendUint(append(dst, '0', 'x'), le.Uint64(v.b), 16)
	case TypeFileTime:
		return appendFileTime(dst, le.Uint64(v.b))
	case TypeGUID:
		return appendGUID(dst, v.b)
	}
	return appendEscaped(dst, v.text())
}

// formatSID renders a binary SID in the S-R-I-S… form of ConvertSidToStringSid; an identifier
// authority of 2^32 or more is written in hex, as that function does.
func formatSID(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	n := int(b[1])
	if len(b) < 8+4*n {
		return "", false
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	var sb strings.Builder
	sb.WriteString("S-")
	sb.WriteString(strconv.Itoa(int(b[0])))
	sb.WriteByte('-')
	if auth >= 1<<32 {
		sb.WriteString("0x" + strings.ToUpper(hex.EncodeToString(b[2:8])))
	} else {
		sb.WriteString(strconv.FormatUint(auth, 10))
	}
	for i := 0; i < n; i++ {
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return sb.String(), true
}

func hexUpper(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// scalarText renders one non-array value as text. ok=false means the data does not fit the type;
// the caller then shows the bytes in hex.
func scalarText(t byte, b []byte) (string, bool) {
	le := binary.LittleEndian
	if es := elemSize(t); es > 0 && len(b) != es && t != TypeBool {
		return "", false
	}
	switch t {
	case TypeNull:
		return "", true
	case TypeString, TypeEvtXML:
		return utf16String(b), true
	case TypeAnsiString:
		return ansiString(b), true
	case TypeInt8:
		return strconv.FormatInt(int64(int8(b[0])), 10), true
	case TypeUInt8:
		return strconv.FormatUint(uint64(b[0]), 10), true
	case TypeInt16:
		return strconv.FormatInt(int64(int16(le.Uint16(b))), 10), true
	case TypeUInt16:
		return strconv.FormatUint(uint64(le.Uint16(b)), 10), true
	case TypeInt32:
		return strconv.FormatInt(int64(int32(le.Uint32(b))), 10), true
	case TypeUInt32:
		return strconv.FormatUint(uint64(le.Uint32(b)), 10), true
	case TypeInt64:
		return strconv.FormatInt(int64(le.Uint64(b)), 10), true
	case TypeUInt64:
		return strconv.FormatUint(le.Uint64(b), 10), true
	case TypeReal32:
		return strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32), true
	case TypeReal64:
		return strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64), true
	case TypeBool:
		// Real logs carry booleans of other widths and values other than 0 and 1; any non-zero
		// byte is true, as the Win32 BOOL convention says.
		if len(b) == 0 || len(b) > 8 {
			return "", false
		}
		for _, c := range b {
			if c != 0 {
				return "true", true
			}
		}
		return "false", true
	case TypeBinary:
		return hexUpper(b), true
	case TypeGUID:
		return formatGUID(b), true
	case TypeSizeT, TypeEvtHandle:
		switch len(b) {
		case 4:
			return "0x" + strconv.FormatUint(uint64(le.Uint32(b)), 16), true
		case 8:
			return "0x" + strconv.FormatUint(le.Uint64(b), 16), true
		}
		return "", false
	case TypeFileTime:
		return FormatFileTime(le.Uint64(b)), true
	case TypeSysTime:
		return formatSystemTime(b), true
	case TypeSID:
		return formatSID(b)
	case TypeHexInt32:
		return "0x" + strconv.FormatUint(uint64(le.Uint32(b)), 16), true
	case TypeHexInt64:
		return "0x" + strconv.FormatUint(le.Uint64(b), 16), true
	}
	return "", false
}

// arrayItems splits an array value into its elements. String arrays are NUL-separated UTF-16;
// fixed-size types are cut by size; SIDs by their own length.
func arrayItems(t byte, b []byte) ([][]byte, bool) {
	base := t &^ TypeArray
	var items [][]byte
	switch {
	case base == TypeString:
		start := 0
		for i := 0; i+1 < len(b); i += 2 {
			if b[i] == 0 && b[i+1] == 0 {
				items = append(items, b[start:i])
				start = i + 2
			}
		}
		if start < len(b)-1 {
			items = append(items, b[start:])
		}
		return items, true
	case base == TypeAnsiString:
		start := 0
		for i, c := range b {
			if c == 0 {
				items = append(items, b[start:i])
				start = i + 1
			}
		}
		if start < len(b) {
			items = append(items, b[start:])
		}
		return items, true
	case base == TypeSID:
		for len(b) > 0 {
			if len(b) < 8 || len(b) < 8+4*int(b[1]) {
				return nil, false
			}
			n := 8 + 4*int(b[1])
			items = append(items, b[:n])
			b = b[n:]
		}
		return items, true
	case base == TypeSizeT || base == TypeEvtHandle:
		// size_t has the pointer width of the writer; 8 is the common case on 64-bit Windows.
		es := 8
		if len(b)%8 != 0 {
			es = 4
		}
		return cut(b, es)
	}
	es := elemSize(base)
	if es == 0 {
		return nil, false
	}
	return cut(b, es)
}

//go:noinline
func cut(b []byte, es int) ([][]byte, bool) {
	if len(b)%es != 0 {
		return nil, false
	}
	items := make([][]byte, 0, len(b)/es)
	for i := 0; i < len(b); i += es {
		items = append(items, b[i:i+es])
	}
	return items, true
}

// text renders a value as text for XML. Arrays are joined with commas (our choice: Windows'
// rendering of arrays in event XML is not documented).
func (v value) text() string {
	if v.t&TypeArray != 0 {
		items, ok := arrayItems(v.t, v.b)
		if !ok {
			return hexUpper(v.b)
		}
		base := v.t &^ TypeArray
		parts := make([]string, len(items))
		for i, it := range items {
			s, ok := scalarText(base, it)
			if !ok {
				s = hexUpper(it)
			}
			parts[i] = s
		}
		return strings.Join(parts, ",")
	}
	s, ok := scalarText(v.t, v.b)
	if !ok {
		return hexUpper(v.b)
	}
	return s
}

// appendJSONScalar appends one value as JSON: integers as numbers, booleans as booleans, all
// else (including hex types, GUIDs, SIDs and times) as strings.
func appendJSONScalar(dst []byte, t byte, b []byte) []byte {
	s, ok := scalarText(t, b)
	if !ok {
		return appendJSONString(dst, hexUpper(b))
	}
	switch t {
	case TypeInt8, TypeUInt8, TypeInt16, TypeUInt16, TypeInt32, TypeUInt32, TypeInt64, TypeUInt64:
		return append(dst, s...)
	case TypeReal32, TypeReal64:
		if strings.ContainsAny(s, "IN") { // Inf, NaN have no JSON number form
			return appendJSONString(dst, s)
		}
		return append(dst, s...)
	case TypeBool:
		return append(dst, s...)
	case TypeNull:
		return append(dst, "null"...)
	}
	return appendJSONString(dst, s)
}

func (v value) appendJSON(dst []byte) []byte {
	if v.t&TypeArray != 0 {
		items, ok := arrayItems(v.t, v.b)
		if !ok {
			return appendJSONString(dst, hexUpper(v.b))
		}
		dst = append(dst, '[')
		for i, it := range items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONScalar(dst, v.t&^TypeArray, it)
		}
		return append(dst, ']')
	}
	le := binary.LittleEndian
	if es := elemSize(v.t); es == 0 || len(v.b) == es {
		// Common types written without intermediate strings; the rest via scalarText.
		switch v.t {
		case TypeString:
			return appendJSONUTF16(dst, v.b)
		case TypeUInt8:
			return strconv.AppendUint(dst, uint64(v.b[0]), 10)
		case TypeUInt16:
			return strconv.AppendUint(dst, uint64(le.Uint16(v.b)), 10)
		case TypeUInt32:
			return strconv.AppendUint(dst, uint64(le.Uint32(v.b)), 10)
		case TypeUInt64:
			return strconv.AppendUint(dst, le.Uint64(v.b), 10)
		case TypeHexInt32:
			dst = strconv.AppendUint(append(dst, '"', '0', 'x'), uint64(le.Uint32(v.b)), 16)
			return append(dst, '"')
		case TypeHexInt64:
			dst = strconv.AppendUint(append(dst, '"', '0', 'x'), le.Uint64(v.b), 16)
			return append(dst, '"')
		case TypeFileTime:
			return append(appendFileTime(append(dst, '"'), le.Uint64(v.b)), '"')
		case TypeGUID:
			return append(appendGUID(append(dst, '"'), v.b), '"')
		}
	}
	return appendJSONScalar(dst, v.t, v.b)
}

// appendJSONUTF16 writes a UTF-16LE string value as a JSON string; plain ASCII is copied
// directly, anything else goes through appendJSONString.
func appendJSONUTF16(dst []byte, b []byte) []byte {
	n := len(b) / 2
	for n > 0 && b[2*n-2] == 0 && b[2*n-1] == 0 {
		n--
	}
	for i := 0; i < n; i++ {
		if lo := b[2*i]; b[2*i+1] != 0 || lo >= 0x80 || lo < 0x20 || lo == '"' || lo == '\\' {
			return appendJSONString(dst, utf16String(b[:2*n]))
		}
	}
	dst = append(dst, '"')
	for i := 0; i < n; i++ {
		dst = append(dst, b[2*i])
	}
	return append(dst, '"')
}

func appendJSONString(dst []byte, s string) []byte {
	const hx = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hx[c>>4], hx[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hx[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
