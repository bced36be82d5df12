package component_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBasic runs a component with a scalar export, a string round trip
// and a host import.
func TestBasic(t *testing.T) {
	needLLVM(t)
	bin := buildComponent(t, string(readFile(t, "testdata/basic.wit")), "basic", readFile(t, "testdata/basic.wat"))
	var logged []string
	failing := false
	inst := instantiate(t, bin, rc.Config{Instances: map[string]*rc.HostInstance{
		"test:basic/host": {Funcs: map[string]rc.HostFunc{"log": func(_ context.Context, args []rc.Value) (rc.Value, error) {
			if failing {
				return nil, errors.New("log failed")
			}
			logged = append(logged, args[0].(string))
			return nil, nil
		}}},
	}})
	ctx := context.Background()
	add, err := inst.Func("add")
	if err != nil {
		t.Fatal(err)
	}
	got, err := add.Call(ctx, uint32(40), uint32(2))
	if err != nil || got != uint32(42) {
		t.Fatalf("add(40, 2) = %v, %v; want 42", got, err)
	}
	greet, err := inst.Func("greet")
	if err != nil {
		t.Fatal(err)
	}
	got, err = greet.Call(ctx, "héllo wörld")
	if err != nil || got != "héllo wörld" {
		t.Fatalf("greet = %q, %v", got, err)
	}
	if len(logged) != 1 || logged[0] != "héllo wörld" {
		t.Fatalf("host log saw %q", logged)
	}
	if s, err := rc.Call[string](ctx, greet, ""); err != nil || s != "" {
		t.Fatalf("Call[string](greet, \"\") = %q, %v", s, err)
	}
	if _, err := rc.Call[int32](ctx, add, uint32(1), uint32(2)); err == nil {
		t.Fatal("Call[int32] of a u32 result succeeded")
	}
	// A host function's error aborts the guest: the instance is refused
	// afterwards. A bad Go argument, found before entering, is not.
	if _, err := greet.Call(ctx, 42); err == nil {
		t.Fatal("an int for a string parameter was accepted")
	}
	if _, err := add.Call(ctx, uint32(1), uint32(1)); err != nil {
		t.Fatalf("after a refused argument: %v", err)
	}
	failing = true
	if _, err := greet.Call(ctx, "x"); err == nil || !strings.Contains(err.Error(), "log failed") {
		t.Fatalf("greet with a failing host log: %v", err)
	}
	if _, err := add.Call(ctx, uint32(1), uint32(1)); err == nil || !strings.Contains(err.Error(), "trapped earlier") {
		t.Fatalf("a call after the host function failed: %v", err)
	}
}
