package dns

import (
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
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

func absName(n string) (dnsmessage.Name, error) {
	return dnsmessage.NewName(n + ".")
}

type wireRR struct {
	name, typ, data string
	ttl             uint32
}

// buildDNS builds a DNS or LLMNR message. For a response, rcode and answers are used.
func buildDNS(proto string, id uint16, response bool, qname, qtype string, rcode dnsmessage.RCode, answers []wireRR) ([]byte, error) {
	hdr := dnsmessage.Header{ID: id, Response: response, RCode: rcode}
	if proto == "dns" {
		hdr.RecursionDesired = true
		hdr.RecursionAvailable = response
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), hdr)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	qn, err := absName(qname)
	if err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: qn, Type: dnsmessage.Type(typeCodes[qtype]), Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	for _, a := range answers {
		n, err := absName(a.name)
		if err != nil {
			return nil, err
		}
		h := dnsmessage.ResourceHeader{Name: n, Class: dnsmessage.ClassINET, TTL: a.ttl}
		switch a.typ {
		case "A":
			ip := netip.MustParseAddr(a.data).As4()
			err = b.AResource(h, dnsmessage.AResource{A: ip})
		case "AAAA":
			ip := netip.MustParseAddr(a.data).As16()
			err = b.AAAAResource(h, dnsmessage.AAAAResource{AAAA: ip})
		case "CNAME":
			t, e := absName(a.data)
			if e != nil {
				return nil, e
			}
			err = b.CNAMEResource(h, dnsmessage.CNAMEResource{CNAME: t})
		case "PTR":
			t, e := absName(a.data)
			if e != nil {
				return nil, e
			}
			err = b.PTRResource(h, dnsmessage.PTRResource{PTR: t})
		default:
			err = fmt.Errorf("cannot encode %s", a.typ)
		}
		if err != nil {
			return nil, err
		}
	}
	return b.Finish()
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
	hdr := dnsmessage.Header{ID: id, Response: response, RecursionDesired: true}
	if response {
		hdr.Authoritative = true
	} else {
		hdr.CheckingDisabled = true // the B flag
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 128), hdr)
	qn, err := dnsmessage.NewName(netbiosEncode(name) + ".")
	if err != nil {
		return nil, err
	}
	if !response {
		if err := b.StartQuestions(); err != nil {
			return nil, err
		}
		if err := b.Question(dnsmessage.Question{Name: qn, Type: 32, Class: dnsmessage.ClassINET}); err != nil {
			return nil, err
		}
		return b.Finish()
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	ip := netip.MustParseAddr(addr).As4()
	data := append([]byte{0x00, 0x00}, ip[:]...) // NB_FLAGS: B-node, unique name
	if err := b.UnknownResource(dnsmessage.ResourceHeader{Name: qn, Type: 32, Class: dnsmessage.ClassINET, TTL: 300000},
		dnsmessage.UnknownResource{Type: 32, Data: data}); err != nil {
		return nil, err
	}
	return b.Finish()
}

var rcodeNames = map[dnsmessage.RCode]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

// decode parses a message with dnsmessage. proto adjusts the flag names (NetBIOS B flag).
func decode(proto string, msg []byte) (DecodedMsg, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return DecodedMsg{}, err
	}
	d := DecodedMsg{ID: h.ID, Response: h.Response, Opcode: int(h.OpCode), Flags: []string{}, Questions: []DecodedQ{}, Answers: []DecodedRR{}}
	flag := func(on bool, n string) {
		if on {
			d.Flags = append(d.Flags, n)
		}
	}
	flag(h.Response, "QR")
	flag(h.Authoritative, "AA")
	flag(h.Truncated, "TC")
	flag(h.RecursionDesired, "RD")
	flag(h.RecursionAvailable, "RA")
	if proto == "netbios" {
		flag(h.CheckingDisabled, "B")
	} else {
		flag(h.CheckingDisabled, "CD")
	}
	d.RCode = rcodeNames[h.RCode]
	if d.RCode == "" {
		d.RCode = fmt.Sprintf("RCODE%d", h.RCode)
	}
	qs, err := p.AllQuestions()
	if err != nil {
		return d, err
	}
	for _, q := range qs {
		t := typeName(uint16(q.Type))
		if proto == "netbios" && q.Type == 32 {
			t = "NB"
		}
		d.Questions = append(d.Questions, DecodedQ{Name: q.Name.String(), Type: t, Class: "IN"})
	}
	rrs, err := p.AllAnswers()
	if err != nil {
		return d, err
	}
	for _, rr := range rrs {
		x := DecodedRR{Name: rr.Header.Name.String(), Type: typeName(uint16(rr.Header.Type)), TTL: rr.Header.TTL}
		switch body := rr.Body.(type) {
		case *dnsmessage.AResource:
			x.Data = netip.AddrFrom4(body.A).String()
		case *dnsmessage.AAAAResource:
			x.Data = netip.AddrFrom16(body.AAAA).String()
		case *dnsmessage.CNAMEResource:
			x.Data = body.CNAME.String()
		case *dnsmessage.PTRResource:
			x.Data = body.PTR.String()
		case *dnsmessage.UnknownResource:
			if proto == "netbios" && rr.Header.Type == 32 && len(body.Data) == 6 {
				x.Type = "NB"
				x.Data = netip.AddrFrom4([4]byte(body.Data[2:6])).String()
			} else {
				x.Data = hex.EncodeToString(body.Data)
			}
		default:
			x.Data = rr.Body.GoString()
		}
		d.Answers = append(d.Answers, x)
	}
	return d, nil
}
