package arm64

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/lower"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// farCalls has calls in both directions between functions padded with
// arithmetic, and in each function a loop whose poll calls the
// function's own yield stub (which makes the functions about equally
// large).
const farCalls = `(module
  (func $first (export "first") (param i64) (result i64)
    (loop $l (local.set 0 (i64.sub (local.get 0) (i64.const 1))) (br_if $l (i64.gt_s (local.get 0) (i64.const 0))))
    (call $last (local.get 0)))
  (func $mid (param i64) (result i64)
    (block $done (loop $l (br_if $done (i64.ge_s (local.get 0) (i64.const 0))) (br $l)))
    (i64.mul (i64.add (i64.mul (local.get 0) (i64.const 3)) (i64.const 7)) (i64.xor (local.get 0) (i64.const 99))))
  (func $last (param i64) (result i64)
    (loop $l (local.set 0 (i64.add (local.get 0) (i64.const 1))) (br_if $l (i64.lt_s (local.get 0) (i64.const 10))))
    (i64.add (call $mid (local.get 0)) (call $mid (i64.const 5)))))`

// calls decodes every BL of the object's function symbols that leaves
// its function (the others call the function's yield stub): which symbol
// it lands on (a function, or a veneer whose relocations name the
// callee), by calling function and position.
func calls(t *testing.T, obj []byte) (map[string][]string, int) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols()
	text, _ := f.Section(".text").Data()
	byStart := map[uint64]string{}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			byStart[s.Value] = s.Name
		}
	}
	relocs := map[uint64]string{} // ADRP offset -> symbol
	rela, _ := f.Section(".rela.text").Data()
	for k := 0; k+24 <= len(rela); k += 24 {
		off := binary.LittleEndian.Uint64(rela[k:])
		info := binary.LittleEndian.Uint64(rela[k+8:])
		if elf.R_AARCH64(info&0xffffffff) == elf.R_AARCH64_ADR_PREL_PG_HI21 {
			relocs[off] = syms[info>>32-1].Name
		}
	}
	out := map[string][]string{}
	veneered := 0
	for _, s := range syms {
		if !strings.HasPrefix(s.Name, "wasm_func_") {
			continue
		}
		for pc := s.Value; pc < s.Value+s.Size; pc += 4 {
			inst, err := arm64asm.Decode(text[pc:])
			if err != nil || inst.Op != arm64asm.BL {
				continue
			}
			to := uint64(int64(pc) + int64(inst.Args[0].(arm64asm.PCRel)))
			if to > s.Value && to < s.Value+s.Size {
				continue
			}
			if d := int64(to) - int64(pc); d < -callRange || d >= callRange {
				t.Errorf("%s+%#x: BL reaches %d bytes, beyond %d", s.Name, pc-s.Value, d, callRange)
			}
			name, ok := byStart[to]
			if strings.HasPrefix(name, "wasmaot_veneers_") || !ok {
				name, ok = relocs[to]
				veneered++
			}
			if !ok {
				t.Fatalf("%s+%#x: BL to %#x, neither a function nor a veneer", s.Name, pc-s.Value, to)
			}
			out[s.Name] = append(out[s.Name], name)
		}
	}
	return out, veneered
}

// TestCallVeneers forces calls out of BL's reach by lowering it to just
// over the largest function's size (so a call still reaches its own
// function's veneers): the calls that no longer reach must go through a
// veneer whose relocations name the same callee the direct call had.
func TestCallVeneers(t *testing.T) {
	bin, err := wat.Parse([]byte(farCalls))
	if err != nil {
		t.Fatal(err)
	}
	wm, err := wasm.Decode(bin)
	if err == nil {
		err = wasm.Validate(wm)
	}
	if err != nil {
		t.Fatal(err)
	}
	compile := func() []byte {
		m, err := lower.Module(wm, lower.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tgt, _ := backend.TargetFor("arm64")
		meta, err := backend.BuildMeta(wm, tgt, "wasmaot-test/native", [32]byte{})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := Compile(context.Background(), &backend.Input{Module: m, Meta: meta, Target: tgt}, backend.Options{Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := backend.CheckReservedRegisters(obj); err != nil {
			t.Fatal(err)
		}
		return obj
	}
	obj := compile()
	direct, n := calls(t, obj)
	if n != 0 {
		t.Fatalf("%d calls through veneers at the full range", n)
	}
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols()
	var largest int64
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "wasm_func_") {
			largest = max(largest, int64(s.Size))
		}
	}
	saved := callRange
	callRange = largest + 3*veneerSize + 16
	defer func() { callRange = saved }()
	farObj := compile()
	far, n := calls(t, farObj)
	total := 0
	for fn, callees := range direct {
		total += len(callees)
		if strings.Join(far[fn], " ") != strings.Join(callees, " ") {
			t.Errorf("%s calls %v through veneers, %v directly", fn, far[fn], callees)
		}
	}
	if n == 0 || total < 3 {
		t.Errorf("%d of %d calls went through veneers", n, total)
	}
	t.Logf("%d of %d calls through veneers", n, total)
	if runtime.GOARCH != "arm64" {
		t.Skipf("the veneered object is checked by its relocations only: running it needs arm64 (GOARCH=arm64 go test -exec qemu-aarch64-static)")
	}
	// first(3): counts down to 0, then last(0) counts up to 10 and
	// returns mid(10) + mid(5).
	mid := func(x int64) int64 { return (x*3 + 7) * (x ^ 99) }
	want := uint64(mid(10) + mid(5))
	for _, o := range [][]byte{obj, farObj} {
		sealed, err := seal.Seal(o) // as the driver does
		if err != nil {
			t.Fatal(err)
		}
		mod, err := rtlib.Load(sealed)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
		if err != nil {
			t.Fatal(err)
		}
		out, err := inst.ExportedFunc("first").Call(context.Background(), 3)
		if err != nil || out[0] != want {
			t.Errorf("first(3) = %v, %v; want %d", out, err, want)
		}
	}
}
