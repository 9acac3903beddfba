package registry_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Lab engines must run the same natively, over the API and in WebAssembly, so they may not
// reach the outside world: no files, network, processes, databases, clock or global randomness.
// The check runs over each engine's whole dependency graph, as the build sees it.
// allowedThirdParty lists the non-standard packages an engine may use: pure code, no I/O.
var allowedThirdParty = map[string]bool{"golang.org/x/net/dns/dnsmessage": true}

func TestEnginesArePure(t *testing.T) {
	forbidden := map[string]string{
		"os": "files and environment", "os/exec": "processes", "net": "network", "net/http": "network",
		"database/sql": "databases", "syscall": "system calls", "math/rand": "unseeded randomness",
		"math/rand/v2": "unseeded randomness", "crypto/rand": "randomness", "unsafe": "memory tricks",
		"plugin": "dynamic code", "log": "global output",
	}
	// Direct imports only: the standard library may use these internally (fmt imports os).
	engines := []string{"sddl", "access", "wfp", "dns", "sockpath", "proctree", "irp", "evtx", "evtx/evtxgen"}
	for _, e := range engines {
		pkg := "ntatlas/internal/labs/" + e
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, imp := range strings.Fields(string(out)) {
			if why, bad := forbidden[imp]; bad {
				t.Errorf("%s imports %s (%s): engines must be pure", pkg, imp, why)
			}
			if strings.HasPrefix(imp, "ntatlas/") && imp != "ntatlas/internal/labs" && !strings.HasPrefix(imp, "ntatlas/internal/labs/") {
				t.Errorf("%s imports %s: engines depend only on the standard library and other engines", pkg, imp)
			}
			// Outside the standard library, only pure packages we chose on purpose.
			if first := strings.SplitN(imp, "/", 2)[0]; strings.Contains(first, ".") && !allowedThirdParty[imp] {
				t.Errorf("%s imports %s: not on the list of pure third-party packages", pkg, imp)
			}
		}
		// The clock: no engine source may call time.Now, time.Since or start timers.
		src, err := exec.Command("go", "list", "-f", `{{.Dir}}`, pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		dir := strings.TrimSpace(string(src))
		grep := exec.Command("grep", "-rnE", `time\.(Now|Since|Until|After|Tick|NewTimer|NewTicker|Sleep)\(`, "--include=*.go", "--exclude=*_test.go", dir)
		if hits, _ := grep.Output(); len(hits) > 0 {
			t.Errorf("%s reads the clock:\n%s", pkg, hits)
		}
	}
}
