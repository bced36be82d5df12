package compiler

import (
	"crypto/sha256"
	"fmt"
	"github.com/wasmaot/wasmaot/backend"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
)

const suiteDir = "../../shared/testsuite/wasm-2.0"

// suiteModule is one valid module of a spec script.
type suiteModule struct {
	where string // file:line
	bin   []byte
}

// suiteModules returns the distinct valid modules of the given scripts:
// module commands and the modules of assert_unlinkable,
// assert_uninstantiable and assert_trap, which must compile too.
func suiteModules(t *testing.T, files []string) []suiteModule {
	t.Helper()
	seen := map[[32]byte]bool{}
	var out []suiteModule
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := wast.ParseScript(src)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, c := range cmds {
			switch c.Kind {
			case wast.CmdModule, wast.CmdAssertUnlinkable, wast.CmdAssertUninstantiable, wast.CmdAssertTrap:
			default:
				continue
			}
			if c.Module == nil {
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
			h := sha256.Sum256(bin)
			if seen[h] {
				continue
			}
			seen[h] = true
			out = append(out, suiteModule{where: fmt.Sprintf("%s:%d", filepath.Base(path), c.Line), bin: bin})
		}
	}
	return out
}

// TestCompileSuite compiles the valid modules of the spec suite for both
// targets with the default (native) back end, and for arm64 through the
// LLVM tier too, and checks every arm64 object for x18/x28. By default it
// takes every twelfth script (a quick sample); WASMAOT_SUITE=all compiles
// them all.
func TestCompileSuite(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(files) == 0 {
		t.Skipf("skipping: no spec suite at %s", suiteDir)
	}
	sort.Strings(files)
	if os.Getenv("WASMAOT_SUITE") != "all" {
		var sample []string
		for i := 0; i < len(files); i += 12 {
			sample = append(sample, files[i])
		}
		files = sample
	}
	mods := suiteModules(t, files)
	_, noLLVM := llvm.FindTools()
	for _, c := range []struct{ arch, backend string }{{"amd64", ""}, {"arm64", ""}, {"arm64", "llvm"}} {
		arch, name := c.arch, c.backend
		if name == "" {
			name = DefaultBackendFor(arch)
		}
		if c.backend == "llvm" && noLLVM != nil {
			t.Logf("%s/llvm skipped: %v", arch, noLLVM)
			continue
		}
		start := time.Now()
		var mu sync.Mutex
		insts, failed := 0, 0
		work := make(chan suiteModule)
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for sm := range work {
					obj, err := Compile(sm.bin, Options{Target: arch, Backend: c.backend, OptLevel: DefaultOptLevel, Jobs: 1})
					n := 0
					if err == nil && arch == "arm64" {
						n, err = backend.CheckReservedRegisters(obj)
					}
					mu.Lock()
					insts += n
					if err != nil {
						failed++
						if failed <= 20 {
							t.Errorf("%s/%s %s: %v", arch, name, sm.where, err)
						}
					}
					mu.Unlock()
				}
			}()
		}
		for _, sm := range mods {
			work <- sm
		}
		close(work)
		wg.Wait()
		t.Logf("%s/%s: %d modules from %d scripts compiled at -O%d in %v (%d failed); %d arm64 instructions checked for x18/x28",
			arch, name, len(mods), len(files), DefaultOptLevel, time.Since(start).Round(time.Millisecond), failed, insts)
	}
}
