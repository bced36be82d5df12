package llvm

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"github.com/wasmaot/wasmaot/backend"
	"os"
	"strings"
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
	if path := os.Getenv("WASMAOT_DUMP_LL"); path != "" {
		mods, err := Translate(m, withMeta(t, m, Options{Target: tgt}))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, mods[0], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	obj, err := Compile(context.Background(), m, withMeta(t, m, Options{Target: tgt, OptLevel: level}))
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// sampleWat exercises every kind of operation the translation handles:
// imports, memory, globals, tables, direct/indirect/imported calls,
// division guards, multi-value results and SIMD.
const sampleWat = `(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (memory 1)
  (global $g (mut i32) (i32.const 5))
  (table 2 funcref)
  (elem (i32.const 0) $add)
  (type $t (func (param i32 i32) (result i32)))
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "sum") (param $n i32) (result i32) (local $s i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (global.set $g (local.get $s))
    (i32.add (call_indirect (type $t) (local.get $s) (i32.const 1) (i32.const 0))
             (call $h (i32.div_s (local.get $s) (i32.const 3)))))
  (func (export "mv") (param f32 f32 v128) (result f32 i64 v128)
    (f32.min (local.get 0) (local.get 1)) (i64.const 3)
    (f32x4.max (local.get 2) (i8x16.swizzle (local.get 2) (local.get 2))))
  (func (export "grow") (param i32) (result i32 i32)
    (memory.grow (local.get 0)) (memory.size))
)`

func TestCompileSample(t *testing.T) {
	needTools(t)
	for _, arch := range []string{"amd64", "arm64"} {
		for _, level := range []int{0, 2} {
			obj := compileWat(t, sampleWat, arch, level)
			f, err := elf.NewFile(bytes.NewReader(obj))
			if err != nil {
				t.Fatal(err)
			}
			syms, _ := f.Symbols()
			have := map[string]bool{}
			for _, s := range syms {
				have[s.Name] = true
			}
			for _, want := range []string{"wasm_func_1", "wasm_func_4", "wasm_entry_0", "wasm_import_0"} {
				if !have[want] {
					t.Errorf("%s -O%d: symbol %s missing", arch, level, want)
				}
			}
			if arch == "arm64" {
				if _, err := backend.CheckReservedRegisters(obj); err != nil {
					t.Errorf("-O%d: %v", level, err)
				}
			}
		}
	}
}

// TestCompileSplit forces one LLVM module per function: the parts are
// compiled concurrently and merged by ld.lld into the object format's
// three sections, with every symbol defined and none undefined.
func TestCompileSplit(t *testing.T) {
	needTools(t)
	bin, err := wat.Parse([]byte(sampleWat))
	if err != nil {
		t.Fatal(err)
	}
	wm, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	m, err := lower.Module(wm, lower.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		tgt, _ := TargetFor(arch)
		opts := withMeta(t, m, Options{Target: tgt, OptLevel: 2, Jobs: 2, PartSize: 1})
		mods, err := Translate(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(mods) < 3 {
			t.Fatalf("%s: %d parts, want one per function (4)", arch, len(mods))
		}
		obj, err := Compile(context.Background(), m, opts)
		if err != nil {
			t.Fatal(err)
		}
		f, err := elf.NewFile(bytes.NewReader(obj))
		if err != nil {
			t.Fatal(err)
		}
		var alloc []string
		for _, s := range f.Sections {
			if s.Flags&elf.SHF_ALLOC != 0 {
				alloc = append(alloc, s.Name)
			}
		}
		if got := strings.Join(alloc, " "); got != ".text .rodata .wasmaot.meta" && got != ".text .wasmaot.meta" {
			t.Errorf("%s: allocated sections %q", arch, got)
		}
		syms, _ := f.Symbols()
		defined := map[string]bool{}
		for _, s := range syms {
			if s.Section == elf.SHN_UNDEF && s.Name != "" {
				t.Errorf("%s: undefined symbol %s", arch, s.Name)
			}
			defined[s.Name] = true
		}
		for i := 1; i <= 4; i++ {
			if name := fmt.Sprintf("wasm_func_%d", i); !defined[name] {
				t.Errorf("%s: %s missing", arch, name)
			}
		}
	}
}

// pressureWat keeps the results of 40 calls (to an import, which LLVM
// cannot inline) live across the following calls, so the register
// allocator needs every callee-saved register, x28 among them, unless it
// is reserved.
func pressureWat() string {
	var b strings.Builder
	b.WriteString("(module (import \"env\" \"f\" (func $f (param i64) (result i64)))\n (func (export \"p\") (param i64) (result i64)")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, " (call $f (i64.add (local.get 0) (i64.const %d)))", i+3)
	}
	b.WriteString(" (local.get 0)")
	for i := 0; i < 40; i++ {
		b.WriteString(" (i64.add)")
	}
	b.WriteString("))")
	return b.String()
}

// TestReservationMatters is the negative control of the x18/x28 check:
// the same high-pressure code compiled without the reservations uses x28,
// and with them uses neither.
func TestReservationMatters(t *testing.T) {
	needTools(t)
	if _, err := backend.CheckReservedRegisters(compileWat(t, pressureWat(), "arm64", 2)); err != nil {
		t.Errorf("with reservations: %v", err)
	}
	orig := targets["arm64"]
	unreserved := *orig
	unreserved.Attrs = []string{"+v8a", "+fp-armv8", "+neon"}
	targets["arm64"] = &unreserved
	defer func() { targets["arm64"] = orig }()
	if _, err := backend.CheckReservedRegisters(compileWat(t, pressureWat(), "arm64", 2)); err == nil {
		t.Error("without reservations the checker found no use of x18/x28: the test proves nothing")
	}
}
