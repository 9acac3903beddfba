package cli

import (
	"fmt"
	"io/fs"
	"os"

	"ntatlas"
)

// contentFS returns the embedded content, or the directory given with -content.
func contentFS(dir string) (fs.FS, error) {
	if dir == "" {
		return ntatlas.Content(), nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return os.DirFS(dir), nil
}
