package wast

import (
	"context"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// fakeEngine instantiates every module; each call fails with its err (or
// returns results), which is enough to test the runner's bookkeeping.
type fakeEngine struct {
	instantiateErr map[int]error // by number of the Instantiate call, from 1
	calls          int
	callErr        error
	results        []Value
}

type fakeInstance struct{ e *fakeEngine }

func (e *fakeEngine) Instantiate(_ context.Context, _ *wasm.Module, _ []byte, imports func(module, name string) (Extern, bool)) (Instance, error) {
	e.calls++
	if err := e.instantiateErr[e.calls]; err != nil {
		return nil, err
	}
	return fakeInstance{e}, nil
}

func (i fakeInstance) Call(context.Context, string, []Value) ([]Value, error) {
	return i.e.results, i.e.callErr
}
func (i fakeInstance) Global(string) (Value, error) { return Value{Type: wasm.I32, Lo: 7}, nil }
func (i fakeInstance) Export(string) (Extern, bool) { return nil, true }

func run(t *testing.T, script string, e Engine, opts Options) Result {
	t.Helper()
	opts.Verbose = true
	res, err := Run(context.Background(), "test.wast", []byte(script), e, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunnerCounts(t *testing.T) {
	script := `
(module $a (func (export "f")))
(assert_return (invoke "f"))
(assert_trap (invoke "f") "integer divide by zero")
(register "a" $a)
(assert_return (get $a "g") (i32.const 7))
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
`
	// Without an engine, execution is skipped, never passed.
	res := run(t, script, nil, Options{})
	if res.Passed != 4 || res.Failed != 0 || res.Skipped != 4 {
		t.Errorf("nil engine: %d passed, %d failed, %d skipped; want 4, 0, 4\n%v", res.Passed, res.Failed, res.Skipped, res.Details)
	}
	for _, d := range res.Details {
		if d.Status != Skipped || d.Reason != needsEngine || d.File != "test.wast" || d.Line == 0 {
			t.Errorf("unexpected detail %v", d)
		}
	}

	// With an engine whose calls trap, assert_return fails and assert_trap
	// passes; with CheckTrapMessages the message must match too.
	e := &fakeEngine{callErr: &TrapError{Msg: "integer overflow"}}
	res = run(t, script, e, Options{})
	if res.Passed != 7 || res.Failed != 1 || res.Skipped != 0 {
		t.Errorf("trapping engine: %d passed, %d failed, %d skipped; want 7, 1, 0\n%v", res.Passed, res.Failed, res.Skipped, res.Details)
	}
	res = run(t, script, &fakeEngine{callErr: &TrapError{Msg: "integer overflow"}}, Options{CheckTrapMessages: true})
	if res.Failed != 2 || !strings.Contains(res.Details[1].Reason, `got trap "integer overflow"`) {
		t.Errorf("CheckTrapMessages: %d failed, details %v", res.Failed, res.Details)
	}
}

// TestRunnerFailedModule checks that commands after a module that failed to
// instantiate report that failure, and that a failing assert_unlinkable
// module does not replace the current module.
func TestRunnerFailedModule(t *testing.T) {
	script := `
(module (func (export "f") (result i32) (i32.const 1)))
(assert_unlinkable (module (import "x" "y" (func))) "unknown import")
(assert_return (invoke "f") (i32.const 1))
(module (func (export "f")))
(assert_return (invoke "f") (i32.const 1))
`
	e := &fakeEngine{
		// Call 1 instantiates spectest, 2 the first module.
		instantiateErr: map[int]error{3: &LinkError{Msg: "unknown import"}, 4: &TrapError{Msg: "boom"}},
		results:        []Value{{Type: wasm.I32, Lo: 1}},
	}
	res := run(t, script, e, Options{})
	if res.Passed != 3 || res.Failed != 2 {
		t.Fatalf("%d passed, %d failed; want 3, 2\n%v", res.Passed, res.Failed, res.Details)
	}
	if d := res.Details[1]; d.Line != 6 || !strings.Contains(d.Reason, "line 5 failed to instantiate") {
		t.Errorf("detail %v, want line 6 blaming the module at line 5", d)
	}
}

func TestExpectedMatch(t *testing.T) {
	f32 := func(bits uint64) Value { return Value{Type: wasm.F32, Lo: bits} }
	f64 := func(bits uint64) Value { return Value{Type: wasm.F64, Lo: bits} }
	v128 := func(lo, hi uint64) Value { return Value{Type: wasm.V128, Lo: lo, Hi: hi} }
	tests := []struct {
		want string
		got  Value
		ok   bool
	}{
		{"(i32.const -1)", Value{Type: wasm.I32, Lo: 0xFFFFFFFF}, true},
		{"(i32.const -1)", Value{Type: wasm.I32, Lo: 0xFFFFFFFF_FFFFFFFF}, true}, // only the low 32 bits count
		{"(i32.const -1)", Value{Type: wasm.I64, Lo: 0xFFFFFFFF}, false},
		{"(f32.const nan:canonical)", f32(0x7FC00000), true},
		{"(f32.const nan:canonical)", f32(0xFFC00000), true},
		{"(f32.const nan:canonical)", f32(0x7FC00001), false},
		{"(f32.const nan:arithmetic)", f32(0x7FC00001), true},
		{"(f32.const nan:arithmetic)", f32(0x7F800001), false},
		{"(f64.const nan:arithmetic)", f64(0xFFF8000000000001), true},
		{"(f64.const -0)", f64(0x8000000000000000), true},
		{"(f64.const -0)", f64(0), false},
		{"(f32.const nan)", f32(0x7FC00000), true},
		{"(v128.const i16x8 1 2 3 4 5 6 7 -1)", v128(0x0004000300020001, 0xFFFF000700060005), true},
		{"(v128.const f32x4 nan:canonical 1 nan:arithmetic -0)", v128(0x3F800000_FFC00000, 0x80000000_7FE00000), true},
		{"(v128.const f32x4 nan:canonical 1 nan:arithmetic -0)", v128(0x3F800000_FFC00000, 0x00000000_7FE00000), false},
		{"(v128.const f64x2 0 nan:canonical)", v128(0, 0x7FF8000000000000), true},
		{"(ref.null extern)", Value{Type: wasm.ExternRef}, true},
		{"(ref.null extern)", Value{Type: wasm.FuncRef}, false},
		{"(ref.extern 0)", Value{Type: wasm.ExternRef, Lo: 1}, true},
		{"(ref.extern 0)", Value{Type: wasm.ExternRef, Lo: 2}, false},
		{"(ref.func)", Value{Type: wasm.FuncRef, Lo: 0xDEAD}, true},
		{"(ref.func)", Value{Type: wasm.FuncRef}, false},
	}
	for _, tt := range tests {
		cmds, err := ParseScript([]byte(`(assert_return (invoke "f") ` + tt.want + `)`))
		if err != nil {
			t.Errorf("%s: %v", tt.want, err)
			continue
		}
		if got := cmds[0].Expected[0].Match(tt.got); got != tt.ok {
			t.Errorf("%s matches %v = %v, want %v", tt.want, tt.got, got, tt.ok)
		}
	}
}
