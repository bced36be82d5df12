package lower

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
)

const suiteDir = "../../shared/testsuite/wasm-2.0"

// suiteModules returns every valid module of the spec suite's scripts.
func suiteModules(t *testing.T) map[string]*wasm.Module {
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(files) == 0 {
		t.Skip("spec suite not found at " + suiteDir)
	}
	mods := map[string]*wasm.Module{}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := wast.ParseScript(src)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, c := range cmds {
			if c.Kind != wast.CmdModule {
				continue
			}
			bin, err := c.Module.Encode()
			if err != nil {
				continue
			}
			m, err := wasm.Decode(bin)
			if err != nil || wasm.Validate(m) != nil {
				continue
			}
			mods[filepath.Base(file)+":"+itoa(c.Line)] = m
		}
	}
	return mods
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestLowerSuite lowers every valid module of the spec suite and runs the
// verifier after lowering and after every pass.
func TestLowerSuite(t *testing.T) {
	stats := &Stats{}
	n := 0
	for name, m := range suiteModules(t) {
		if _, err := Module(m, Options{Verify: true, Stats: stats}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		n++
	}
	t.Logf("%d modules; %+v", n, *stats)
}
