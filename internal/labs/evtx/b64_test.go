package evtx

import (
	"encoding/base64"
	"io"
)

func base64NewEncoder(w io.Writer) io.WriteCloser { return base64.NewEncoder(base64.StdEncoding, w) }
