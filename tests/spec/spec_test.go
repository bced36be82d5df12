// Package spec runs the WebAssembly spec suite against wasmaot's engines
// (compiler/engine): the IR interpreter and the compiled back ends.
package spec

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/engine"
	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/lower"
)

const suiteDir = "../../../shared/testsuite/wasm-2.0"

// TestInterpSuite runs every script of the spec suite through the IR
// interpreter, with the verifier after lowering and after every pass.
func TestInterpSuite(t *testing.T) {
	runSuite(t, lower.Options{Verify: true})
}

// TestInterpSuiteNoPasses runs the suite on unoptimised IR, so that a
// lowering bug cannot hide behind a pass (or the reverse).
func TestInterpSuiteNoPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the suite already runs once with passes")
	}
	runSuite(t, lower.Options{Verify: true, NoPasses: true})
}

func runSuite(t *testing.T, opts lower.Options) {
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(files) == 0 {
		t.Skip("spec suite not found at " + suiteDir)
	}
	stats := &lower.Stats{}
	opts.Stats = stats
	var passed, failed, skipped int
	for _, file := range files {
		eng := engine.Interp(engine.InterpOptions{Lower: opts})
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
	t.Logf("%d passed, %d failed, %d skipped", passed, failed, skipped)
	if !opts.NoPasses {
		t.Logf("passes: %+v", *stats)
	}
}
