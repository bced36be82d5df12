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
	t.Cleanup(func() {
		wz.Close()
		wt.Close()
	})
	return []engine.WasmEngine{wz, wt}
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

func TestWasmaotNotYetAvailable(t *testing.T) {
	for _, cfg := range engine.WasmaotConfigs {
		if _, err := engine.NewWasmaot(cfg); !errors.Is(err, engine.ErrNotAvailable) {
			t.Errorf("NewWasmaot(%q) = %v, want ErrNotAvailable", cfg, err)
		}
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
