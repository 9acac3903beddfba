package content

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with the content, located as precisely as we can.
type Problem struct {
	File string // path relative to the content root
	Line int    // 1-based; 0 when the problem concerns the whole file
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is the error returned by Load when the content is invalid: every problem found, not
// just the first, so an author fixes them in one pass.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
	return ps
}

// report collects problems while loading.
type report struct{ list Problems }

func (r *report) add(file string, line int, format string, args ...any) {
	r.list = append(r.list, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}
