package lower

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// TestBoundsCheckStatsC lowers a real C program (testdata/c/kernels.c,
// built with clang-14 --target=wasm32-wasi -O2) with the verifier on and
// reports how many bounds checks the elimination pass removes and how
// many loops loop versioning gives a check-free copy.
func TestBoundsCheckStatsC(t *testing.T) {
	clang, err := exec.LookPath("clang-14")
	if err != nil {
		t.Skip("clang-14 not installed; needed to build testdata/c/kernels.c")
	}
	out := filepath.Join(t.TempDir(), "kernels.wasm")
	cmd := exec.Command(clang, "--target=wasm32-wasi", "-O2", "testdata/c/kernels.c", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("clang-14 cannot build for wasm32-wasi here (wasi-libc missing?): %v\n%s", err, msg)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(m); err != nil {
		t.Fatal(err)
	}
	stats := &Stats{}
	if _, err := Module(m, Options{Verify: true, Stats: stats}); err != nil {
		t.Fatal(err)
	}
	if stats.BoundsChecks == 0 || stats.BoundsChecksRemoved == 0 {
		t.Errorf("expected bounds checks and some removed, got %+v", *stats)
	}
	// The kernels' counted loops (and wasi-libc's) get check-free copies.
	if stats.LoopsVersioned == 0 || stats.BoundsChecksHoisted < stats.LoopsVersioned {
		t.Errorf("expected versioned loops with hoisted checks, got %+v", *stats)
	}
	t.Logf("%d functions: %d of %d bounds checks removed (%.1f%%); %+v", len(m.Codes),
		stats.BoundsChecksRemoved, stats.BoundsChecks, 100*float64(stats.BoundsChecksRemoved)/float64(stats.BoundsChecks), *stats)
}
