package wast

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// wazeroEngine adapts wazero (a test-only dependency) to Engine, so that
// the runner's execution paths (linking, value passing, result matching,
// failure classification) are tested against an independent engine.
//
// wazero links imports by instance name, so each instance gets a unique
// name and the importing module's import section is rewritten to name the
// exporting instance directly.
type wazeroEngine struct {
	rt wazero.Runtime
	n  int
}

type wazeroInstance struct {
	mod  api.Module
	name string
}

// wazeroExtern names an export of a wazero instance.
type wazeroExtern struct{ instance, name string }

func (e *wazeroEngine) Instantiate(ctx context.Context, m *wasm.Module, _ []byte, imports func(module, name string) (Extern, bool)) (Instance, error) {
	linked := *m
	linked.Imports = slices.Clone(m.Imports)
	for i, im := range linked.Imports {
		ext, ok := imports(im.Module, im.Name)
		if !ok {
			return nil, &LinkError{Msg: fmt.Sprintf("unknown import %q %q", im.Module, im.Name)}
		}
		x := ext.(wazeroExtern)
		linked.Imports[i].Module, linked.Imports[i].Name = x.instance, x.name
	}
	compiled, err := e.rt.CompileModule(ctx, wasm.Encode(&linked))
	if err != nil {
		return nil, fmt.Errorf("wazero compile: %w", err)
	}
	e.n++
	name := fmt.Sprintf("instance%d", e.n)
	mod, err := e.rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(name).WithStartFunctions())
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "wasm error") || strings.Contains(msg, "out of bounds") {
			return nil, classifyWazero(err)
		}
		return nil, &LinkError{Msg: msg}
	}
	return &wazeroInstance{mod: mod, name: name}, nil
}

// classifyWazero turns a wazero runtime error into a TrapError or ExhaustionError.
func classifyWazero(err error) error {
	msg := strings.SplitN(err.Error(), "\n", 2)[0]
	if strings.Contains(msg, "stack overflow") {
		return &ExhaustionError{}
	}
	return &TrapError{Msg: msg}
}

func (in *wazeroInstance) Call(ctx context.Context, export string, args []Value) ([]Value, error) {
	fn := in.mod.ExportedFunction(export)
	if fn == nil {
		return nil, fmt.Errorf("no exported function %q", export)
	}
	var params []uint64
	for _, a := range args {
		params = append(params, a.Lo)
		if a.Type == wasm.V128 {
			params = append(params, a.Hi)
		}
	}
	raw, err := fn.Call(ctx, params...)
	if err != nil {
		return nil, classifyWazero(err)
	}
	var results []Value
	for _, t := range fn.Definition().ResultTypes() {
		v := Value{Type: wasm.ValType(t), Lo: raw[0]}
		raw = raw[1:]
		if v.Type == wasm.V128 {
			v.Hi, raw = raw[0], raw[1:]
		}
		results = append(results, v)
	}
	return results, nil
}

func (in *wazeroInstance) Global(export string) (Value, error) {
	g := in.mod.ExportedGlobal(export)
	if g == nil {
		return Value{}, fmt.Errorf("no exported global %q", export)
	}
	return Value{Type: wasm.ValType(g.Type()), Lo: g.Get()}, nil
}

func (in *wazeroInstance) Export(name string) (Extern, bool) {
	// wazero has no API to look up exported tables, so any name is
	// accepted; instantiation reports a missing export as a link error.
	return wazeroExtern{in.name, name}, true
}

// wazeroKnownFailures are commands where wazero (v1.11.0 and v1.12.0) departs from the
// reference interpreter: it instantiates modules whose active element
// segments are out of the table's bounds instead of trapping.
var wazeroKnownFailures = map[string]bool{
	"elem.wast:238": true, "elem.wast:247": true, "elem.wast:256": true, "elem.wast:265": true,
	"elem.wast:272": true, "elem.wast:280": true, "elem.wast:289": true, "elem.wast:297": true,
	"elem.wast:306": true, "elem.wast:314": true, "elem.wast:323": true, "elem.wast:331": true,
	"linking.wast:243": true, "linking.wast:266": true, "linking.wast:409": true,
}

// TestSuiteWazero runs the suite with wazero as the engine.
func TestSuiteWazero(t *testing.T) {
	if testing.Short() {
		t.Skip("running the whole suite on wazero is slow; skipped in -short mode")
	}
	ctx := context.Background()
	var total Result
	for _, f := range suiteFiles(t) {
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
		res, err := RunFile(ctx, f, &wazeroEngine{rt: rt}, Options{Verbose: true})
		rt.Close(ctx)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		for _, d := range res.Details {
			key := fmt.Sprintf("%s:%d", d.File[strings.LastIndex(d.File, "/")+1:], d.Line)
			if !wazeroKnownFailures[key] {
				t.Errorf("%v", d)
			}
		}
		total.Passed += res.Passed
		total.Failed += res.Failed
		total.Skipped += res.Skipped
	}
	t.Logf("%d passed, %d failed, %d skipped", total.Passed, total.Failed, total.Skipped)
}
