// Package ipaddr is the part of net/netip the lab engines use: parsing, comparing and printing
// IPv4 and IPv6 addresses and prefixes, with netip's rules and output. net/netip interns IPv6
// zones through package unique; with it, netip cost 35 KB (gzipped) of the WebAssembly bundle,
// mostly for features the labs never need. This package keeps the zone as a plain string.
// The tests compare every function with net/netip.
package ipaddr

import (
	"errors"
	"strconv"
	"strings"
)

// Addr is an IPv4 or IPv6 address, possibly with an IPv6 zone; the zero Addr is invalid.
// IPv4 addresses are held in their IPv4-mapped IPv6 form, as netip holds them.
type Addr struct {
	ip   [16]byte
	bits uint8 // 0 invalid, 32 IPv4, 128 IPv6
	zone string
}

var errAddr = errors.New("ipaddr: not an IP address")

// AddrFrom4 is the IPv4 address b.
func AddrFrom4(b [4]byte) Addr {
	a := Addr{bits: 32}
	a.ip[10], a.ip[11] = 0xff, 0xff
	copy(a.ip[12:], b[:])
	return a
}

// AddrFrom16 is the IPv6 address b (IPv4-mapped addresses stay IPv6).
func AddrFrom16(b [16]byte) Addr { return Addr{ip: b, bits: 128} }

// ParseAddr parses an address as netip.ParseAddr does: dotted-decimal IPv4 without leading
// zeros, or IPv6 with an optional "%zone" and an optional trailing dotted IPv4 part.
func ParseAddr(s string) (Addr, error) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			var b [4]byte
			if !parseIPv4(s, b[:]) {
				return Addr{}, errAddr
			}
			return AddrFrom4(b), nil
		case ':':
			return parseIPv6(s)
		case '%':
			return Addr{}, errAddr
		}
	}
	return Addr{}, errAddr
}

// MustParseAddr is ParseAddr for addresses already validated; it panics on error.
func MustParseAddr(s string) Addr {
	a, err := ParseAddr(s)
	if err != nil {
		panic(err)
	}
	return a
}

func parseIPv4(s string, out []byte) bool {
	val, pos, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits == 1 && val == 0 {
				return false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return false
			}
		case c == '.':
			if i == 0 || i == len(s)-1 || s[i-1] == '.' || pos == 3 {
				return false
			}
			out[pos] = byte(val)
			pos, val, digits = pos+1, 0, 0
		default:
			return false
		}
	}
	if pos < 3 {
		return false
	}
	out[3] = byte(val)
	return true
}

func parseIPv6(in string) (Addr, error) {
	s, zone := in, ""
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s, zone = s[:i], s[i+1:]
		if zone == "" {
			return Addr{}, errAddr
		}
	}
	var ip [16]byte
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if s == "" {
			return Addr{ip: ip, bits: 128, zone: zone}, nil
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for ; off < len(s); off++ {
			c := s[off]
			switch {
			case c >= '0' && c <= '9':
				acc = acc<<4 + int(c-'0')
			case c >= 'a' && c <= 'f':
				acc = acc<<4 + int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				acc = acc<<4 + int(c-'A'+10)
			default:
				goto done
			}
			if off > 3 || acc > 0xffff {
				return Addr{}, errAddr
			}
		}
	done:
		if off == 0 {
			return Addr{}, errAddr
		}
		if off < len(s) && s[off] == '.' {
			// A trailing IPv4 part replaces the last two groups.
			if ellipsis < 0 && i != 12 || i+4 > 16 || !parseIPv4(s, ip[i:i+4]) {
				return Addr{}, errAddr
			}
			s = ""
			i += 4
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if s == "" {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return Addr{}, errAddr
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return Addr{}, errAddr
			}
			ellipsis = i
			s = s[1:]
			if s == "" {
				break
			}
		}
	}
	if s != "" {
		return Addr{}, errAddr
	}
	if i < 16 {
		if ellipsis < 0 {
			return Addr{}, errAddr
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return Addr{}, errAddr // :: must stand for at least one group
	}
	return Addr{ip: ip, bits: 128, zone: zone}, nil
}

// IsValid reports whether a is not the zero Addr.
func (a Addr) IsValid() bool { return a.bits != 0 }

// Is4 reports whether a is an IPv4 address.
func (a Addr) Is4() bool { return a.bits == 32 }

// Is6 reports whether a is an IPv6 address, IPv4-mapped ones included.
func (a Addr) Is6() bool { return a.bits == 128 }

// Is4In6 reports whether a is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
//
//go:noinline
func (a Addr) Is4In6() bool {
	if !a.Is6() {
		return false
	}
	for _, b := range a.ip[:10] {
		if b != 0 {
			return false
		}
	}
	return a.ip[10] == 0xff && a.ip[11] == 0xff
}

// Unmap turns an IPv4-mapped IPv6 address into IPv4 (dropping any zone).
func (a Addr) Unmap() Addr {
	if a.Is4In6() {
		return Addr{ip: a.ip, bits: 32}
	}
	return a
}

// BitLen is 32 for IPv4, 128 for IPv6 and 0 for the zero Addr.
func (a Addr) BitLen() int { return int(a.bits) }

// Zone is the IPv6 zone, "" if none.
func (a Addr) Zone() string { return a.zone }

// As4 is an IPv4 or IPv4-mapped address as 4 bytes; it panics for other addresses, as netip does.
func (a Addr) As4() [4]byte {
	if a.Is4() || a.Is4In6() {
		return [4]byte(a.ip[12:])
	}
	if a.bits == 0 {
		panic("As4 called on IP zero value")
	}
	panic("As4 called on IPv6 address")
}

// As16 is the address as 16 bytes (IPv4 in its IPv4-mapped form).
func (a Addr) As16() [16]byte { return a.ip }

// Compare orders by family (IPv4 first), then address, then zone, as netip.Addr.Compare does.
func (a Addr) Compare(b Addr) int {
	if a.bits != b.bits {
		if a.bits < b.bits {
			return -1
		}
		return 1
	}
	if c := strings.Compare(string(a.ip[:]), string(b.ip[:])); c != 0 {
		return c
	}
	if a.Is6() {
		return strings.Compare(a.zone, b.zone)
	}
	return 0
}

// String formats as netip does: dotted decimal, RFC 5952 IPv6 (the longest run of two or more
// zero groups, the first of equals, becomes ::), ::ffff:a.b.c.d for IPv4-mapped, then %zone.
func (a Addr) String() string {
	switch {
	case a.bits == 0:
		return "invalid IP"
	case a.Is4():
		return string(appendV4(nil, a.ip[12:]))
	}
	var b []byte
	if a.Is4In6() {
		b = appendV4(append(b, "::ffff:"...), a.ip[12:])
	} else {
		b = appendV6(b, a.ip)
	}
	if a.zone != "" {
		b = append(append(b, '%'), a.zone...)
	}
	return string(b)
}

func appendV4(b, ip []byte) []byte {
	for i, x := range ip {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(x), 10)
	}
	return b
}

func appendV6(b []byte, ip [16]byte) []byte {
	group := func(i int) uint64 { return uint64(ip[2*i])<<8 | uint64(ip[2*i+1]) }
	zeroStart, zeroEnd := -1, -1
	for i := 0; i < 8; i++ {
		j := i
		for j < 8 && group(j) == 0 {
			j++
		}
		if j-i >= 2 && j-i > zeroEnd-zeroStart {
			zeroStart, zeroEnd = i, j
		}
	}
	for i := 0; i < 8; i++ {
		if i == zeroStart {
			b = append(b, ':', ':')
			i = zeroEnd
			if i >= 8 {
				break
			}
		} else if i > 0 {
			b = append(b, ':')
		}
		b = strconv.AppendUint(b, group(i), 16)
	}
	return b
}

// Prefix is an address and a prefix length; the zero Prefix is invalid.
type Prefix struct {
	ip          Addr
	bitsPlusOne uint8 // 0: invalid
}

// PrefixFrom is ip/bits without checking host bits; invalid when bits does not fit the family.
// The zone is dropped.
func PrefixFrom(ip Addr, bits int) Prefix {
	p := Prefix{ip: ip}
	p.ip.zone = ""
	if ip.bits != 0 && bits >= 0 && bits <= ip.BitLen() {
		p.bitsPlusOne = uint8(bits) + 1
	}
	return p
}

// ParsePrefix parses "address/bits" as netip.ParsePrefix does (no zone, no sign or leading
// zero in bits).
func ParsePrefix(s string) (Prefix, error) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return Prefix{}, errAddr
	}
	ip, err := ParseAddr(s[:i])
	if err != nil || ip.zone != "" {
		return Prefix{}, errAddr
	}
	bs := s[i+1:]
	if len(bs) > 1 && (bs[0] < '1' || bs[0] > '9') {
		return Prefix{}, errAddr
	}
	bits, err := strconv.Atoi(bs)
	if err != nil || bits < 0 || bits > ip.BitLen() {
		return Prefix{}, errAddr
	}
	return PrefixFrom(ip, bits), nil
}

// IsValid reports whether p has a valid address and length.
func (p Prefix) IsValid() bool { return p.bitsPlusOne != 0 }

// Addr is p's address.
func (p Prefix) Addr() Addr { return p.ip }

// Bits is p's length, -1 when p is invalid.
//
//go:noinline
func (p Prefix) Bits() int { return int(p.bitsPlusOne) - 1 }

// Masked is p with the host bits cleared (the zero Prefix when p is invalid).
func (p Prefix) Masked() Prefix {
	if !p.IsValid() {
		return Prefix{}
	}
	q := p
	keep := p.Bits() + 128 - p.ip.BitLen()
	for i := range q.ip.ip {
		switch {
		case keep >= 8*(i+1):
		case keep <= 8*i:
			q.ip.ip[i] = 0
		default:
			q.ip.ip[i] &= ^byte(0xff >> (keep - 8*i))
		}
	}
	return q
}

// Contains reports whether ip is in p: same family, no zone, matching prefix bits.
func (p Prefix) Contains(ip Addr) bool {
	if !p.IsValid() || ip.zone != "" || ip.bits == 0 || ip.bits != p.ip.bits {
		return false
	}
	n := p.Bits() + 128 - p.ip.BitLen()
	for i := 0; i < 16 && n > 0; i, n = i+1, n-8 {
		x := ip.ip[i] ^ p.ip.ip[i]
		if n < 8 {
			x &= ^byte(0xff >> n)
		}
		if x != 0 {
			return false
		}
	}
	return true
}

// String is "address/bits", or "invalid Prefix".
func (p Prefix) String() string {
	if !p.IsValid() {
		return "invalid Prefix"
	}
	return p.ip.String() + "/" + strconv.Itoa(p.Bits())
}
