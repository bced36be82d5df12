package diff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wasmaot/wasmaot/compiler/wasm"
)

// wazeroEngine runs modules in wazero, an independent implementation.
type wazeroEngine struct{}

func (wazeroEngine) Name() string { return "wazero" }

func (wazeroEngine) Run(ctx context.Context, bin []byte, export string, args []uint64) (Outcome, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2))
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, bin)
	if err != nil {
		if msg, ok := wazeroTrap(err); ok {
			return Outcome{Trap: msg}, nil
		}
		return Outcome{}, err
	}
	f := mod.ExportedFunction(export)
	if f == nil {
		return Outcome{}, fmt.Errorf("no exported function %q", export)
	}
	res, err := f.Call(ctx, args...)
	var o Outcome
	if mem := mod.Memory(); mem != nil {
		b, _ := mem.Read(0, mem.Size())
		o.Memory = append([]byte(nil), b...)
	}
	if err != nil {
		msg, ok := wazeroTrap(err)
		if !ok {
			return Outcome{}, err
		}
		o.Trap = msg
		return o, nil
	}
	o.Results = res
	return o, nil
}

// wazeroTrap extracts the spec trap message from a wazero error.
func wazeroTrap(err error) (string, bool) {
	msg, ok := strings.CutPrefix(err.Error(), "wasm error: ")
	if !ok {
		return "", false
	}
	msg, _, _ = strings.Cut(msg, "\n")
	return msg, true
}

func checkGenerated(t *testing.T, seed uint64) {
	bin := Generate(seed)
	m, err := wasm.Decode(bin)
	if err == nil {
		err = wasm.Validate(m)
	}
	if err != nil {
		t.Fatalf("seed %d: generated module is invalid: %v", seed, err)
	}
	args := []uint64{seed & 0xFFFF, seed * 0x9E3779B97F4A7C15}
	if err := Compare(context.Background(), Interp{}, wazeroEngine{}, bin, "run", args); err != nil {
		t.Errorf("seed %d: %v", seed, err)
	}
}

// TestRandomModules compares the interpreter with wazero on random modules.
func TestRandomModules(t *testing.T) {
	n := uint64(300)
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		checkGenerated(t, seed)
	}
}

// FuzzDiff searches for a module on which the engines disagree:
// go test ./tests/spec/diff -fuzz FuzzDiff.
func FuzzDiff(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { checkGenerated(t, seed) })
}

// TestCompareDetects checks that the harness reports a disagreement.
func TestCompareDetects(t *testing.T) {
	bin := Generate(1)
	a := Interp{}
	b := fixedEngine{Outcome{Trap: "unreachable"}}
	err := Compare(context.Background(), a, b, bin, "run", []uint64{0, 0})
	if err == nil {
		t.Fatal("Compare found no difference against a constant trap")
	}
	if err := Compare(context.Background(), b, b, bin, "run", nil); err != nil {
		t.Fatalf("Compare of identical outcomes: %v", err)
	}
	if err := Compare(context.Background(), a, errEngine{}, bin, "run", []uint64{0, 0}); err == nil || !errors.Is(err, errBroken) {
		t.Fatalf("engine error not reported: %v", err)
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
