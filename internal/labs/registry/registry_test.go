package registry_test

import (
	"encoding/json"
	"os"
	"testing"

	"ntatlas/internal/labs/registry"
)

// Every transcript case runs natively; a case either succeeds or fails with an input error
// that names where, never with anything else.
func TestTranscriptCasesRunNatively(t *testing.T) {
	data, err := os.ReadFile("../../web/testdata/transcripts.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Engine, Op string
		Request    json.RawMessage
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		env, err := registry.Run(c.Engine, c.Op, c.Request)
		if err != nil {
			if env.Error == nil || env.Error.Message == "" {
				t.Errorf("case %d (%s %s): error without a message: %v", i, c.Engine, c.Op, err)
			}
			t.Logf("case %d (%s %s): input error: %v", i, c.Engine, c.Op, env.Error)
			continue
		}
		if env.Result == nil {
			t.Errorf("case %d (%s %s): no result", i, c.Engine, c.Op)
		}
	}
}

func TestUnknownEngineAndOp(t *testing.T) {
	if _, err := registry.Run("nope", "x", nil); err != registry.ErrNoEngine {
		t.Errorf("unknown engine: %v", err)
	}
	env, err := registry.Run("wfp", "nope", []byte("{}"))
	if err == nil || env.Error == nil || env.Error.Field != "op" {
		t.Errorf("unknown op: %v %+v", err, env)
	}
}
