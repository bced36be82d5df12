package component_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler"
	comp "github.com/wasmaot/wasmaot/compiler/component"
	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

// corpusOutcomes runs the corpus calls on a component object.
func corpusOutcomes(t testing.TB, obj []byte) []string {
	inst := instantiateObject(t, obj, rc.Config{})
	var out []string
	for _, c := range corpusCalls() {
		f, err := inst.Func("test:corpus/api#" + c.fn)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Call(context.Background(), c.args...)
		out = append(out, outcome(v, err, f.Type().Result))
		if err != nil {
			inst = instantiateObject(t, obj, rc.Config{})
		}
	}
	return out
}

// TestCorpusArm64 cross-compiles the corpus component for arm64 and runs
// its calls in an arm64 build of this test under qemu: the results must
// be those of the amd64 object.
func TestCorpusArm64(t *testing.T) {
	needLLVM(t)
	if runtime.GOARCH != "amd64" {
		t.Skipf("skipping: the cross run starts from amd64, this is %s", runtime.GOARCH)
	}
	qemu, err := exec.LookPath("qemu-aarch64-static")
	if err != nil {
		t.Skipf("skipping: qemu-aarch64-static is not installed (make deps)")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(corpusWIT()))
	bin := buildComponentEncoding(t, corpusWIT(), "corpus", []byte(corpusWAT(corpusFuncs(t, dir))), "utf8")
	arm, err := comp.Compile(context.Background(), bin, compiler.Options{Target: "arm64", OptLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	objPath := filepath.Join(dir, "corpus-arm64.o")
	write(t, objPath, arm)
	testBin := filepath.Join(dir, "component.test")
	build := exec.Command("go", "test", "-c", "-o", testBin, ".")
	build.Env = append(os.Environ(), "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the arm64 test: %v\n%s", err, out)
	}
	run := exec.Command(qemu, testBin, "-test.run", "^TestArm64Worker$", "-test.v")
	run.Env = append(os.Environ(), "WASMAOT_COMPONENT_OBJ="+objPath)
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("the arm64 worker: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var theirs []string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if s, ok := strings.CutPrefix(line, "OUTCOME "); ok {
			theirs = append(theirs, s)
		}
	}
	ours := corpusOutcomes(t, compileComponent(t, bin))
	if len(theirs) != len(ours) {
		t.Fatalf("the arm64 worker printed %d outcomes for %d calls\n%s", len(theirs), len(ours), stdout.String())
	}
	calls := corpusCalls()
	for i := range ours {
		if ours[i] != theirs[i] {
			t.Errorf("%s%s: amd64 %s, arm64 %s", calls[i].fn, short(calls[i].args), clip(ours[i]), clip(theirs[i]))
		}
	}
	t.Logf("%d corpus calls give the same results on arm64 (qemu) as on amd64", len(ours))
}

// TestArm64Worker is the arm64 half of TestCorpusArm64, which starts it
// under qemu with the object to run.
func TestArm64Worker(t *testing.T) {
	path := os.Getenv("WASMAOT_COMPONENT_OBJ")
	if path == "" {
		t.Skipf("skipping: run by TestCorpusArm64 under qemu, with WASMAOT_COMPONENT_OBJ set")
	}
	for _, o := range corpusOutcomes(t, readFile(t, path)) {
		fmt.Println("OUTCOME " + o)
	}
}

// TestCorpusNativeBackend compiles the corpus component with each back end
// (wasmaot's own code generator and the LLVM tier) and checks that every
// call gives the same result.
func TestCorpusNativeBackend(t *testing.T) {
	needLLVM(t)
	if runtime.GOARCH != "amd64" {
		t.Skipf("skipping: the native back end targets amd64, this is %s", runtime.GOARCH)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(corpusWIT()))
	bin := buildComponentEncoding(t, corpusWIT(), "corpus", []byte(corpusWAT(corpusFuncs(t, dir))), "utf8")
	native, err := comp.Compile(context.Background(), bin, compiler.Options{Backend: "native"})
	if err != nil {
		t.Fatal(err)
	}
	viaLLVM, err := comp.Compile(context.Background(), bin, compiler.Options{Backend: "llvm", OptLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	theirs, ours := corpusOutcomes(t, native), corpusOutcomes(t, viaLLVM)
	calls := corpusCalls()
	for i := range ours {
		if ours[i] != theirs[i] {
			t.Errorf("%s%s: llvm %s, native %s", calls[i].fn, short(calls[i].args), clip(ours[i]), clip(theirs[i]))
		}
	}
	t.Logf("%d corpus calls give the same results with --backend native as with llvm", len(ours))
}
