package micro

import (
	"fmt"
	"testing"

	"github.com/wasmaot/wasmaot/bench/engine"
)

// callFixture instantiates CallModule on e.
type callFixture struct {
	module   engine.Module
	instance engine.Instance
}

func newCallFixture(e engine.WasmEngine) (*callFixture, error) {
	m, err := e.Compile(CallModule())
	if err != nil {
		return nil, err
	}
	inst, err := m.Instantiate(engine.InstanceConfig{Args: []string{"calls"}})
	if err != nil {
		m.Close()
		return nil, err
	}
	return &callFixture{module: m, instance: inst}, nil
}

func (f *callFixture) close() {
	f.instance.Close()
	f.module.Close()
}

// CallEmpty measures a Go -> wasm call of an exported empty function.
func CallEmpty(e engine.WasmEngine) func(*testing.B) {
	return func(b *testing.B) {
		fx, err := newCallFixture(e)
		if err != nil {
			b.Fatal(err)
		}
		defer fx.close()
		fn, err := fx.instance.Func("empty")
		if err != nil {
			b.Fatal(err)
		}
		stack := make([]uint64, 1)
		b.ResetTimer()
		for range b.N {
			if err := fn.Call(stack); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// HostRoundTrip measures one wasm -> Go host call and return: a single
// call of call_host(b.N) makes b.N host calls from a wasm loop.
func HostRoundTrip(e engine.WasmEngine) func(*testing.B) {
	return func(b *testing.B) {
		fx, err := newCallFixture(e)
		if err != nil {
			b.Fatal(err)
		}
		defer fx.close()
		fn, err := fx.instance.Func("call_host")
		if err != nil {
			b.Fatal(err)
		}
		stack := []uint64{uint64(b.N)}
		b.ResetTimer()
		if err := fn.Call(stack); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := uint32(stack[0]); got != uint32(b.N) {
			b.Fatalf("call_host(%d) = %d", b.N, got)
		}
	}
}

// Instantiate measures creating and closing an instance of the compiled
// module m (without running _start).
func Instantiate(m engine.Module) func(*testing.B) {
	return func(b *testing.B) {
		for range b.N {
			inst, err := m.Instantiate(engine.InstanceConfig{Args: []string{"bench"}})
			if err != nil {
				b.Fatal(err)
			}
			inst.Close()
		}
	}
}

// LoadInstantiate measures loading a module that Module.Serialize
// precompiled and creating one instance of it, closing both.
func LoadInstantiate(e engine.WasmEngine, precompiled []byte) func(*testing.B) {
	return func(b *testing.B) {
		for range b.N {
			m, err := e.Deserialize(precompiled)
			if err != nil {
				b.Fatal(err)
			}
			inst, err := m.Instantiate(engine.InstanceConfig{Args: []string{"bench"}})
			if err != nil {
				b.Fatal(err)
			}
			inst.Close()
			m.Close()
		}
	}
}

// Check runs both call paths once and verifies their results, so a broken
// engine fails loudly before it is timed.
func Check(e engine.WasmEngine) error {
	fx, err := newCallFixture(e)
	if err != nil {
		return err
	}
	defer fx.close()
	empty, err := fx.instance.Func("empty")
	if err != nil {
		return err
	}
	stack := make([]uint64, 1)
	if err := empty.Call(stack); err != nil {
		return err
	}
	host, err := fx.instance.Func("call_host")
	if err != nil {
		return err
	}
	stack[0] = 1000
	if err := host.Call(stack); err != nil {
		return err
	}
	if got := uint32(stack[0]); got != 1000 {
		return fmt.Errorf("%s: call_host(1000) = %d, want 1000", e.Name(), got)
	}
	return nil
}
