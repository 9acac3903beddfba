package progress

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Migrations are plain SQL files per dialect, named NNNN_what.sql, applied in order at open
// and recorded in schema_migrations. They are never edited once released: a change is a new
// file.
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order, checking the names.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("progress: migrations: %w", err)
	}
	var out []migration
	for i, e := range entries { // ReadDir sorts by name
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("progress: migration %s/%s: want NNNN_name.sql", dir, e.Name())
		}
		if v != i+1 {
			return nil, fmt.Errorf("progress: migration %s/%s: version %d, want %d (no gaps)", dir, e.Name(), v, i+1)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	return out, nil
}

// pendingMigrations returns what is left to apply given the versions already applied, and
// refuses a database migrated by a newer binary (its schema may not be what this code expects).
func pendingMigrations(all []migration, applied map[int]bool) ([]migration, error) {
	for v := range applied {
		if v > len(all) {
			return nil, fmt.Errorf("progress: the database has schema version %d, newer than this program knows (%d); upgrade the program", v, len(all))
		}
	}
	var out []migration
	for _, m := range all {
		if !applied[m.version] {
			out = append(out, m)
		}
	}
	return out, nil
}
