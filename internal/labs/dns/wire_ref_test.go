package dns

// The wire format was built and parsed with golang.org/x/net/dns/dnsmessage until that package
// was dropped to shrink the WebAssembly bundle. The former code is kept here as the reference
// the hand-written builder and parser must match byte for byte and error for error.

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

func refAbsName(n string) (dnsmessage.Name, error) {
	return dnsmessage.NewName(n + ".")
}

// refBuildDNS is the dnsmessage-based buildDNS this package used to have; it builds a DNS or LLMNR message. For a response, rcode and answers are used.
func refBuildDNS(proto string, id uint16, response bool, qname, qtype string, rcode dnsmessage.RCode, answers []wireRR) ([]byte, error) {
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
	qn, err := refAbsName(qname)
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
		n, err := refAbsName(a.name)
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
			t, e := refAbsName(a.data)
			if e != nil {
				return nil, e
			}
			err = b.CNAMEResource(h, dnsmessage.CNAMEResource{CNAME: t})
		case "PTR":
			t, e := refAbsName(a.data)
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

// refBuildNetBIOS is the former buildNetBIOS: it builds an RFC 1002 NAME QUERY REQUEST (broadcast) or its positive response. The
// NetBIOS header has the DNS layout; its B (broadcast) flag sits where DNS has the CD bit.
func refBuildNetBIOS(id uint16, response bool, name string, addr string) ([]byte, error) {
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

var refRcodeNames = map[dnsmessage.RCode]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

// refDecode is the former decode, parsing with dnsmessage. proto adjusts the flag names (NetBIOS B flag).
func refDecode(proto string, msg []byte) (DecodedMsg, error) {
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
	d.RCode = refRcodeNames[h.RCode]
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

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}

// checkBuildDNS reports whether the case built a message (rather than an error in both).
func checkBuildDNS(t *testing.T, proto string, id uint16, response bool, qname, qtype string, rc responseCode, answers []wireRR) bool {
	t.Helper()
	got, err := buildDNS(proto, id, response, qname, qtype, rc, answers)
	want, werr := refBuildDNS(proto, id, response, qname, qtype, dnsmessage.RCode(rc), answers)
	if !sameErr(err, werr) {
		t.Fatalf("buildDNS(%s, %q, %q, %v): error %v, dnsmessage says %v", proto, qname, qtype, answers, err, werr)
	}
	if err != nil {
		return false
	}
	if hex.EncodeToString(got) != hex.EncodeToString(want) {
		t.Fatalf("buildDNS(%s, %q, %q, %v)\n got %x\nwant %x", proto, qname, qtype, answers, got, want)
	}
	checkDecode(t, proto, got)
	return true
}

func checkDecode(t *testing.T, proto string, msg []byte) {
	t.Helper()
	d, err := decode(proto, msg)
	wd, werr := refDecode(proto, msg)
	if (err == nil) != (werr == nil) {
		t.Fatalf("decode(%s, %x): error %v, dnsmessage says %v", proto, msg, err, werr)
	}
	if err == nil && fmt.Sprintf("%+v", d) != fmt.Sprintf("%+v", wd) {
		t.Fatalf("decode(%s, %x)\n got %+v\nwant %+v", proto, msg, d, wd)
	}
}

func TestWireMatchesDNSMessage(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	long253 := strings.Repeat(label63+".", 3) + strings.Repeat("b", 61) // 253 characters
	long254 := long253 + "c"
	built := 0 // cases that produced a message, so the test cannot pass on errors alone
	if len(long253) != 253 {
		t.Fatal(len(long253))
	}
	names := []string{"www.example.com", "example.com", "fileserver", "fileserver.corp.contoso.com",
		"corp.contoso.com", "a", "x_y-z.example", long253, long254, long254 + "dd", "", "a..b", label63 + "a.com"}
	types := []string{"A", "AAAA", "CNAME", "PTR", "MX", "TXT", "NS", "SOA", "SRV", "BOGUS"}
	for _, proto := range []string{"dns", "llmnr"} {
		for _, q := range names {
			for _, typ := range types {
				if checkBuildDNS(t, proto, 0x1234, false, q, typ, 0, nil) {
					built++
				}
			}
		}
		answerSets := [][]wireRR{
			{{name: "www.example.com", typ: "CNAME", data: "web.example.com", ttl: 300}, {name: "web.example.com", typ: "A", data: "192.0.2.1", ttl: 60}},
			{{name: "www.example.com", typ: "AAAA", data: "2001:db8::1", ttl: 3600}, {name: "www.example.com", typ: "AAAA", data: "::ffff:192.0.2.1", ttl: 1}},
			{{name: "1.2.0.192.in-addr.arpa", typ: "PTR", data: "host.example.com", ttl: 86400}},
			{{name: "a.example.com", typ: "CNAME", data: "b.other.org", ttl: 5}, {name: "b.other.org", typ: "CNAME", data: "c.example.com", ttl: 5}, {name: "c.example.com", typ: "A", data: "10.0.0.1", ttl: 5}},
			{{name: "example.com", typ: "MX", data: "mail.example.com", ttl: 5}},
			{{name: long253, typ: "CNAME", data: long254, ttl: 5}},
			{{name: long254, typ: "A", data: "10.0.0.1", ttl: 5}},
			{{name: long254 + "dd", typ: "A", data: "10.0.0.1", ttl: 5}},
			{{name: "x.com", typ: "PTR", data: long254 + "dd", ttl: 5}},
			{{name: "x.com", typ: "PTR", data: "a..b", ttl: 5}},
			{{name: "x.com", typ: "CNAME", data: label63 + "a.com", ttl: 5}},
		}
		for _, q := range names {
			for _, rc := range []responseCode{rcodeSuccess, rcodeServerFailure, rcodeNameError, 5, 9} {
				for _, as := range answerSets {
					if checkBuildDNS(t, proto, 0xfffe, true, q, "A", rc, as) {
						built++
					}
				}
			}
		}
	}
	if built < 500 {
		t.Errorf("only %d cases built a message", built)
	}
	for _, n := range []string{"fred", "fileserver", "averyveryverylongname", ""} {
		for _, response := range []bool{false, true} {
			got, err := buildNetBIOS(7, response, n, "192.0.2.7")
			want, werr := refBuildNetBIOS(7, response, n, "192.0.2.7")
			if err != nil || werr != nil || hex.EncodeToString(got) != hex.EncodeToString(want) {
				t.Fatalf("buildNetBIOS(%q, %v) = %x, %v; dnsmessage %x, %v", n, response, got, err, want, werr)
			}
			checkDecode(t, "netbios", got)
			checkDecode(t, "dns", got)
		}
	}
}

// Only our own messages are ever decoded, but the parser must still not panic on anything, and
// must agree with dnsmessage wherever both accept the bytes.
func FuzzDecode(f *testing.F) {
	q, _ := buildDNS("dns", 0x1234, false, "www.example.com", "A", 0, nil)
	r, _ := buildDNS("dns", 0x1234, true, "www.example.com", "A", 0, []wireRR{
		{name: "www.example.com", typ: "CNAME", data: "web.example.com", ttl: 300},
		{name: "web.example.com", typ: "A", data: "192.0.2.1", ttl: 60},
		{name: "web.example.com", typ: "AAAA", data: "2001:db8::1", ttl: 60}})
	nq, _ := buildNetBIOS(7, false, "fred", "")
	nr, _ := buildNetBIOS(7, true, "fred", "192.0.2.7")
	for _, b := range [][]byte{q, r, nq, nr} {
		f.Add("dns", b)
		f.Add("netbios", b)
	}
	f.Fuzz(func(t *testing.T, proto string, msg []byte) {
		d, err := decode(proto, msg)
		wd, werr := refDecode(proto, msg)
		if err != nil || werr != nil {
			return
		}
		for _, a := range wd.Answers {
			if strings.HasPrefix(a.Data, "dnsmessage.") {
				return // record types dnsmessage knows and we never build
			}
		}
		if fmt.Sprintf("%+v", d) != fmt.Sprintf("%+v", wd) {
			t.Fatalf("decode(%s, %x)\n got %+v\nwant %+v", proto, msg, d, wd)
		}
	})
}
