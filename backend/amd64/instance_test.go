package amd64_test

import (
	"context"
	"testing"

	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
)

// compileWAT compiles a WAT module with the native back end at -O2.
func compileWAT(t *testing.T, src string) []byte {
	t.Helper()
	bin, err := wat.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := compiler.Compile(bin, compiler.Options{Backend: "native", OptLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// instantiate loads obj and instantiates it with no imports; both are
// closed when the test ends.
func instantiate(t *testing.T, obj []byte) *rtlib.Instance {
	t.Helper()
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mod.Close() })
	inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}
