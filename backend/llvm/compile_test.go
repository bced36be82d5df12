package llvm

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"testing"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower"
)

// compileWat compiles WebAssembly text for arch through the whole pipeline.
func compileWat(t *testing.T, src, arch string, level int) []byte {
	t.Helper()
	bin, err := wat.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	wm, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := wasm.Validate(wm); err != nil {
		t.Fatal(err)
	}
	m, err := lower.Module(wm, lower.Options{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := TargetFor(arch)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("WASMAOT_DUMP_LL") != "" {
		mods, err := Translate(m, Options{Target: tgt})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(os.Getenv("WASMAOT_DUMP_LL"), mods[0], 0o644)
	}
	obj, err := Compile(context.Background(), m, Options{Target: tgt, OptLevel: level})
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestCompileWat(t *testing.T) {
	needTools(t)
	src, err := os.ReadFile("/tmp/wt/a.wat")
	if err != nil {
		t.Skip(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		obj := compileWat(t, string(src), arch, 2)
		f, err := elf.NewFile(bytes.NewReader(obj))
		if err != nil {
			t.Fatal(err)
		}
		if arch == "arm64" {
			checkNoReservedRegs(t, f)
		}
	}
}
