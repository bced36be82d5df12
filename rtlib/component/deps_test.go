package component

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies: the runtime side of components links neither the
// compiler nor WIT tooling (go.bytecodealliance.org, which brings wazero).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("skipping: go list failed: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/wasmaot/wasmaot/compiler", "github.com/wasmaot/wasmaot/lower",
			"github.com/wasmaot/wasmaot/backend", "go.bytecodealliance.org", "github.com/tetratelabs/wazero"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("rtlib/component depends on %s", dep)
			}
		}
	}
}
