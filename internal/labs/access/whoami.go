package access

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/sddl"
)

// The `whoami /all` importer reads the English table output of whoami
// (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/whoami):
// USER INFORMATION, GROUP INFORMATION and PRIVILEGES INFORMATION, each a title, a dashed
// underline, a header row and a row of "=" runs that gives the column widths.

// ImportResult is the output of the "import-whoami" op.
type ImportResult struct {
	Token    Token         `json:"token"`
	Warnings []LineWarning `json:"warnings"`
}

// LineWarning is a remark about one input line.
type LineWarning struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// MaxWhoami bounds the pasted text.
const MaxWhoami = 1 << 20

type line struct {
	n      int // 1-based
	offset int
	text   string
}

func lineErr(l line, format string, args ...any) error {
	return &labs.InputError{Offset: l.offset, Field: fmt.Sprintf("line %d", l.n), Message: fmt.Sprintf(format, args...)}
}

// whoami attribute texts and our attribute words (SE_GROUP_* flags,
// https://learn.microsoft.com/en-us/windows/win32/secauthz/sid-attributes-in-an-access-token).
var whoamiAttrs = map[string]string{
	"mandatory group":          "mandatory",
	"enabled by default":       "enabled-by-default",
	"enabled group":            "enabled",
	"group owner":              "owner",
	"group used for deny only": "deny-only",
	"logon id":                 "logon-id",
	"resource":                 "resource",
	"local group":              "resource",
	"integrity":                "integrity",
	"integrity enabled":        "integrity-enabled",
}

var sections = [...]string{"USER INFORMATION", "GROUP INFORMATION", "PRIVILEGES INFORMATION",
	"USER CLAIMS INFORMATION", "DEVICE CLAIMS INFORMATION", "LOGON ID", "ERROR:"}

//go:noinline
func isSection(t string) bool {
	for _, s := range sections {
		if t == s || (s == "ERROR:" && strings.HasPrefix(t, s)) {
			return true
		}
	}
	return false
}

// ImportWhoami turns `whoami /all` text into a Token.
func ImportWhoami(text string) (ImportResult, error) {
	if len(text) > MaxWhoami {
		return ImportResult{}, &labs.InputError{Offset: MaxWhoami, Field: "whoami", Message: "input longer than 1 MiB"}
	}
	text = strings.TrimPrefix(text, "\ufeff")
	var lines []line
	off := 0
	for i, t := range strings.Split(text, "\n") {
		lines = append(lines, line{n: i + 1, offset: off, text: strings.TrimRight(t, "\r")})
		off += len(t) + 1
	}
	res := ImportResult{Warnings: []LineWarning{}, Token: Token{Groups: []Group{}, Privileges: []Privilege{}}}
	seenUser := false
	for i := 0; i < len(lines); i++ {
		title := strings.TrimSpace(lines[i].text)
		if !isSection(title) {
			continue
		}
		if strings.HasPrefix(title, "ERROR:") {
			return res, lineErr(lines[i], "whoami reported an error: %s", title)
		}
		if title == "USER CLAIMS INFORMATION" || title == "DEVICE CLAIMS INFORMATION" || title == "LOGON ID" {
			continue
		}
		cols, rows, next, err := table(lines, i)
		if err != nil {
			return res, err
		}
		i = next - 1
		switch title {
		case "USER INFORMATION":
			if len(cols) < 2 {
				return res, lineErr(lines[i], "expected two columns (User Name, SID) in USER INFORMATION")
			}
			if len(rows) != 1 {
				at := lines[i]
				if len(rows) > 0 {
					at = rows[1]
				}
				return res, lineErr(at, "expected exactly one user row in USER INFORMATION, found %d", len(rows))
			}
			cells := split(rows[0].text, cols)
			sid, err := findSID(cells[len(cells)-1], rows[0])
			if err != nil {
				return res, err
			}
			res.Token.User = sid
			res.Token.UserName = cells[0]
			seenUser = true
		case "GROUP INFORMATION":
			if len(cols) < 3 {
				return res, lineErr(lines[i], "expected the columns Group Name, Type, SID, Attributes in GROUP INFORMATION")
			}
			for _, r := range rows {
				cells := split(r.text, cols)
				sidCell := cells[2]
				if !strings.HasPrefix(sidCell, "S-1-") {
					sidCell = r.text // columns shifted (text re-wrapped): look for the SID anywhere
				}
				sid, err := findSID(sidCell, r)
				if err != nil {
					return res, err
				}
				s, _ := sddl.ParseSIDString(sid)
				typ := cells[1]
				if typ == "Label" || s.HasPrefix(sddl.MustSID("S-1-16")) {
					res.Token.Integrity = sid
					continue
				}
				attrs := []string{}
				if len(cells) > 3 && cells[3] != "" {
					for _, a := range strings.Split(cells[3], ",") {
						a = strings.TrimSpace(a)
						w, ok := whoamiAttrs[strings.ToLower(a)]
						if !ok {
							res.Warnings = append(res.Warnings, LineWarning{r.n, fmt.Sprintf("unknown group attribute %q ignored", a)})
							continue
						}
						attrs = append(attrs, w)
					}
				}
				if s.HasPrefix(sddl.MustSID("S-1-15-3")) {
					res.Token.Capabilities = append(res.Token.Capabilities, sid)
					continue
				}
				if s.HasPrefix(sddl.MustSID("S-1-15-2")) && s.Count > 2 {
					res.Token.AppContainer = sid
					continue
				}
				g := Group{SID: sid, Name: cells[0], Attributes: onlyCheckAttrs(attrs)}
				res.Token.Groups = append(res.Token.Groups, g)
			}
		case "PRIVILEGES INFORMATION":
			if len(cols) < 2 {
				return res, lineErr(lines[i], "expected the columns Privilege Name, Description, State")
			}
			for _, r := range rows {
				cells := split(r.text, cols)
				name := cells[0]
				state := strings.TrimSpace(cells[len(cells)-1])
				if f := strings.Fields(r.text); len(f) > 0 && state != "Enabled" && state != "Disabled" {
					state = f[len(f)-1] // columns shifted: the state is the last word
					name = f[0]
				}
				if !strings.HasPrefix(name, "Se") || !strings.HasSuffix(name, "Privilege") {
					return res, lineErr(r, "expected a privilege name such as SeShutdownPrivilege, found %q", name)
				}
				switch state {
				case "Enabled":
					res.Token.Privileges = append(res.Token.Privileges, Privilege{Name: name, Enabled: true})
				case "Disabled":
					res.Token.Privileges = append(res.Token.Privileges, Privilege{Name: name})
				default:
					return res, lineErr(r, "expected the privilege state Enabled or Disabled, found %q", state)
				}
			}
		}
	}
	if !seenUser {
		return res, &labs.InputError{Offset: 0, Field: "line 1",
			Message: "expected a USER INFORMATION section: paste the complete output of `whoami /all` (English)"}
	}
	if res.Token.Integrity == "" {
		res.Warnings = append(res.Warnings, LineWarning{0, "no Mandatory Label row; the token is assumed to be Medium integrity"})
		res.Token.Integrity = "S-1-16-8192"
	}
	if len(res.Token.Capabilities) > 0 && res.Token.AppContainer == "" {
		res.Warnings = append(res.Warnings, LineWarning{0, "capability SIDs without an AppContainer package SID are ignored"})
		res.Token.Capabilities = nil
	}
	if _, err := resolve(&res.Token); err != nil {
		return res, err
	}
	return res, nil
}

// onlyCheckAttrs keeps the attributes in the order of the token JSON: "enabled" or
// "deny-only" first, then the informational ones.
func onlyCheckAttrs(a []string) []string {
	out := []string{}
	for _, w := range []string{"enabled", "deny-only"} {
		for _, x := range a {
			if x == w {
				out = append(out, w)
			}
		}
	}
	for _, x := range a {
		if x != "enabled" && x != "deny-only" {
			out = append(out, x)
		}
	}
	if contains2(out, "enabled") && contains2(out, "deny-only") {
		out = out[1:]
	}
	return out
}

//go:noinline
func contains2(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// table reads the table that follows the section title at lines[i]. It returns the start
// column of each field, the data rows and the index of the first line after the table.
func table(lines []line, i int) ([]int, []line, int, error) {
	j := i + 1
	for j < len(lines) && (strings.TrimSpace(lines[j].text) == "" || strings.Trim(strings.TrimSpace(lines[j].text), "-") == "") {
		j++
	}
	if j >= len(lines) {
		return nil, nil, j, lineErr(lines[i], "expected a table under %q, but the text ended", strings.TrimSpace(lines[i].text))
	}
	header := j
	sep := j + 1
	if sep >= len(lines) || strings.Trim(lines[sep].text, "= ") != "" || !strings.Contains(lines[sep].text, "=") {
		// A section such as USER CLAIMS has prose instead of a table.
		at := lines[header]
		if sep < len(lines) {
			at = lines[sep]
		}
		return nil, nil, sep, lineErr(at, "expected the row of '=' under the column titles of %q", strings.TrimSpace(lines[i].text))
	}
	var cols []int
	t := lines[sep].text
	for k := 0; k < len(t); k++ {
		if t[k] == '=' && (k == 0 || t[k-1] != '=') {
			cols = append(cols, k)
		}
	}
	var rows []line
	k := sep + 1
	for ; k < len(lines); k++ {
		s := strings.TrimSpace(lines[k].text)
		if s == "" || isSection(s) {
			break
		}
		rows = append(rows, lines[k])
	}
	return cols, rows, k, nil
}

// split cuts a row at the column starts.
func split(s string, cols []int) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if c >= len(s) {
			continue
		}
		end := len(s)
		if i+1 < len(cols) && cols[i+1] < end {
			end = cols[i+1]
		}
		out[i] = strings.TrimSpace(s[c:end])
	}
	return out
}

// findSID returns the first S-1-... word of s.
func findSID(s string, l line) (string, error) {
	for _, f := range strings.Fields(s) {
		f = strings.TrimRight(f, ",")
		if strings.HasPrefix(f, "S-1-") {
			if _, err := sddl.ParseSIDString(f); err != nil {
				return "", lineErr(l, "malformed SID %q: %v", f, err)
			}
			return f, nil
		}
	}
	return "", lineErr(l, "expected a SID (S-1-...) on this line; if the console wrapped long lines, run `whoami /all > whoami.txt` and paste the file")
}
