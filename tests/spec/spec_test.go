package spec

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/lower"
)

const suiteDir = "../../../shared/testsuite/wasm-2.0"

// TestInterpSuite runs every script of the spec suite through the IR
// interpreter, with the verifier after lowering and after every pass.
func TestInterpSuite(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(files) == 0 {
		t.Skip("spec suite not found at " + suiteDir)
	}
	stats := &lower.Stats{}
	var passed, failed, skipped int
	for _, file := range files {
		eng := NewInterpEngine(InterpOptions{Lower: lower.Options{Verify: true, Stats: stats}})
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
	t.Logf("%d passed, %d failed, %d skipped; bounds checks removed %d of %d",
		passed, failed, skipped, stats.BoundsChecksRemoved, stats.BoundsChecks)
}
