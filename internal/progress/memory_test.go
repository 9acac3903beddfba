package progress_test

import (
	"testing"

	"ntatlas/internal/progress"
	"ntatlas/internal/progress/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg progress.Config) progress.Store {
		s := progress.NewMemory(cfg)
		t.Cleanup(func() { s.Close() })
		return s
	})
}
