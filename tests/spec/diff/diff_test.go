package diff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// wazeroEngine runs modules in wazero, an independent implementation. It
// compiles the most recent module once and instantiates it per Run.
type wazeroEngine struct {
	cache lastModule[wazeroModule]
}

type wazeroModule struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	globals  []globalExport
}

func (*wazeroEngine) Name() string { return "wazero" }

func prepareWazero(bin []byte) (wazeroModule, error) {
	m, err := wasm.Decode(bin)
	if err != nil {
		return wazeroModule{}, err
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2))
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		rt.Close(ctx)
		return wazeroModule{}, err
	}
	return wazeroModule{rt, compiled, exportedGlobals(m)}, nil
}

func closeWazero(m wazeroModule) { m.rt.Close(context.Background()) }

func (e *wazeroEngine) Run(ctx context.Context, bin []byte, export string, args []uint64) (Outcome, error) {
	pm, err := e.cache.get(bin, prepareWazero, closeWazero)
	if err != nil {
		return Outcome{}, err
	}
	mod, err := pm.rt.InstantiateModule(ctx, pm.compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		if msg, ok := wazeroTrap(err); ok {
			return Outcome{Trap: msg}, nil
		}
		return Outcome{}, err
	}
	defer mod.Close(ctx)
	f := mod.ExportedFunction(export)
	if f == nil {
		return Outcome{}, fmt.Errorf("no exported function %q", export)
	}
	res, err := f.Call(ctx, args...)
	var o Outcome
	if mem := mod.Memory(); mem != nil {
		b, _ := mem.Read(0, mem.Size())
		o.Memory = slices.Clone(b)
	}
	for _, g := range pm.globals {
		o.Globals = append(o.Globals, maskGlobal(mod.ExportedGlobal(g.name).Get(), g.typ))
	}
	if err != nil {
		msg, ok := wazeroTrap(err)
		if !ok {
			return Outcome{}, err
		}
		o.Trap = msg
		return o, nil
	}
	// wazero leaves junk above the low 32 bits of i32 and f32 results.
	i := 0
	for _, t := range f.Definition().ResultTypes() {
		if t == api.ValueTypeI32 || t == api.ValueTypeF32 {
			res[i] &= 0xFFFF_FFFF
		}
		i++
		if wasm.ValType(t) == wasm.V128 {
			i++
		}
	}
	o.Results = res
	return o, nil
}

// wazeroTrap extracts the spec trap message from a wazero error (a trap
// in a start function comes wrapped in "start function[i] failed: ").
func wazeroTrap(err error) (string, bool) {
	_, msg, ok := strings.Cut(err.Error(), "wasm error: ")
	if !ok {
		return "", false
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return msg, true
}

// tally counts what a differential run compared.
type tally struct {
	modules, funcs, calls, traps int
	trapKinds                    map[string]int
}

func newTally() *tally { return &tally{trapKinds: map[string]int{}} }

func (n *tally) String() string {
	return fmt.Sprintf("%d modules, %d functions, %d calls (%d trapped: %v)", n.modules, n.funcs, n.calls, n.traps, n.trapKinds)
}

// checkModule generates the module of seed and compares every call of it
// on engines. A module that loops forever in one engine hits the deadline.
func checkModule(t *testing.T, engines []Engine, seed uint64, n *tally) {
	t.Helper()
	m := Generate(seed)
	wm, err := wasm.Decode(m.Binary)
	if err == nil {
		err = wasm.Validate(wm)
	}
	if err != nil {
		t.Fatalf("seed %d: generated module is invalid: %v", seed, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n.modules++
	n.funcs += m.Funcs
	for _, c := range m.Calls {
		n.calls++
		o, err := CompareAll(ctx, engines, m.Binary, c.Export, c.Args)
		if err != nil {
			t.Errorf("seed %d: %s%#x: %v", seed, c.Export, c.Args, err)
		}
		if o.Trap != "" {
			n.traps++
			n.trapKinds[o.Trap]++
		}
	}
}

// TestRandomModules compares the interpreter with wazero on random modules.
func TestRandomModules(t *testing.T) {
	n := uint64(300)
	if testing.Short() {
		n = 50
	}
	engines := []Engine{&Interp{}, &wazeroEngine{}}
	sum := newTally()
	for seed := range n {
		checkModule(t, engines, seed, sum)
	}
	t.Logf("interp = wazero: %v", sum)
}

// TestRandomModulesNative compares the interpreter, the native back end
// and wazero on DIFF_NATIVE_MODULES random modules (default 300) at -O2
// and a tenth as many at -O0.
func TestRandomModulesNative(t *testing.T) {
	count := envCount(t, "DIFF_NATIVE_MODULES", 300)
	if testing.Short() {
		count = min(count, 50)
	}
	for _, level := range []struct {
		opt     int
		n       int
		seedOff uint64
	}{{2, count, 3 << 32}, {0, count / 10, 4 << 32}} {
		t.Run(fmt.Sprintf("O%d", level.opt), func(t *testing.T) {
			engine := &LLVM{OptLevel: level.opt, Backend: "native"}
			defer engine.Close()
			engines := []Engine{&Interp{}, engine, &wazeroEngine{}}
			sum := newTally()
			for i := range uint64(level.n) {
				checkModule(t, engines, level.seedOff+i, sum)
			}
			t.Logf("interp = %s = wazero: %v", engine.Name(), sum)
		})
	}
}

// needLLVM skips t when the LLVM tools are missing.
func needLLVM(t testing.TB) {
	if _, err := llvm.FindTools(); err != nil {
		t.Skipf("LLVM tier not compared: %v", err)
	}
}

// envCount reads a count from the environment variable name (def if unset).
func envCount(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a count", name, s)
	}
	return n
}

// TestRandomModulesLLVM compares the interpreter, the LLVM tier and wazero
// on random modules: DIFF_LLVM_MODULES of them at -O2 (default 40),
// DIFF_LLVM_O0_MODULES at -O0 and DIFF_LLVM_O1_MODULES at -O1 (default 10
// each; -O1 selects instructions differently). Each module costs a
// compile.
func TestRandomModulesLLVM(t *testing.T) {
	needLLVM(t)
	for _, level := range []struct {
		opt     int
		env     string
		def     int
		seedOff uint64
	}{{2, "DIFF_LLVM_MODULES", 40, 0}, {0, "DIFF_LLVM_O0_MODULES", 10, 1 << 32}, {1, "DIFF_LLVM_O1_MODULES", 10, 2 << 32}} {
		count := envCount(t, level.env, level.def)
		if testing.Short() {
			count = min(count, 5)
		}
		t.Run(fmt.Sprintf("O%d", level.opt), func(t *testing.T) {
			engine := &LLVM{OptLevel: level.opt}
			defer engine.Close()
			engines := []Engine{&Interp{}, engine, &wazeroEngine{}}
			sum := newTally()
			for i := range uint64(count) {
				checkModule(t, engines, level.seedOff+i, sum)
			}
			t.Logf("interp = %s = wazero: %v", engine.Name(), sum)
		})
	}
}

// FuzzDiff searches for a module on which the interpreter, the native
// back end and wazero disagree: go test ./tests/spec/diff -fuzz FuzzDiff.
func FuzzDiff(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	engines := []Engine{&Interp{}, &LLVM{OptLevel: 2, Backend: "native"}, &wazeroEngine{}}
	f.Fuzz(func(t *testing.T, seed uint64) { checkModule(t, engines, seed, newTally()) })
}

// FuzzDiffLLVM searches for a module on which the interpreter, the LLVM
// tier at -O0, -O1 and -O2, the native back end and wazero disagree
// (four compiles per input):
// go test ./tests/spec/diff -run '^$' -fuzz FuzzDiffLLVM.
func FuzzDiffLLVM(f *testing.F) {
	needLLVM(f)
	for seed := range uint64(4) {
		f.Add(seed)
	}
	engines := []Engine{&Interp{}, &LLVM{OptLevel: 2}, &LLVM{OptLevel: 1}, &LLVM{OptLevel: 0},
		&LLVM{OptLevel: 2, Backend: "native"}, &wazeroEngine{}}
	f.Fuzz(func(t *testing.T, seed uint64) { checkModule(t, engines, seed, newTally()) })
}

// TestCompareDetects checks that the harness reports a disagreement.
func TestCompareDetects(t *testing.T) {
	m := Generate(1)
	c := m.Calls[0]
	a := &Interp{}
	b := fixedEngine{Outcome{Trap: "unreachable"}}
	err := Compare(context.Background(), a, b, m.Binary, c.Export, c.Args)
	if err == nil {
		t.Fatal("Compare found no difference against a constant trap")
	}
	if err := Compare(context.Background(), b, b, m.Binary, c.Export, nil); err != nil {
		t.Fatalf("Compare of identical outcomes: %v", err)
	}
	if err := Compare(context.Background(), a, errEngine{}, m.Binary, c.Export, c.Args); err == nil || !errors.Is(err, errBroken) {
		t.Fatalf("engine error not reported: %v", err)
	}
	g := fixedEngine{Outcome{Globals: []uint64{1}}}
	if err := Compare(context.Background(), fixedEngine{Outcome{Globals: []uint64{2}}}, g, nil, "", nil); err == nil {
		t.Fatal("Compare found no difference in globals")
	}
}

// TestTableTrapEquivalence checks that wazero's one table trap matches
// each of the spec's, and nothing else.
func TestTableTrapEquivalence(t *testing.T) {
	for _, msg := range tableTraps {
		if !sameTrap(msg, AnyTableTrap) || !sameTrap(AnyTableTrap, msg) {
			t.Errorf("%q does not match %q", msg, AnyTableTrap)
		}
	}
	if sameTrap("unreachable", AnyTableTrap) || sameTrap("undefined element", "uninitialized element") {
		t.Error("unrelated traps match")
	}
}

type fixedEngine struct{ o Outcome }

func (fixedEngine) Name() string { return "fixed" }
func (e fixedEngine) Run(context.Context, []byte, string, []uint64) (Outcome, error) {
	return e.o, nil
}

var errBroken = errors.New("broken engine")

type errEngine struct{}

func (errEngine) Name() string { return "broken" }
func (errEngine) Run(context.Context, []byte, string, []uint64) (Outcome, error) {
	return Outcome{}, errBroken
}
