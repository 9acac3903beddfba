package evtx

import (
	"encoding/base64"
	"encoding/json"
	"io"
)

func base64NewEncoder(w io.Writer) io.WriteCloser { return base64.NewEncoder(base64.StdEncoding, w) }

func jsonValid(s string) bool { return json.Valid([]byte(s)) }
