package dns

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"ntatlas/internal/labs/ipaddr"
)

// Message is one packet on the wire, as hex and decoded.
type Message struct {
	Index    int        `json:"index"`
	Protocol string     `json:"protocol"` // dns (UDP 53), llmnr (UDP 5355), netbios (UDP 137)
	Dir      string     `json:"dir"`      // query or response
	From     string     `json:"from"`
	To       string     `json:"to"`
	Hex      string     `json:"hex"`
	Decoded  DecodedMsg `json:"decoded"`
	Note     string     `json:"note,omitempty"`
	Evidence string     `json:"evidence"`
	Source   string     `json:"source"`
}

// DecodedMsg is the parsed form of a message, produced by parsing the bytes back (not by echoing
// what we meant to build).
type DecodedMsg struct {
	ID        uint16      `json:"id"`
	Response  bool        `json:"response"`
	Opcode    int         `json:"opcode"`
	Flags     []string    `json:"flags"`
	RCode     string      `json:"rcode"`
	Questions []DecodedQ  `json:"questions"`
	Answers   []DecodedRR `json:"answers"`
}

// DecodedQ is one question.
type DecodedQ struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Class string `json:"class"`
}

// DecodedRR is one resource record.
type DecodedRR struct {
	Name string `json:"name"`
	Type string `json:"type"`
	TTL  uint32 `json:"ttl"`
	Data string `json:"data"`
}

const clientAddr = "10.0.0.31" // the simulated machine (the address used in KB 2834226's traces)

// queryID derives a deterministic transaction ID. Windows keeps the same ID on every
// retransmission of one query (visible in the KB 2834226 traces), so the ID depends on the query
// and candidate name only, never on the attempt.
func queryID(proto string, qIndex int, name, typ string) uint16 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s|%d|%s|%s", proto, qIndex, name, typ)
	s := h.Sum32()
	return uint16(s ^ s>>16)
}

// The messages are built and parsed here rather than with golang.org/x/net/dns/dnsmessage,
// which cost 33 KB (gzipped) of the browser bundle for the few record types we use.
// The builder reproduces dnsmessage.Builder byte for byte, name compression included, and uses
// its error wording; TestWireMatchesDNSMessage holds it to that package.

// responseCode is a DNS RCODE (RFC 1035 §4.1.1).
type responseCode uint16

const (
	rcodeSuccess       responseCode = 0
	rcodeServerFailure responseCode = 2
	rcodeNameError     responseCode = 3
)

// Header flag bits (RFC 1035 §4.1.1; CD from RFC 4035 §3.2.2, where NetBIOS has its B flag).
const (
	bitQR = 1 << 15
	bitAA = 1 << 10
	bitTC = 1 << 9
	bitRD = 1 << 8
	bitRA = 1 << 7
	bitCD = 1 << 4
)

const (
	classINET = 1
	typeA     = 1
	typeCNAME = 5
	typePTR   = 12
	typeAAAA  = 28
	typeNB    = 32 // NetBIOS general name service resource record (RFC 1002 §4.2.1.3)
)

const maxNameLen = 254 // longest name with its trailing dot that dnsmessage packs or unpacks

var (
	errCalcLen     = errors.New("insufficient data for calculated length type")
	errNameTooLong = errors.New("name too long")
	errSegTooLong  = errors.New("segment length too long")
	errZeroSegLen  = errors.New("zero length segment")
	errBaseLen     = errors.New("insufficient data for base length type")
	errInvalidPtr  = errors.New("invalid pointer")
	errTooManyPtr  = errors.New("too many pointers (>10)")
	errReserved    = errors.New("segment prefix is reserved")
	errInvalidName = errors.New("invalid dns name")
	errResLen      = errors.New("resource length does not match its data")
)

// nestedError names the part of the message an error is in, as dnsmessage does.
type nestedError struct {
	s   string
	err error
}

func (e *nestedError) Error() string { return e.s + ": " + e.err.Error() }

// absName is the name with its trailing dot; dnsmessage.NewName refused names over 255 bytes.
func absName(n string) (string, error) {
	if len(n)+1 > 255 {
		return "", errCalcLen
	}
	return n + ".", nil
}

type wireRR struct {
	name, typ, data string
	ttl             uint32
}

// wireBuilder appends one message: the header, then questions, then answers.
type wireBuilder struct {
	msg    []byte
	comp   map[string]int // name suffix (with its dot) -> offset; nil when not compressing
	qd, an uint16
}

func newWire(id, bits uint16, capacity int, compress bool) *wireBuilder {
	b := &wireBuilder{msg: make([]byte, 12, capacity)}
	binary.BigEndian.PutUint16(b.msg[0:], id)
	binary.BigEndian.PutUint16(b.msg[2:], bits)
	if compress {
		b.comp = map[string]int{}
	}
	return b
}

// name appends an absolute name as labels, replacing the longest suffix already written by a
// pointer (RFC 1035 §4.1.4) and remembering the new suffixes.
func (b *wireBuilder) name(n string) error {
	if len(n) > maxNameLen {
		return errNameTooLong
	}
	if n == "" || n[len(n)-1] != '.' {
		return errors.New("name is not in canonical format (it must end with a .)")
	}
	if n == "." {
		b.msg = append(b.msg, 0)
		return nil
	}
	for i, begin := 0, 0; i < len(n); i++ {
		if n[i] == '.' {
			if i-begin >= 1<<6 {
				return errSegTooLong
			}
			if i-begin == 0 {
				return errZeroSegLen
			}
			b.msg = append(b.msg, byte(i-begin))
			b.msg = append(b.msg, n[begin:i]...)
			begin = i + 1
			continue
		}
		if (i == 0 || n[i-1] == '.') && b.comp != nil {
			if ptr, ok := b.comp[n[i:]]; ok {
				b.msg = append(b.msg, byte(ptr>>8|0xC0), byte(ptr))
				return nil
			}
			if len(b.msg) <= 0x3FFF {
				b.comp[n[i:]] = len(b.msg)
			}
		}
	}
	b.msg = append(b.msg, 0)
	return nil
}

func (b *wireBuilder) question(n string, typ uint16) error {
	if err := b.name(n); err != nil {
		return &nestedError{"Name", err}
	}
	b.msg = binary.BigEndian.AppendUint16(b.msg, typ)
	b.msg = binary.BigEndian.AppendUint16(b.msg, classINET)
	b.qd++
	return nil
}

// answer appends a resource record whose data is either raw bytes or, when target is not
// empty, a (compressible) name; kind names the body in errors.
func (b *wireBuilder) answer(n string, typ uint16, ttl uint32, kind string, data []byte, target string) error {
	if err := b.name(n); err != nil {
		return &nestedError{"ResourceHeader", &nestedError{"Name", err}}
	}
	b.msg = binary.BigEndian.AppendUint16(b.msg, typ)
	b.msg = binary.BigEndian.AppendUint16(b.msg, classINET)
	b.msg = binary.BigEndian.AppendUint32(b.msg, ttl)
	lenOff := len(b.msg)
	b.msg = append(b.msg, 0, 0)
	if target != "" {
		if err := b.name(target); err != nil {
			return &nestedError{kind + " body", err}
		}
	} else {
		b.msg = append(b.msg, data...)
	}
	binary.BigEndian.PutUint16(b.msg[lenOff:], uint16(len(b.msg)-lenOff-2))
	b.an++
	return nil
}

func (b *wireBuilder) finish() []byte {
	binary.BigEndian.PutUint16(b.msg[4:], b.qd)
	binary.BigEndian.PutUint16(b.msg[6:], b.an)
	return b.msg
}

// buildDNS builds a DNS or LLMNR message. For a response, rcode and answers are used.
func buildDNS(proto string, id uint16, response bool, qname, qtype string, rc responseCode, answers []wireRR) ([]byte, error) {
	bits := uint16(rc)
	if response {
		bits |= bitQR
	}
	if proto == "dns" {
		bits |= bitRD
		if response {
			bits |= bitRA
		}
	}
	b := newWire(id, bits, 512, true)
	qn, err := absName(qname)
	if err != nil {
		return nil, err
	}
	if err := b.question(qn, typeCodes[qtype]); err != nil {
		return nil, err
	}
	for _, a := range answers {
		n, err := absName(a.name)
		if err != nil {
			return nil, err
		}
		switch a.typ {
		case "A":
			ip := ipaddr.MustParseAddr(a.data).As4()
			err = b.answer(n, typeA, a.ttl, "AResource", ip[:], "")
		case "AAAA":
			ip := ipaddr.MustParseAddr(a.data).As16()
			err = b.answer(n, typeAAAA, a.ttl, "AAAAResource", ip[:], "")
		case "CNAME", "PTR":
			t, e := absName(a.data)
			if e != nil {
				return nil, e
			}
			if a.typ == "CNAME" {
				err = b.answer(n, typeCNAME, a.ttl, "CNAMEResource", nil, t)
			} else {
				err = b.answer(n, typePTR, a.ttl, "PTRResource", nil, t)
			}
		default:
			err = fmt.Errorf("cannot encode %s", a.typ)
		}
		if err != nil {
			return nil, err
		}
	}
	return b.finish(), nil
}

// netbiosEncode applies the RFC 1001 first-level encoding: the name is upper-cased, padded with
// spaces to 15 bytes, suffixed with 0x20 (the file/print service byte the Windows redirector
// looks up), and each byte becomes two letters 'A'+nibble.
func netbiosEncode(name string) string {
	n := strings.ToUpper(name)
	if len(n) > 15 {
		n = n[:15]
	}
	raw := []byte(n + strings.Repeat(" ", 15-len(n)))
	raw = append(raw, 0x20)
	var sb strings.Builder
	for _, c := range raw {
		sb.WriteByte('A' + c>>4)
		sb.WriteByte('A' + c&0x0f)
	}
	return sb.String()
}

// buildNetBIOS builds an RFC 1002 NAME QUERY REQUEST (broadcast) or its positive response. The
// NetBIOS header has the DNS layout; its B (broadcast) flag sits where DNS has the CD bit.
func buildNetBIOS(id uint16, response bool, name string, addr string) ([]byte, error) {
	bits := uint16(bitRD)
	if response {
		bits |= bitQR | bitAA
	} else {
		bits |= bitCD // the B flag
	}
	b := newWire(id, bits, 128, false)
	qn := netbiosEncode(name) + "."
	if !response {
		if err := b.question(qn, typeNB); err != nil {
			return nil, err
		}
		return b.finish(), nil
	}
	ip := ipaddr.MustParseAddr(addr).As4()
	data := append([]byte{0x00, 0x00}, ip[:]...) // NB_FLAGS: B-node, unique name
	if err := b.answer(qn, typeNB, 300000, "UnknownResource", data, ""); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

var rcodeNames = map[responseCode]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

// wireReader reads a message back: the header, questions and answers.
type wireReader struct {
	msg []byte
	off int
}

//go:noinline
func (r *wireReader) u16() (uint16, error) {
	if r.off+2 > len(r.msg) {
		return 0, errBaseLen
	}
	v := binary.BigEndian.Uint16(r.msg[r.off:])
	r.off += 2
	return v, nil
}

func (r *wireReader) u32() (uint32, error) {
	if r.off+4 > len(r.msg) {
		return 0, errBaseLen
	}
	v := binary.BigEndian.Uint32(r.msg[r.off:])
	r.off += 4
	return v, nil
}

// name reads a possibly compressed name at r.off, with dnsmessage's limits: at most 10
// pointers, no dots inside labels, under 254 bytes.
func (r *wireReader) name() (string, error) {
	cur, next, ptrs := r.off, -1, 0
	var name []byte
	for {
		if cur >= len(r.msg) {
			return "", errBaseLen
		}
		c := int(r.msg[cur])
		cur++
		switch c & 0xC0 {
		case 0x00:
			if c == 0 {
				if len(name) == 0 {
					name = append(name, '.')
				}
				if next < 0 {
					next = cur
				}
				r.off = next
				return string(name), nil
			}
			end := cur + c
			if end > len(r.msg) {
				return "", errCalcLen
			}
			for _, v := range r.msg[cur:end] {
				if v == '.' {
					return "", errInvalidName
				}
			}
			if len(name)+c >= maxNameLen {
				return "", errNameTooLong
			}
			name = append(append(name, r.msg[cur:end]...), '.')
			cur = end
		case 0xC0:
			if cur >= len(r.msg) {
				return "", errInvalidPtr
			}
			if ptrs == 0 {
				next = cur + 1
			}
			if ptrs++; ptrs > 10 {
				return "", errTooManyPtr
			}
			cur = (c^0xC0)<<8 | int(r.msg[cur])
		default:
			return "", errReserved
		}
	}
}

// decode parses a message. proto adjusts the flag names (NetBIOS B flag).
func decode(proto string, msg []byte) (DecodedMsg, error) {
	r := &wireReader{msg: msg}
	var hdr [6]uint16 // ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT
	for i := range hdr {
		v, err := r.u16()
		if err != nil {
			return DecodedMsg{}, &nestedError{"unpacking header", err}
		}
		hdr[i] = v
	}
	bits := hdr[1]
	d := DecodedMsg{ID: hdr[0], Response: bits&bitQR != 0, Opcode: int(bits>>11) & 0xF, Flags: []string{}, Questions: []DecodedQ{}, Answers: []DecodedRR{}}
	flag := func(mask uint16, n string) {
		if bits&mask != 0 {
			d.Flags = append(d.Flags, n)
		}
	}
	flag(bitQR, "QR")
	flag(bitAA, "AA")
	flag(bitTC, "TC")
	flag(bitRD, "RD")
	flag(bitRA, "RA")
	if proto == "netbios" {
		flag(bitCD, "B")
	} else {
		flag(bitCD, "CD")
	}
	rc := responseCode(bits & 0xF)
	d.RCode = rcodeNames[rc]
	if d.RCode == "" {
		d.RCode = fmt.Sprintf("RCODE%d", rc)
	}
	for range hdr[2] {
		n, err := r.name()
		if err != nil {
			return d, &nestedError{"Name", err}
		}
		typ, err := r.u16()
		if err != nil {
			return d, &nestedError{"Type", err}
		}
		if _, err := r.u16(); err != nil {
			return d, &nestedError{"Class", err}
		}
		t := typeName(typ)
		if proto == "netbios" && typ == typeNB {
			t = "NB"
		}
		d.Questions = append(d.Questions, DecodedQ{Name: n, Type: t, Class: "IN"})
	}
	for range hdr[3] {
		n, err := r.name()
		if err != nil {
			return d, &nestedError{"Name", err}
		}
		typ, err := r.u16()
		if err != nil {
			return d, &nestedError{"Type", err}
		}
		if _, err := r.u16(); err != nil {
			return d, &nestedError{"Class", err}
		}
		ttl, err := r.u32()
		if err != nil {
			return d, &nestedError{"TTL", err}
		}
		length, err := r.u16()
		if err != nil {
			return d, &nestedError{"Length", err}
		}
		end := r.off + int(length)
		if end > len(msg) {
			return d, errResLen
		}
		body := msg[r.off:end]
		x := DecodedRR{Name: n, Type: typeName(typ), TTL: ttl}
		switch {
		case typ == typeA && len(body) == 4:
			x.Data = ipaddr.AddrFrom4([4]byte(body)).String()
		case typ == typeAAAA && len(body) == 16:
			x.Data = ipaddr.AddrFrom16([16]byte(body)).String()
		case typ == typeCNAME || typ == typePTR:
			if x.Data, err = r.name(); err != nil {
				return d, &nestedError{"body", err}
			}
			if r.off != end {
				return d, errResLen
			}
		case typ == typeA || typ == typeAAAA:
			return d, errResLen
		case proto == "netbios" && typ == typeNB && len(body) == 6:
			x.Type = "NB"
			x.Data = ipaddr.AddrFrom4([4]byte(body[2:6])).String()
		default:
			// Other types are never built here; shown as raw data (RFC 3597 style).
			x.Data = hex.EncodeToString(body)
		}
		r.off = end
		d.Answers = append(d.Answers, x)
	}
	return d, nil
}
