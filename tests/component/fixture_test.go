package component_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler"
	comp "github.com/wasmaot/wasmaot/compiler/component"
	"github.com/wasmaot/wasmaot/rtlib"
	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

var (
	toolOnce sync.Once
	toolDir  string
	toolPath string
	toolErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if toolDir != "" {
		os.RemoveAll(toolDir)
	}
	os.Exit(code)
}

// wasmTools builds the pure-Go wasm-tools that go.bytecodealliance.org
// ships (pinned in go.mod) once per test process.
func wasmTools(t testing.TB) string {
	t.Helper()
	toolOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wasmaot-wasm-tools")
		if err != nil {
			toolErr = err
			return
		}
		toolDir = dir
		toolPath = filepath.Join(dir, "wasm-tools")
		out, err := exec.Command("go", "build", "-o", toolPath, "go.bytecodealliance.org/internal/cmd/wasm-tools").CombinedOutput()
		if err != nil {
			toolErr = err
			toolPath = string(out)
		}
	})
	if toolErr != nil {
		t.Fatalf("building wasm-tools: %v\n%s", toolErr, toolPath)
	}
	return toolPath
}

// runTool runs wasm-tools in dir (which it mounts read-only) and returns
// its standard output.
func runTool(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(wasmTools(t), args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("wasm-tools %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// buildComponent makes a component of a core module (WAT text or a wasm
// binary) and a WIT world: component embed, then component new.
func buildComponent(t testing.TB, wit, world string, core []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	name := "core.wasm"
	if !bytes.HasPrefix(core, []byte("\x00asm")) {
		name = "core.wat"
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(wit))
	write(t, filepath.Join(dir, name), core)
	embedded := runTool(t, dir, "component", "embed", "wit", name, "--world", world)
	write(t, filepath.Join(dir, "embedded.wasm"), embedded)
	return runTool(t, dir, "component", "new", "embedded.wasm")
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func needLLVM(t testing.TB) {
	t.Helper()
	if _, err := llvm.FindTools(); err != nil {
		t.Skipf("skipping: the LLVM tools are missing: %v", err)
	}
}

// instantiate parses, flattens and compiles a component, then instantiates
// it with cfg.
func instantiate(t testing.TB, bin []byte, cfg rc.Config) *rc.Instance {
	t.Helper()
	return instantiateObject(t, compileComponent(t, bin), cfg)
}

// compileComponent compiles a component to a component object for this
// machine.
func compileComponent(t testing.TB, bin []byte) []byte {
	t.Helper()
	needLLVM(t)
	obj, err := comp.Compile(context.Background(), bin, compiler.Options{OptLevel: 1})
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// instantiateObject loads a component object and instantiates it.
func instantiateObject(t testing.TB, obj []byte, cfg rc.Config) *rc.Instance {
	t.Helper()
	c, err := rc.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	inst, err := c.Instantiate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}

var _ = rtlib.Load
