package component_test

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

// TestCAgainstJCO builds a component from C (clang-14, wasm32-wasi
// reactor; wasi-libc's malloc behind cabi_realloc, free in post-return)
// and compares its calls with jco's.
func TestCAgainstJCO(t *testing.T) {
	needLLVM(t)
	needNode(t)
	clang, err := exec.LookPath("clang-14")
	if err != nil {
		t.Skipf("skipping: clang-14 is not installed (make deps)")
	}
	dir := t.TempDir()
	core := filepath.Join(dir, "clib.wasm")
	if out, err := exec.Command(clang, "--target=wasm32-wasi", "-mexec-model=reactor", "-O2", "-o", core, "testdata/clib.c").CombinedOutput(); err != nil {
		t.Skipf("skipping: clang-14 cannot build for wasm32-wasi (wasi-libc missing?): %v\n%s", err, out)
	}
	bin := buildComponent(t, string(readFile(t, "testdata/clib.wit")), "lib", readFile(t, core))
	longs := make([]rc.Value, 10000)
	for i := range longs {
		longs[i] = int64(i * 1000003)
	}
	calls := []call{
		{"reverse", []rc.Value{""}}, {"reverse", []rc.Value{"hello, world"}}, {"reverse", []rc.Value{strings.Repeat("abcdefgh", 5000)}},
		{"sum", []rc.Value{[]rc.Value{}}}, {"sum", []rc.Value{[]rc.Value{int64(1), int64(-2), int64(3)}}},
		{"sum", []rc.Value{[]rc.Value{int64(math.MaxInt64), int64(1)}}}, {"sum", []rc.Value{longs}},
	}
	inst := instantiate(t, bin, rc.Config{})
	types := make([]*rc.FuncType, len(calls))
	ours := make([]string, len(calls))
	for i, c := range calls {
		f, err := inst.Func("test:c/api#" + c.fn)
		if err != nil {
			t.Fatal(err)
		}
		types[i] = f.Type()
		v, err := f.Call(context.Background(), c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		ours[i] = outcome(v, nil, f.Type().Result)
	}
	theirs := runJCO(t, bin, "test:c/api", calls, types)
	mismatches := 0
	for i := range calls {
		if got := nodeOutcome(theirs[i]); got != ours[i] {
			mismatches++
			t.Errorf("%s%s: wasmaot %s, jco %s", calls[i].fn, short(calls[i].args), clip(ours[i]), clip(theirs[i]))
		}
	}
	t.Logf("C component: %d calls, %d mismatches with jco", len(calls), mismatches)
}
