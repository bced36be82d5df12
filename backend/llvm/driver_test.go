package llvm

import (
	"bytes"
	"context"
	"debug/elf"
	"github.com/wasmaot/wasmaot/backend"
	"strings"
	"testing"
)

// needTools skips a test when LLVM 14 is not installed.
func needTools(t *testing.T) {
	t.Helper()
	if _, err := FindTools(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// twoModules is a caller and a callee in separate modules, with a
// constant in .rodata and a meta section, so merging must keep the
// cross-module call as a relocation.
func twoModules(t *Target) [][]byte {
	head := "target datalayout = \"" + t.DataLayout + "\"\ntarget triple = \"" + t.Triple + "\"\n"
	a := head + `@meta = hidden constant [4 x i8] c"META", section ".wasmaot.meta"
@tab = private unnamed_addr constant [4 x i32] [i32 1, i32 2, i32 3, i32 4]
declare hidden i32 @wasm_func_1(i8*, i32)
define hidden i32 @wasm_func_0(i8* %vm, i32 %x) nounwind {
  %i = and i32 %x, 3
  %z = zext i32 %i to i64
  %p = getelementptr [4 x i32], [4 x i32]* @tab, i64 0, i64 %z
  %v = load i32, i32* %p
  %r = call i32 @wasm_func_1(i8* %vm, i32 %v)
  ret i32 %r
}
`
	b := head + `define hidden i32 @wasm_func_1(i8* %vm, i32 %x) nounwind {
  %r = mul i32 %x, %x
  ret i32 %r
}
`
	return [][]byte{[]byte(a), []byte(b)}
}

func TestCompileModulesSections(t *testing.T) {
	needTools(t)
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			tgt, err := TargetFor(arch)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := CompileModules(context.Background(), tgt, twoModules(tgt), CodegenOptions{OptLevel: 2, Jobs: 2})
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.NewFile(bytes.NewReader(obj))
			if err != nil {
				t.Fatal(err)
			}
			wantMachine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
			if f.Type != elf.ET_REL || f.Machine != wantMachine {
				t.Fatalf("got %v %v, want ET_REL %v", f.Type, f.Machine, wantMachine)
			}
			var names []string
			for _, s := range f.Sections {
				if s.Type == elf.SHT_PROGBITS {
					names = append(names, s.Name)
				}
			}
			if got := strings.Join(names, " "); got != ".text .rodata .wasmaot.meta" {
				t.Errorf("PROGBITS sections = %q, want .text .rodata .wasmaot.meta", got)
			}
			meta, err := f.Section(".wasmaot.meta").Data()
			if err != nil || string(meta) != "META" {
				t.Errorf("meta section = %q, %v", meta, err)
			}
			syms, err := f.Symbols()
			if err != nil {
				t.Fatal(err)
			}
			defined := map[string]bool{}
			for _, s := range syms {
				if s.Section == elf.SHN_UNDEF && s.Name != "" {
					t.Errorf("undefined symbol %q", s.Name)
				}
				if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
					defined[s.Name] = true
				}
			}
			if !defined["wasm_func_0"] || !defined["wasm_func_1"] {
				t.Errorf("functions missing from symbol table: %v", defined)
			}
			if arch == "arm64" {
				if n, err := backend.CheckReservedRegisters(obj); err != nil || n == 0 {
					t.Errorf("reserved registers: %d instructions checked, %v", n, err)
				}
			}
		})
	}
}

func TestCompileModulesErrors(t *testing.T) {
	needTools(t)
	tgt, _ := TargetFor("amd64")
	ctx := context.Background()
	if _, err := CompileModules(ctx, tgt, [][]byte{[]byte("this is not llvm ir")}, CodegenOptions{OptLevel: 1}); err == nil || !strings.Contains(err.Error(), "expected top-level entity") {
		t.Errorf("bad IR: got %v, want an opt error", err)
	}
	if _, err := CompileModules(ctx, tgt, twoModules(tgt), CodegenOptions{OptLevel: 4}); err == nil {
		t.Error("-O4 accepted")
	}
	if _, err := TargetFor("riscv64"); err == nil {
		t.Error("riscv64 accepted")
	}
}
