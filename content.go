// Package ntatlas embeds the authored content so the binary needs nothing else to run.
package ntatlas

import (
	"embed"
	"io/fs"
)

// all: keeps files whose names start with "_" (branch roots are _index.md).
//
//go:embed all:_content
var embedded embed.FS

// Content returns the embedded content tree (the _content directory).
func Content() fs.FS {
	sub, err := fs.Sub(embedded, "_content")
	if err != nil {
		panic(err) // the directive above guarantees the directory exists
	}
	return sub
}
