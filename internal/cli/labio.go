package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"ntatlas/internal/labs"
)

// What every lab subcommand shares: reading its input, printing JSON, reporting bad input the
// same way (a line on stderr; with --json also {"error":{"offset","field","message"}} on stdout).

// maxLabInput bounds a lab input file when the engine sets no tighter limit.
const maxLabInput = 64 << 20

// readInput reads a named file, or standard input for "-", refusing more than limit bytes.
func readInput(name string, stdin io.Reader, limit int64) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &labs.InputError{Offset: int(limit), Message: fmt.Sprintf("input is larger than %d bytes", limit)}
	}
	return data, nil
}

// writeJSON prints v indented; exit status 0, or 2 when v cannot be encoded.
func writeJSON(stdout, stderr io.Writer, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "ntatlas: encoding JSON: %v\n", err)
		return 2
	}
	stdout.Write(append(b, '\n'))
	return 0
}

// failInput reports bad input or usage and returns exit status 2. where names the file or
// argument, when there is one.
func failInput(stdout, stderr io.Writer, asJSON bool, where string, err error) int {
	if where != "" {
		fmt.Fprintf(stderr, "ntatlas: %s: %v\n", where, err)
	} else {
		fmt.Fprintf(stderr, "ntatlas: %v\n", err)
	}
	if asJSON {
		var ie *labs.InputError
		if !errors.As(err, &ie) {
			ie = &labs.InputError{Offset: -1, Message: err.Error()}
		}
		writeJSON(stdout, stderr, map[string]any{"error": ie})
	}
	return 2
}
