package wast

import (
	"context"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
)

// spectestWAT is the host module the suite's scripts import as
// "spectest", written in WebAssembly so that every engine can provide it
// by instantiating it like any other module. The print functions are no-ops.
const spectestWAT = `(module
  (func (export "print"))
  (func (export "print_i32") (param i32))
  (func (export "print_i64") (param i64))
  (func (export "print_f32") (param f32))
  (func (export "print_f64") (param f64))
  (func (export "print_i32_f32") (param i32 f32))
  (func (export "print_f64_f64") (param f64 f64))
  (global (export "global_i32") i32 (i32.const 666))
  (global (export "global_i64") i64 (i64.const 666))
  (global (export "global_f32") f32 (f32.const 666.6))
  (global (export "global_f64") f64 (f64.const 666.6))
  (table (export "table") 10 20 funcref)
  (memory (export "memory") 1 2)
)`

// SpectestModule returns the decoded and validated spectest module and its
// binary encoding.
func SpectestModule() (*wasm.Module, []byte, error) {
	bin, err := wat.Parse([]byte(spectestWAT))
	if err != nil {
		return nil, nil, err
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, nil, err
	}
	return m, bin, wasm.Validate(m)
}

func instantiateSpectest(ctx context.Context, e Engine) (Instance, error) {
	m, bin, err := SpectestModule()
	if err != nil {
		return nil, err
	}
	return e.Instantiate(ctx, m, bin, func(string, string) (Extern, bool) { return nil, false })
}
