package rtlib

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// The test objects are LLVM IR files in testdata following
// docs/object-format.md, compiled with llc at test time. The harness plays
// the back end's part for the mechanical pieces: array-call trampolines,
// host-import stubs and the metadata section.

func llvmType(t abi.ValType) string {
	switch t {
	case abi.I32:
		return "i32"
	case abi.F32:
		return "float"
	case abi.F64:
		return "double"
	case abi.V128:
		return "<2 x i64>"
	}
	return "i64"
}

// irWriter numbers SSA values.
type irWriter struct {
	b strings.Builder
	n int
}

func (w *irWriter) val() string { w.n++; return fmt.Sprintf("%%v%d", w.n) }

func (w *irWriter) line(format string, args ...any) { fmt.Fprintf(&w.b, "  "+format+"\n", args...) }

// loadSlot emits code reading a value of type t from slots[i].
func (w *irWriter) loadSlot(slots string, i int, t abi.ValType) string {
	word := func(i int) string {
		p, v := w.val(), w.val()
		w.line("%s = getelementptr i64, i64* %s, i64 %d", p, slots, i)
		w.line("%s = load i64, i64* %s", v, p)
		return v
	}
	switch t {
	case abi.I32:
		v := w.val()
		w.line("%s = trunc i64 %s to i32", v, word(i))
		return v
	case abi.F32:
		v, f := w.val(), w.val()
		w.line("%s = trunc i64 %s to i32", v, word(i))
		w.line("%s = bitcast i32 %s to float", f, v)
		return f
	case abi.F64:
		f := w.val()
		w.line("%s = bitcast i64 %s to double", f, word(i))
		return f
	case abi.V128:
		lo, hi := word(i), word(i+1)
		a, b := w.val(), w.val()
		w.line("%s = insertelement <2 x i64> undef, i64 %s, i32 0", a, lo)
		w.line("%s = insertelement <2 x i64> %s, i64 %s, i32 1", b, a, hi)
		return b
	}
	return word(i)
}

// storeSlot emits code writing v of type t to slots[i].
func (w *irWriter) storeSlot(slots string, i int, t abi.ValType, v string) {
	word := func(i int, v string) {
		p := w.val()
		w.line("%s = getelementptr i64, i64* %s, i64 %d", p, slots, i)
		w.line("store i64 %s, i64* %s", v, p)
	}
	switch t {
	case abi.I32:
		x := w.val()
		w.line("%s = zext i32 %s to i64", x, v)
		word(i, x)
	case abi.F32:
		b, x := w.val(), w.val()
		w.line("%s = bitcast float %s to i32", b, v)
		w.line("%s = zext i32 %s to i64", x, b)
		word(i, x)
	case abi.F64:
		x := w.val()
		w.line("%s = bitcast double %s to i64", x, v)
		word(i, x)
	case abi.V128:
		lo, hi := w.val(), w.val()
		w.line("%s = extractelement <2 x i64> %s, i32 0", lo, v)
		w.line("%s = extractelement <2 x i64> %s, i32 1", hi, v)
		word(i, lo)
		word(i+1, hi)
	default:
		word(i, v)
	}
}

// signature returns the LLVM function type of a wasm signature under the
// calling convention, and whether it uses a results area.
func signature(ft abi.FuncType) (ret string, params []string, area bool) {
	params = []string{"i8*"}
	ret = "void"
	switch len(ft.Results) {
	case 0:
	case 1:
		ret = llvmType(ft.Results[0])
	default:
		area = true
		params = append(params, "i64*")
	}
	for _, p := range ft.Params {
		params = append(params, llvmType(p))
	}
	return ret, params, area
}

// entryTrampoline emits wasm_entry_<ti>.
func entryTrampoline(ti int, ft abi.FuncType) string {
	w := &irWriter{}
	ret, params, area := signature(ft)
	fmt.Fprintf(&w.b, "define void @%s(i8* %%vmctx, i8* %%code, i64* %%slots) {\n", abi.EntrySymbol(ti))
	args := []string{"i8* %vmctx"}
	if area {
		args = append(args, "i64* %slots")
	}
	slot := 0
	for _, p := range ft.Params {
		args = append(args, llvmType(p)+" "+w.loadSlot("%slots", slot, p))
		slot += p.Slots()
	}
	fn := w.val()
	w.line("%s = bitcast i8* %%code to %s (%s)*", fn, ret, strings.Join(params, ", "))
	if ret == "void" {
		w.line("call void %s(%s)", fn, strings.Join(args, ", "))
	} else {
		r := w.val()
		w.line("%s = call %s %s(%s)", r, ret, fn, strings.Join(args, ", "))
		w.storeSlot("%slots", 0, ft.Results[0], r)
	}
	w.line("ret void")
	w.b.WriteString("}\n")
	return w.b.String()
}

// importStub emits wasm_import_<fi>, which calls the host through
// BuiltinHostCall.
func importStub(fi int, ft abi.FuncType) string {
	w := &irWriter{}
	ret, params, area := signature(ft)
	var formal []string
	for i, p := range params {
		formal = append(formal, fmt.Sprintf("%s %%a%d", p, i))
	}
	fmt.Fprintf(&w.b, "define %s @%s(%s) {\n", ret, abi.ImportSymbol(fi), strings.Join(formal, ", "))
	n := max(slotCount(ft.Params), slotCount(ft.Results), 1)
	arr, slots := w.val(), w.val()
	w.line("%s = alloca [%d x i64], align 16", arr, n)
	w.line("%s = getelementptr [%d x i64], [%d x i64]* %s, i64 0, i64 0", slots, n, n, arr)
	first := 1
	if area {
		first = 2
	}
	slot := 0
	for i, p := range ft.Params {
		w.storeSlot(slots, slot, p, fmt.Sprintf("%%a%d", first+i))
		slot += p.Slots()
	}
	tabp, tab, fp, f, fn := w.val(), w.val(), w.val(), w.val(), w.val()
	w.line("%s = bitcast i8* %%a0 to i8***", tabp)
	w.line("%s = load i8**, i8*** %s", tab, tabp)
	w.line("%s = getelementptr i8*, i8** %s, i64 %d", fp, tab, abi.BuiltinHostCall)
	w.line("%s = load i8*, i8** %s", f, fp)
	w.line("%s = bitcast i8* %s to void (i8*, i32, i64*)*", fn, f)
	w.line("call void %s(i8* %%a0, i32 %d, i64* %s)", fn, fi, slots)
	switch {
	case area:
		slot = 0
		for _, r := range ft.Results {
			v := w.loadSlot(slots, slot, r)
			w.storeSlot("%a1", slot, r, v)
			slot += r.Slots()
		}
		w.line("ret void")
	case ret == "void":
		w.line("ret void")
	default:
		w.line("ret %s %s", ret, w.loadSlot(slots, 0, ft.Results[0]))
	}
	w.b.WriteString("}\n")
	return w.b.String()
}

// metaGlobal emits the .wasmaot.meta section holding data.
func metaGlobal(data []byte) string {
	var b strings.Builder
	for _, c := range data {
		fmt.Fprintf(&b, "\\%02X", c)
	}
	n := len(data)
	return fmt.Sprintf("@__wasmaot_meta = internal constant [%d x i8] c\"%s\", section %q, align 1\n"+
		"@llvm.used = appending global [1 x i8*] [i8* getelementptr ([%d x i8], [%d x i8]* @__wasmaot_meta, i32 0, i32 0)], section \"llvm.metadata\"\n",
		n, b.String(), abi.MetaSection, n, n)
}

var llcPath = sync.OnceValue(func() string {
	for _, name := range []string{"llc-14", "llc"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
})

// buildObject completes the IR file testdata/name with the trampolines,
// stubs and metadata of meta, substitutes placeholders and compiles it
// for arch.
func buildObject(t testing.TB, name string, meta *abi.Meta, subst map[string]string) []byte {
	t.Helper()
	llc := llcPath()
	if llc == "" {
		t.Skip("llc (LLVM 14) not found in PATH; cannot build test objects")
	}
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	ir := string(src)
	for k, v := range subst {
		ir = strings.ReplaceAll(ir, "{{"+k+"}}", v)
	}
	var b strings.Builder
	b.WriteString(ir)
	for ti, ft := range meta.Types {
		if ft.EntrySymbol != "" {
			b.WriteString(entryTrampoline(ti, ft))
		}
	}
	fi := 0
	for _, im := range meta.Imports {
		if im.Kind == abi.ExternFunc {
			b.WriteString(importStub(fi, meta.Types[im.FuncType]))
			fi++
		}
	}
	b.WriteString(metaGlobal(meta.Encode()))
	dir := t.TempDir()
	in, out := filepath.Join(dir, "m.ll"), filepath.Join(dir, "m.o")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-O2", "-filetype=obj", "-relocation-model=pic", "-o", out, in}
	switch meta.Arch {
	case abi.ArchAMD64:
		args = append(args, "-mtriple=x86_64-linux-gnu")
	case abi.ArchARM64:
		args = append(args, "-mtriple=aarch64-linux-gnu", "-mattr=+reserve-x18,+reserve-x28")
	}
	if msg, err := exec.Command(llc, args...).CombinedOutput(); err != nil {
		t.Fatalf("llc: %v\n%s", err, msg)
	}
	obj, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Sealed as the compiler driver seals every back end's output.
	obj, err = seal.Seal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// spRegister is the read_register name of the stack pointer.
func spRegister(a abi.Arch) string {
	if a == abi.ArchARM64 {
		return "sp"
	}
	return "rsp"
}
