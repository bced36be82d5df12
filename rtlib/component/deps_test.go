package component

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies: no runtime package (rtlib and everything under it)
// links the compiler or WIT tooling (go.bytecodealliance.org, which
// brings wazero): an edge binary runs components without them.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../...").Output()
	if err != nil {
		t.Skipf("skipping: go list failed: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/wasmaot/wasmaot/rtlib/component") || !slices.Contains(deps, "github.com/wasmaot/wasmaot/rtlib") {
		t.Fatalf("go list -deps ../... does not list the runtime packages:\n%s", out)
	}
	for _, dep := range deps {
		for _, banned := range []string{"github.com/wasmaot/wasmaot/compiler", "github.com/wasmaot/wasmaot/lower",
			"github.com/wasmaot/wasmaot/backend", "go.bytecodealliance.org", "github.com/tetratelabs/wazero"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("a runtime package depends on %s", dep)
			}
		}
	}
}
