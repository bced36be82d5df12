package backend_test

import (
	"bytes"
	"context"
	"debug/elf"
	"runtime"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// The module the hand-assembled objects implement: add(a, b) = a+b, and
// add42(x) = add(x, 42) with 42 loaded from .rodata, so that the object
// needs a call relocation and a data relocation.
const handWat = `(module
  (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add42") (param i32) (result i32) local.get 0 i32.const 42 call $add))`

// handCode is machine code for handWat per architecture (encodings from
// llvm-mc-14), with the symbols and relocations it needs. Type 0 is
// (i32 i32) -> i32, type 1 is (i32) -> i32.
type handCode struct {
	text    []byte
	symbols []backend.Symbol
	relocs  []backend.Reloc
}

func handObject(arch abi.Arch) handCode {
	sym := func(name string, off, size uint64) backend.Symbol {
		return backend.Symbol{Name: name, Section: backend.Text, Offset: off, Size: size}
	}
	if arch == abi.ArchAMD64 {
		text := []byte{
			// wasm_func_0 (0): lea eax, [rsi+rdx]; ret
			0x8d, 0x04, 0x16, 0xc3,
			// wasm_func_1 (4): sub rsp, 8; mov edx, [rip+K]; call wasm_func_0; add rsp, 8; ret
			0x48, 0x83, 0xec, 0x08, 0x8b, 0x15, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0x48, 0x83, 0xc4, 0x08, 0xc3,
		}
		// wasm_entry_0 and _1: push rdx; mov rax, rsi; mov esi, [rdx];
		// [mov edx, [rdx+8];] call rax; pop rdx; mov [rdx], rax; ret
		entry0 := uint64(len(text))
		text = append(text, 0x52, 0x48, 0x89, 0xf0, 0x8b, 0x32, 0x8b, 0x52, 0x08, 0xff, 0xd0, 0x5a, 0x48, 0x89, 0x02, 0xc3)
		entry1 := uint64(len(text))
		text = append(text, 0x52, 0x48, 0x89, 0xf0, 0x8b, 0x32, 0xff, 0xd0, 0x5a, 0x48, 0x89, 0x02, 0xc3)
		return handCode{text: text,
			symbols: []backend.Symbol{sym("wasm_func_0", 0, 4), sym("wasm_func_1", 4, 20),
				sym("wasm_entry_0", entry0, 16), sym("wasm_entry_1", entry1, 13),
				{Name: "k42", Section: backend.Rodata, Offset: 4, Size: 4, Local: true}},
			relocs: []backend.Reloc{
				{Section: backend.Text, Offset: 10, Type: uint32(elf.R_X86_64_PC32), Symbol: "k42", Addend: -4},
				{Section: backend.Text, Offset: 15, Type: uint32(elf.R_X86_64_PLT32), Symbol: "wasm_func_0", Addend: -4},
			}}
	}
	words := []uint32{
		// wasm_func_0 (0): add w0, w1, w2; ret
		0x0b020020, 0xd65f03c0,
		// wasm_func_1 (8): stp x29, x30, [sp, #-16]!; adrp x8, .rodata;
		// ldr w2, [x8, :lo12:.rodata+4]; bl wasm_func_0; ldp x29, x30, [sp], #16; ret
		0xa9bf7bfd, 0x90000008, 0xb9400102, 0x94000000, 0xa8c17bfd, 0xd65f03c0,
		// wasm_entry_0 (32): stp x29, x30, [sp, #-32]!; str x2, [sp, #16]; mov x9, x1;
		// ldr w1, [x2]; ldr w2, [x2, #8]; blr x9; ldr x2, [sp, #16]; str x0, [x2];
		// ldp x29, x30, [sp], #32; ret
		0xa9be7bfd, 0xf9000be2, 0xaa0103e9, 0xb9400041, 0xb9400842, 0xd63f0120, 0xf9400be2, 0xf9000040, 0xa8c27bfd, 0xd65f03c0,
		// wasm_entry_1 (72): the same without the second parameter
		0xa9be7bfd, 0xf9000be2, 0xaa0103e9, 0xb9400041, 0xd63f0120, 0xf9400be2, 0xf9000040, 0xa8c27bfd, 0xd65f03c0,
	}
	var text []byte
	for _, w := range words {
		text = append(text, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
	}
	return handCode{text: text,
		symbols: []backend.Symbol{sym("wasm_func_0", 0, 8), sym("wasm_func_1", 8, 24),
			sym("wasm_entry_0", 32, 40), sym("wasm_entry_1", 72, 36)},
		relocs: []backend.Reloc{
			{Section: backend.Text, Offset: 12, Type: uint32(elf.R_AARCH64_ADR_PREL_PG_HI21), Symbol: ".rodata", Addend: 4},
			{Section: backend.Text, Offset: 16, Type: uint32(elf.R_AARCH64_LDST32_ABS_LO12_NC), Symbol: ".rodata", Addend: 4},
			{Section: backend.Text, Offset: 20, Type: uint32(elf.R_AARCH64_CALL26), Symbol: "wasm_func_0"},
		}}
}

func handMeta(t *testing.T, arch string) (*abi.Meta, backend.Target) {
	t.Helper()
	bin, err := wat.Parse([]byte(handWat))
	if err != nil {
		t.Fatal(err)
	}
	wm, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := backend.TargetFor(arch)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := backend.BuildMeta(wm, tgt, "wasmaot-test/hand", [32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	return meta, tgt
}

func encodeHand(t *testing.T, arch string) []byte {
	t.Helper()
	meta, tgt := handMeta(t, arch)
	code := handObject(tgt.Arch)
	o := &backend.Object{Arch: tgt.Arch, Text: code.text, Rodata: []byte{0, 0, 0, 0, 42, 0, 0, 0},
		Meta: meta, Symbols: code.symbols, Relocs: code.relocs}
	obj, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// TestObjectReadable checks the writer's output for both architectures
// with debug/elf: header, sections, symbols and relocations.
func TestObjectReadable(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		f, err := elf.NewFile(bytes.NewReader(encodeHand(t, arch)))
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
		if f.Type != elf.ET_REL || f.Machine != want || f.Class != elf.ELFCLASS64 {
			t.Errorf("%s: header %v %v %v", arch, f.Type, f.Machine, f.Class)
		}
		for _, name := range []string{".text", ".rodata", abi.MetaSection, ".rela.text", ".symtab"} {
			if f.Section(name) == nil {
				t.Errorf("%s: no section %s", arch, name)
			}
		}
		syms, err := f.Symbols()
		if err != nil {
			t.Fatal(err)
		}
		funcs := 0
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Section == elf.SectionIndex(1) && s.Size > 0 {
				funcs++
			}
		}
		if funcs != 4 {
			t.Errorf("%s: %d sized function symbols in .text, want 4", arch, funcs)
		}
		rel, err := f.Section(".rela.text").Data()
		if err != nil || len(rel) != 24*len(handObject(abi.Arch(map[string]int{"amd64": 1, "arm64": 2}[arch])).relocs) {
			t.Errorf("%s: .rela.text has %d bytes (%v)", arch, len(rel), err)
		}
	}
}

// TestObjectLoads loads the host's hand-assembled object in rtlib and runs
// it: the writer's sections, symbols and relocations are what the loader
// expects.
func TestObjectLoads(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skipf("skipping: rtlib does not run on %s", runtime.GOARCH)
	}
	obj, err := seal.Seal(encodeHand(t, runtime.GOARCH)) // as the driver seals every back end's output
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rtlib.Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	inst, err := mod.Instantiate(context.Background(), rtlib.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	for _, tc := range []struct {
		name string
		args []uint64
		want int32
	}{
		{"add", []uint64{rtlib.I32(40), rtlib.I32(2)}, 42},
		{"add", []uint64{rtlib.I32(-5), rtlib.I32(3)}, -2},
		{"add42", []uint64{rtlib.I32(100)}, 142},
	} {
		res, err := inst.ExportedFunc(tc.name).Call(context.Background(), tc.args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := rtlib.AsI32(res[0]); got != tc.want {
			t.Errorf("%s%v = %d, want %d", tc.name, tc.args, got, tc.want)
		}
	}
}

// TestObjectRejects checks that the writer refuses what the loader would.
func TestObjectRejects(t *testing.T) {
	meta, tgt := handMeta(t, "amd64")
	code := handObject(tgt.Arch)
	for _, tc := range []struct {
		name string
		edit func(o *backend.Object)
		want string
	}{
		{"relocation type", func(o *backend.Object) { o.Relocs[0].Type = uint32(elf.R_X86_64_TPOFF32) }, "not accepted by the loader"},
		{"undefined symbol", func(o *backend.Object) { o.Relocs[1].Symbol = "system" }, "neither defined"},
		{"reloc past end", func(o *backend.Object) { o.Relocs[1].Offset = uint64(len(o.Text)) - 2 }, "past the end"},
		{"missing function", func(o *backend.Object) { o.Symbols = o.Symbols[1:] }, `"wasm_func_0"`},
		{"local function", func(o *backend.Object) { o.Symbols[0].Local = true }, `"wasm_func_0"`},
		{"duplicate", func(o *backend.Object) { o.Symbols = append(o.Symbols, o.Symbols[0]) }, "defined twice"},
		{"runtime name", func(o *backend.Object) { o.Symbols[4].Name = "memcpy" }, "runtime symbol"},
		{"outside", func(o *backend.Object) { o.Symbols[1].Size = 1000 }, "outside"},
		{"arch", func(o *backend.Object) { o.Arch = abi.ArchARM64 }, "metadata is for amd64"},
	} {
		o := &backend.Object{Arch: tgt.Arch, Text: code.text, Rodata: make([]byte, 8), Meta: meta,
			Symbols: append([]backend.Symbol(nil), code.symbols...), Relocs: append([]backend.Reloc(nil), code.relocs...)}
		tc.edit(o)
		if _, err := o.Encode(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// The runtime symbols are allowed, as undefined symbols the loader binds.
	o := &backend.Object{Arch: tgt.Arch, Text: code.text, Rodata: make([]byte, 8), Meta: meta, Symbols: code.symbols,
		Relocs: append(append([]backend.Reloc(nil), code.relocs...), backend.Reloc{Section: backend.Text, Offset: 15, Type: uint32(elf.R_X86_64_PLT32), Symbol: "memcpy", Addend: -4})}
	obj, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := elf.NewFile(bytes.NewReader(obj))
	syms, _ := f.Symbols()
	found := false
	for _, s := range syms {
		found = found || (s.Name == "memcpy" && s.Section == elf.SHN_UNDEF)
	}
	if !found {
		t.Error("memcpy is not an undefined symbol of the object")
	}
}

// TestDisassemble disassembles the hand-assembled objects: every function
// is listed, instructions decode, and relocations are annotated.
func TestDisassemble(t *testing.T) {
	for arch, want := range map[string][]string{
		"amd64": {"wasm_func_0: ; 4 bytes", "lea (%rsi,%rdx,1),%eax", "call", "R_X86_64_PLT32 wasm_func_0-4", "R_X86_64_PC32 k42-4", "wasm_entry_1:"},
		"arm64": {"wasm_func_1: ; 24 bytes", "ADD W0, W1, W2", "BL", "R_AARCH64_CALL26 wasm_func_0", "R_AARCH64_ADR_PREL_PG_HI21 .rodata+4", "wasm_entry_0:"},
	} {
		var out strings.Builder
		if err := backend.Disassemble(encodeHand(t, arch), &out); err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: no %q in\n%s", arch, w, out.String())
			}
		}
	}
}

// TestJumpTableRelocation: LLVM's x86-64 jump tables in .rodata are
// PC-relative differences, so entry k of a table has addend target+k,
// which may pass the end of .text by up to k; the loader accepts that, and
// refuses an addend past .text's end by more than the entry's offset.
func TestJumpTableRelocation(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("skipping: x86-64 relocations load only on amd64 (this is %s)", runtime.GOARCH)
	}
	meta, tgt := handMeta(t, "amd64")
	code := handObject(tgt.Arch)
	load := func(off uint64, addend int64) error {
		o := &backend.Object{Arch: tgt.Arch, Text: code.text, Rodata: make([]byte, 16), Meta: meta, Symbols: code.symbols,
			Relocs: append(append([]backend.Reloc(nil), code.relocs...),
				backend.Reloc{Section: backend.Rodata, Offset: off, Type: uint32(elf.R_X86_64_PC32), Symbol: ".text", Addend: addend})}
		obj, err := o.Encode()
		if err == nil {
			obj, err = seal.Seal(obj)
		}
		if err != nil {
			t.Fatal(err)
		}
		mod, err := rtlib.Load(obj)
		if err == nil {
			mod.Close()
		}
		return err
	}
	end := int64(len(code.text))
	if err := load(12, end+12); err != nil {
		t.Errorf("entry at .rodata+12 to the end of .text: %v", err)
	}
	if err := load(12, end-1+4); err != nil {
		t.Errorf("entry at .rodata+12 to the last byte of .text: %v", err)
	}
	if err := load(4, end+12); err == nil || !strings.Contains(err.Error(), "outside its section") {
		t.Errorf("entry at .rodata+4 reaching 8 bytes past .text: err = %v, want a refusal", err)
	}
}

// TestEncodeLeavesSealRoom checks that Encode's output has the spare
// capacity rtlib/seal.Output needs to seal it in place.
func TestEncodeLeavesSealRoom(t *testing.T) {
	obj, err := (&backend.Object{Arch: abi.ArchAMD64, Meta: &abi.Meta{Arch: abi.ArchAMD64}, Text: make([]byte, 100)}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := seal.Output(obj, nil)
	if err != nil {
		t.Fatal(err)
	}
	if &sealed[0] != &obj[0] {
		t.Errorf("sealed by copying: %d bytes of spare capacity were not enough", cap(obj)-len(obj))
	}
}
