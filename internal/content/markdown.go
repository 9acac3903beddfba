package content

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// markdown renders author Markdown. Raw HTML is never passed through: goldmark omits it unless
// html.WithUnsafe is set, which we never do.
type markdown struct{ md goldmark.Markdown }

func newMarkdown() *markdown {
	return &markdown{md: goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(html.WithXHTML()),
	)}
}

// link is a link found in Markdown, with its line in the source file.
type link struct {
	Dest string
	Line int
}

var claimLabels = map[string]string{
	"documented": `<span class="claim claim-documented" title="Documented by Microsoft">Documented</span> `,
	"observed":   `<span class="claim claim-observed" title="Observed by the community: reverse engineering or measurement, not a Microsoft contract">Observed</span> `,
	"model":      `<span class="claim claim-model" title="A simplification of ours, made to teach">Model</span> `,
}

// render turns a section's Markdown into HTML and plain text, and returns the links it holds.
// firstLine is the file line the source starts on.
func (m *markdown) render(src []byte, firstLine int) (template.HTML, string, []link, error) {
	reader := text.NewReader(src)
	doc := m.md.Parser().Parse(reader)
	var links []link
	var plain strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				plain.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch v := n.(type) {
		case *ast.Link:
			links = append(links, link{Dest: string(v.Destination), Line: firstLine + lineOf(src, nodeOffset(v))})
		case *ast.AutoLink:
			links = append(links, link{Dest: string(v.URL(src)), Line: firstLine + lineOf(src, nodeOffset(v))})
		case *ast.Text:
			plain.Write(v.Segment.Value(src))
			if v.SoftLineBreak() || v.HardLineBreak() {
				plain.WriteByte(' ')
			}
		case *ast.String:
			plain.Write(v.Value)
		case *ast.CodeSpan:
			// children are Text nodes; they are collected as we walk
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				plain.Write(seg.Value(src))
			}
		}
		return ast.WalkContinue, nil
	})
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, src, doc); err != nil {
		return "", "", nil, err
	}
	out := buf.String()
	text := plain.String()
	if hasClaim(out) {
		out = labelClaims(out)
		text = claimTextRe.ReplaceAllString(text, "")
	}
	return template.HTML(out), strings.Join(strings.Fields(text), " "), links, nil
}

var claimTextRe = regexp.MustCompile(`\[(documented|observed|model)\]`)

// nodeOffset finds a byte offset for an inline node: the start of its first text segment.
func nodeOffset(n ast.Node) int {
	for c := n.FirstChild(); c != nil; c = c.FirstChild() {
		if t, ok := c.(*ast.Text); ok {
			return t.Segment.Start
		}
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return p.Lines().At(0).Start
		}
	}
	return 0
}

func lineOf(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return bytes.Count(src[:off], []byte("\n"))
}

// rawSection is a section's Markdown before rendering.
type rawSection struct {
	Heading string
	Line    int // line of the heading
	Body    []byte
}

// splitSections cuts a body at "## " headings outside fenced code. It returns any non-blank text
// before the first heading separately so the caller can report it.
func splitSections(body []byte, firstLine int) (preamble int, secs []rawSection) {
	lines := strings.SplitAfter(string(body), "\n")
	inFence := ""
	var cur *rawSection
	for i, ln := range lines {
		lineNo := firstLine + i
		trimmed := strings.TrimRight(ln, "\r\n")
		if f := fenceMarker(trimmed); f != "" {
			switch {
			case inFence == "":
				inFence = f
			case strings.HasPrefix(strings.TrimSpace(trimmed), inFence):
				inFence = ""
			}
		}
		if inFence == "" && strings.HasPrefix(trimmed, "## ") {
			secs = append(secs, rawSection{Heading: strings.TrimSpace(trimmed[3:]), Line: lineNo})
			cur = &secs[len(secs)-1]
			continue
		}
		if cur == nil {
			if strings.TrimSpace(trimmed) != "" && preamble == 0 {
				preamble = lineNo
			}
			continue
		}
		cur.Body = append(cur.Body, ln...)
	}
	return preamble, secs
}

func fenceMarker(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return ""
	}
	for _, m := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, m) {
			return m
		}
	}
	return ""
}

// labelClaims turns [documented], [observed] and [model] markers into badges wherever they
// stand in the text, except inside code, where they are literal.
func labelClaims(h string) string {
	var b strings.Builder
	for h != "" {
		i := strings.Index(h, "<code")
		if i < 0 {
			b.WriteString(replaceClaims(h))
			break
		}
		b.WriteString(replaceClaims(h[:i]))
		j := strings.Index(h[i:], "</code>")
		if j < 0 {
			b.WriteString(h[i:])
			break
		}
		b.WriteString(h[i : i+j+len("</code>")])
		h = h[i+j+len("</code>"):]
	}
	return b.String()
}

func replaceClaims(s string) string {
	if !hasClaim(s) {
		return s
	}
	return claimTextRe.ReplaceAllStringFunc(s, func(m string) string {
		return strings.TrimSuffix(claimLabels[m[1:len(m)-1]], " ")
	})
}

// hasClaim is the cheap test that lets most text skip the label regexp.
func hasClaim(s string) bool {
	return strings.Contains(s, "[documented]") || strings.Contains(s, "[observed]") || strings.Contains(s, "[model]")
}
