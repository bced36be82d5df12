package engine_test

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wasmaot/wasmaot/bench/engine"
	"github.com/wasmaot/wasmaot/bench/internal/micro"
	"github.com/wasmaot/wasmaot/bench/internal/programs"
)

// wasmEngines returns the in-process engines available in this build.
func wasmEngines(t testing.TB) []engine.WasmEngine {
	wz, err := engine.NewWazero()
	if err != nil {
		t.Fatal(err)
	}
	wt, err := engine.NewWasmtime()
	if err != nil {
		t.Fatal(err)
	}
	wa, err := engine.NewWasmaot("wasmaot-llvm -O2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		wz.Close()
		wt.Close()
		wa.Close()
	})
	return []engine.WasmEngine{wz, wt, wa}
}

func TestCalls(t *testing.T) {
	for _, e := range wasmEngines(t) {
		if err := micro.Check(e); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
	}
}

func TestSerializeRoundTrip(t *testing.T) {
	for _, e := range wasmEngines(t) {
		m, err := e.Compile(micro.CallModule())
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		pre, err := m.Serialize()
		m.Close()
		if err != nil {
			t.Fatalf("%s: serialize: %v", e.Name(), err)
		}
		lm, err := e.Deserialize(pre)
		if err != nil {
			t.Fatalf("%s: deserialize: %v", e.Name(), err)
		}
		inst, err := lm.Instantiate(engine.InstanceConfig{Args: []string{"calls"}})
		if err != nil {
			t.Fatalf("%s: instantiate: %v", e.Name(), err)
		}
		fn, err := inst.Func("call_host")
		if err != nil {
			t.Fatal(err)
		}
		stack := []uint64{7}
		if err := fn.Call(stack); err != nil || stack[0] != 7 {
			t.Errorf("%s: call_host(7) = %d, %v", e.Name(), stack[0], err)
		}
		inst.Close()
		lm.Close()
	}
}

func TestCompileRejectsBadWasm(t *testing.T) {
	for _, e := range wasmEngines(t) {
		if _, err := e.Compile([]byte("not wasm")); err == nil {
			t.Errorf("%s: compiling garbage succeeded", e.Name())
		}
	}
}

// TestRunAgreesWithNative builds one C kernel and checks that every
// engine prints the native checksum for a small scale.
func TestRunAgreesWithNative(t *testing.T) {
	if _, err := exec.LookPath("clang-14"); err != nil {
		t.Skip("clang-14 not installed; cannot build the C kernels")
	}
	spec, _ := programs.Lookup("sieve")
	arts, err := programs.Build("..", filepath.Join(t.TempDir(), "build"), []programs.Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	engines := []engine.Engine{engine.NewNative()}
	for _, e := range wasmEngines(t) {
		engines = append(engines, e)
	}
	var want []byte
	for _, e := range engines {
		p, err := e.Prepare(arts[0])
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Run([]string{"2"})
		p.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if !bytes.HasPrefix(out, []byte("sieve ")) {
			t.Fatalf("%s: unexpected output %q", e.Name(), out)
		}
		if want == nil {
			want = out
		} else if !bytes.Equal(out, want) {
			t.Errorf("%s printed %q, native printed %q", e.Name(), out, want)
		}
	}
}

func TestWasmaotConfigs(t *testing.T) {
	for _, cfg := range engine.WasmaotConfigs {
		e, err := engine.NewWasmaot(cfg)
		switch {
		case err != nil:
			t.Errorf("NewWasmaot(%q): %v", cfg, err)
		case e.Name() != cfg:
			t.Errorf("NewWasmaot(%q) is named %q", cfg, e.Name())
		}
	}
	if _, err := engine.NewWasmaot("wasmaot-llvm -O9"); err == nil || errors.Is(err, engine.ErrNotAvailable) {
		t.Errorf("an unknown configuration gave %v, want a plain error", err)
	}
}

// TestWasmaotExitStatus checks that a non-zero proc_exit is an error and
// exit status 0 is success.
func TestWasmaotExitStatus(t *testing.T) {
	e, err := engine.NewWasmaot("wasmaot-llvm -O0")
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []byte{0, 3} {
		m, err := e.Compile(exitModule(code))
		if err != nil {
			t.Fatal(err)
		}
		inst, err := m.Instantiate(engine.InstanceConfig{Args: []string{"exit"}})
		if err != nil {
			t.Fatal(err)
		}
		err = inst.Start()
		if (err == nil) != (code == 0) {
			t.Errorf("exit(%d): Start returned %v", code, err)
		}
		inst.Close()
		m.Close()
	}
}

// exitModule is (module (import "wasi_snapshot_preview1" "proc_exit"
// (func (param i32))) (memory 1) (func (export "_start") (call 0
// (i32.const code)))).
func exitModule(code byte) []byte {
	return []byte{
		0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 8, 2, 0x60, 1, 0x7f, 0, 0x60, 0, 0, // types: (i32)->(), ()->()
		2, 36, 1, 22, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1',
		9, 'p', 'r', 'o', 'c', '_', 'e', 'x', 'i', 't', 0, 0,
		3, 2, 1, 1, // one function of type 1
		5, 3, 1, 0, 1, // memory 1
		7, 10, 1, 6, '_', 's', 't', 'a', 'r', 't', 0, 1,
		10, 8, 1, 6, 0, 0x41, code, 0x10, 0, 0x0b,
	}
}

func BenchmarkCallEmpty(b *testing.B) {
	for _, e := range wasmEngines(b) {
		b.Run(e.Name(), micro.CallEmpty(e))
	}
}

func BenchmarkHostRoundTrip(b *testing.B) {
	for _, e := range wasmEngines(b) {
		b.Run(e.Name(), micro.HostRoundTrip(e))
	}
}

func BenchmarkInstantiate(b *testing.B) {
	for _, e := range wasmEngines(b) {
		m, err := e.Compile(micro.CallModule())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(e.Name(), micro.Instantiate(m))
		m.Close()
	}
}

func BenchmarkLoadInstantiate(b *testing.B) {
	for _, e := range wasmEngines(b) {
		m, err := e.Compile(micro.CallModule())
		if err != nil {
			b.Fatal(err)
		}
		pre, err := m.Serialize()
		m.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(e.Name(), micro.LoadInstantiate(e, pre))
	}
}
