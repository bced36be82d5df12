package spec

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/engine"
	"github.com/wasmaot/wasmaot/compiler/wast"
)

// llvmSample is the scripts TestLLVMSuite runs by default: integer and
// float semantics, SIMD, memory, tables, calls, traps and linking.
var llvmSample = []string{"i32", "f64", "conversions", "memory_grow", "call_indirect",
	"linking", "traps", "simd_f32x4", "simd_lane", "fac"}

// TestLLVMSuite runs spec scripts through the LLVM back end and the native
// runtime (on amd64 and arm64 hosts). WASMAOT_SUITE=all runs every script;
// WASMAOT_SUITE=name1,name2 runs those. Objects are cached (see
// compiler.DefaultCacheDir).
func TestLLVMSuite(t *testing.T) {
	if _, err := llvm.FindTools(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("skipping: no native runtime on %s", runtime.GOARCH)
	}
	var files []string
	switch sel := os.Getenv("WASMAOT_SUITE"); sel {
	case "all":
		files, _ = filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	default:
		names := llvmSample
		if sel != "" {
			names = strings.Split(sel, ",")
		}
		for _, n := range names {
			files = append(files, filepath.Join(suiteDir, n+".wast"))
		}
	}
	if _, err := os.Stat(files[0]); err != nil {
		t.Skipf("skipping: spec suite not found at %s", suiteDir)
	}
	start := time.Now()
	var passed, failed, skipped int
	for _, file := range files {
		eng := engine.Compiled(engine.CompiledOptions{
			Compile: compiler.Options{Backend: llvm.Name, OptLevel: 2},
			Cache:   compiler.Cache{Dir: compiler.DefaultCacheDir()},
		})
		res, err := wast.RunFile(context.Background(), file, eng, wast.Options{Verbose: true})
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		passed, failed, skipped = passed+res.Passed, failed+res.Failed, skipped+res.Skipped
		for i, d := range res.Details {
			if i == 5 {
				t.Errorf("%s: … %d more", filepath.Base(file), len(res.Details)-5)
				break
			}
			t.Error(d)
		}
	}
	t.Logf("%d scripts: %d passed, %d failed, %d skipped in %v", len(files), passed, failed, skipped, time.Since(start).Round(time.Millisecond))
}
