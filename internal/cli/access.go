package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/access"
)

// LabAccess implements
//
//	ntatlas lab access [--json] --sd 'SDDL' (--token FILE.json | --preset NAME | --whoami FILE.txt)
//	    --desired MASK [--type file|directory|key|process|service|generic] [--backup-intent]
//	ntatlas lab access --list-presets [--json]
//
// FILE may be "-" for stdin. MASK is hex (0x...), decimal, SDDL rights (FR, GA) or winnt.h
// names joined by '|'. Exit status 0 when the simulation ran (granted or denied: the verdict
// is in the output), 2 on bad input or usage; with --json errors go to stdout as
// {"error":{"offset":N,"field":"...","message":"..."}}.
func LabAccess(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab access", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	sd := fs.String("sd", "", "security descriptor in SDDL")
	tokenFile := fs.String("token", "", "token JSON file (see docs/labs/access.md), or - for stdin")
	preset := fs.String("preset", "", "token preset: "+strings.Join(access.PresetNames(), ", "))
	whoamiFile := fs.String("whoami", "", "text file with the output of `whoami /all`, or - for stdin")
	desired := fs.String("desired", "", "desired access: 0x..., decimal, SDDL rights (FR) or names (READ_CONTROL|WRITE_DAC)")
	typ := fs.String("type", "generic", "object type: file, directory, key, process, service or generic")
	backup := fs.Bool("backup-intent", false, "open with backup intent (FILE_FLAG_BACKUP_SEMANTICS): SeBackup/SeRestore privileges apply")
	list := fs.Bool("list-presets", false, "list the token presets and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ntatlas lab access [--json] --sd 'SDDL' (--token FILE.json | --preset NAME | --whoami FILE.txt) --desired MASK [--type TYPE] [--backup-intent]")
		fs.PrintDefaults()
	}
	pos, err := secParseArgs(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "ntatlas lab access: unexpected argument %q\n", pos[0])
		fs.Usage()
		return 2
	}
	if *list {
		if *asJSON {
			return writeJSON(stdout, stderr, access.Presets())
		}
		for _, p := range access.Presets() {
			fmt.Fprintf(stdout, "%-20s %s\n", p.Name, p.Description)
		}
		return 0
	}
	if *sd == "" || *desired == "" {
		fmt.Fprintln(stderr, "ntatlas lab access: --sd and --desired are required")
		fs.Usage()
		return 2
	}
	req := access.CheckRequest{SD: *sd, Preset: *preset, Desired: *desired, Type: *typ, BackupIntent: *backup}
	stdinUsed := false
	read := func(name, field string) ([]byte, error) {
		if name == "-" {
			if stdinUsed {
				return nil, &labs.InputError{Offset: -1, Field: field, Message: "stdin can be used for one file only"}
			}
			stdinUsed = true
			return io.ReadAll(io.LimitReader(stdin, access.MaxWhoami+1))
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, &labs.InputError{Offset: -1, Field: field, Message: err.Error()}
		}
		return b, nil
	}
	if *tokenFile != "" {
		b, err := read(*tokenFile, "token")
		if err != nil {
			return secFail(err, *asJSON, "lab access", "", stdout, stderr)
		}
		var tok access.Token
		if err := labs.Decode(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), &tok); err != nil {
			if ie, ok := err.(*labs.InputError); ok {
				// The offset is a byte offset into the token file.
				ie.Field = strings.TrimSuffix("token "+ie.Field, " ")
			}
			return secFail(err, *asJSON, "lab access", "", stdout, stderr)
		}
		req.Token = &tok
	}
	if *whoamiFile != "" {
		b, err := read(*whoamiFile, "whoami")
		if err != nil {
			return secFail(err, *asJSON, "lab access", "", stdout, stderr)
		}
		req.Whoami = string(b)
		if strings.TrimSpace(req.Whoami) == "" {
			return secFail(&labs.InputError{Offset: 0, Field: "whoami", Message: "the whoami file is empty"}, *asJSON, "lab access", "", stdout, stderr)
		}
	}
	res, err := access.RunCheck(req)
	if err != nil {
		text := ""
		if ie, ok := err.(*labs.InputError); ok && ie.Field == "sd" {
			text = *sd
		}
		return secFail(err, *asJSON, "lab access", text, stdout, stderr)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, res)
	}
	for i, s := range res.Steps {
		where := s.Phase
		if s.ACE != nil {
			where = fmt.Sprintf("%s ACE %d %s", s.Phase, *s.ACE, s.ACEText)
		}
		model := ""
		if s.Model {
			model = " [model]"
		}
		fmt.Fprintf(stdout, "%2d. [%s] %s: %s%s\n    rule %s, %s\n", i+1, s.Effect, where, s.Message, model, s.Rule, s.Doc)
	}
	verdict := "DENIED"
	if res.Granted {
		verdict = "GRANTED"
	}
	fmt.Fprintf(stdout, "%s: desired %s, granted %s\n", verdict, res.DesiredMask, res.GrantedMask)
	return 0
}
