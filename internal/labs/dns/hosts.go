package dns

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/ipaddr"
)

type hostEntry struct {
	Name string
	Addr ipaddr.Addr
	Line int
}

// ParseHosts reads hosts-file text: an address, then one or more names; '#' starts a comment.
// Errors name the line.
func ParseHosts(text string) ([]hostEntry, error) {
	var out []hostEntry
	offset := 0
	for i, line := range strings.Split(text, "\n") {
		lineOff := offset
		offset += len(line) + 1
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		where := fmt.Sprintf("hosts line %d", i+1)
		a, err := ipaddr.ParseAddr(f[0])
		if err != nil {
			return nil, &labs.InputError{Offset: lineOff, Field: where, Message: fmt.Sprintf("%q is not an IP address", f[0])}
		}
		if len(f) < 2 {
			return nil, &labs.InputError{Offset: lineOff, Field: where, Message: "an address needs at least one name"}
		}
		for _, n := range f[1:] {
			nn, _, err := normName(n)
			if err != nil {
				return nil, &labs.InputError{Offset: lineOff, Field: where, Message: err.Error()}
			}
			out = append(out, hostEntry{Name: nn, Addr: a.Unmap(), Line: i + 1})
		}
		if len(out) > maxCache {
			return nil, &labs.InputError{Offset: lineOff, Field: where, Message: fmt.Sprintf("more than %d names", maxCache)}
		}
	}
	return out, nil
}
