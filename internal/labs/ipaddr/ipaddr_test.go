package ipaddr

import (
	"net/netip"
	"testing"
)

var seeds = []string{
	"192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.",
	"1.2.3.4%eth0", "::", "::1", "1::", "2001:db8::68", "2001:DB8:0:0:8:800:200C:417A", "fe80::1%eth0", "fe80::1%",
	"::ffff:192.0.2.1", "::ffff:c000:201", "::192.0.2.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
	"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2::3", "12345::", "1:2:3:4:5:6:7",
	"0:0:1:0:0:1:0:0", "1:0:0:2:0:0:0:3", "::ffff:1.2.3.4%z", "%eth0", "", "abc", ":1", "1:", "1:::2", "1::ffff:1.2.3.4",
	"::ffff:01.2.3.4", "fe80::1%eth0%1", "2001:db8:0:0:0:0:2:1", "2001:0:0:1:0:0:0:1", "0:0:0:0:0:0:0:0", "::ffff:0:0",
}

func checkAddr(t *testing.T, s string) {
	t.Helper()
	got, err := ParseAddr(s)
	want, werr := netip.ParseAddr(s)
	if (err == nil) != (werr == nil) {
		t.Fatalf("ParseAddr(%q): error %v, netip says %v", s, err, werr)
	}
	if err != nil {
		return
	}
	if got.String() != want.String() || got.Is4() != want.Is4() || got.Is6() != want.Is6() || got.Is4In6() != want.Is4In6() ||
		got.BitLen() != want.BitLen() || got.Zone() != want.Zone() || got.As16() != want.As16() ||
		got.Unmap().String() != want.Unmap().String() || got.Unmap().Is4() != want.Unmap().Is4() {
		t.Fatalf("ParseAddr(%q) = %v, netip gives %v", s, got, want)
	}
	if want.Is4() || want.Is4In6() {
		if got.As4() != want.As4() {
			t.Fatalf("As4(%q)", s)
		}
	}
	if a16, w16 := AddrFrom16(got.As16()), netip.AddrFrom16(want.As16()); a16.String() != w16.String() {
		t.Fatalf("AddrFrom16(%q) = %v, netip %v", s, a16, w16)
	}
	for bits := -1; bits <= 129; bits += 7 {
		p, wp := PrefixFrom(got, bits), netip.PrefixFrom(want, bits)
		if p.String() != wp.String() || p.Bits() != wp.Bits() || p.Masked().String() != wp.Masked().String() {
			t.Fatalf("PrefixFrom(%q, %d) = %v (masked %v), netip %v (%v)", s, bits, p, p.Masked(), wp, wp.Masked())
		}
	}
}

func checkPair(t *testing.T, a, b string) {
	t.Helper()
	ga, err1 := ParseAddr(a)
	wa, _ := netip.ParseAddr(a)
	gb, err2 := ParseAddr(b)
	wb, _ := netip.ParseAddr(b)
	if err1 == nil && err2 == nil {
		if got, want := ga.Compare(gb), wa.Compare(wb); got != want {
			t.Fatalf("Compare(%q, %q) = %d, netip %d", a, b, got, want)
		}
	}
	gp, err := ParsePrefix(a)
	wp, werr := netip.ParsePrefix(a)
	if (err == nil) != (werr == nil) {
		t.Fatalf("ParsePrefix(%q): error %v, netip says %v", a, err, werr)
	}
	if err != nil {
		return
	}
	if gp.String() != wp.String() || gp.Masked().String() != wp.Masked().String() || gp.Bits() != wp.Bits() || gp.Addr().String() != wp.Addr().String() {
		t.Fatalf("ParsePrefix(%q) = %v, netip %v", a, gp, wp)
	}
	if err2 == nil {
		for _, p := range []struct {
			g Prefix
			w netip.Prefix
		}{{gp, wp}, {gp.Masked(), wp.Masked()}} {
			if got, want := p.g.Contains(gb), p.w.Contains(wb); got != want {
				t.Fatalf("%v.Contains(%q) = %v, netip %v", p.g, b, got, want)
			}
		}
	}
}

var prefixSeeds = []string{
	"192.0.2.0/24", "192.0.2.77/24", "10.0.0.0/8", "0.0.0.0/0", "1.2.3.4/32", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/08",
	"1.2.3.4/", "1.2.3.4/+8", "2001:db8::/32", "2001:db8::1/127", "::/0", "fe80::1%eth0/64", "::ffff:10.0.0.0/104",
	"2001:db8::/129", "1.2.3.4", "1.2.3.4/31/2", "10.1.2.3/13", "2001:db8:abcd:12::/61",
}

func TestMatchesNetip(t *testing.T) {
	for _, s := range append(seeds, prefixSeeds...) {
		checkAddr(t, s)
	}
	for _, p := range prefixSeeds {
		for _, a := range seeds {
			checkPair(t, p, a)
			checkPair(t, a, p)
		}
	}
	for _, s := range []string{"1.2.3.4", "::1", "fe80::1%eth0"} {
		if _, err := ParseAddr(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if a := AddrFrom4([4]byte{192, 0, 2, 1}); a.String() != "192.0.2.1" || !a.Is4() {
		t.Errorf("AddrFrom4 = %v", a)
	}
	if (Addr{}).String() != (netip.Addr{}).String() || (Prefix{}).String() != (netip.Prefix{}).String() {
		t.Error("zero values print differently")
	}
}

func FuzzMatchesNetip(f *testing.F) {
	for i, s := range seeds {
		f.Add(s, prefixSeeds[i%len(prefixSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkAddr(t, a)
		checkPair(t, a, b)
		checkPair(t, b, a)
	})
}
