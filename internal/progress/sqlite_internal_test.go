package progress

import (
	"database/sql"
	"testing"
)

// InsertFutureMigration records a migration newer than this program knows, as a newer
// program would have; the external tests use it to check that such a database is refused.
func InsertFutureMigration(t *testing.T, file string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO schema_migrations VALUES (99, '0099_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
}
