package rtlib

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// externsObjectFor is testdata/externs.wat compiled for arch.
func externsObjectFor(t testing.TB, arch abi.Arch) []byte {
	t.Helper()
	return nativeObject(t, testdataWat(t, "externs.wat", "", ""), arch)
}

func externsObject(t testing.TB) []byte { return externsObjectFor(t, hostArch) }

// hostExterns is one set of host-created externs for externs.wat.
type hostExterns struct {
	mem        *Memory
	funcs, ext *Table
	g          *Global
}

func newHostExterns(t *testing.T) hostExterns {
	t.Helper()
	mem, err := NewMemory(abi.Limits{Min: 1, Max: 4, HasMax: true})
	if err != nil {
		t.Fatal(err)
	}
	funcs, err := NewTable(abi.FuncRef, abi.Limits{Min: 2, Max: 10, HasMax: true})
	if err != nil {
		t.Fatal(err)
	}
	ext, err := NewTable(abi.ExternRef, abi.Limits{Min: 2})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGlobal(abi.GlobalType{Type: abi.I64, Mutable: true}, 5)
	if err != nil {
		t.Fatal(err)
	}
	return hostExterns{mem, funcs, ext, g}
}

func (h hostExterns) config() Config {
	return Config{Externs: map[string]map[string]Extern{"env": {"mem": h.mem, "funcs": h.funcs, "exts": h.ext, "g": h.g}}}
}

// instantiateExterns instantiates externs.wat with h; the caller closes it.
func instantiateExterns(t *testing.T, mod *Module, h hostExterns) *Instance {
	t.Helper()
	inst, err := mod.Instantiate(context.Background(), h.config())
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func loadExterns(t *testing.T) *Module {
	t.Helper()
	mod, err := Load(externsObject(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mod.Close() })
	return mod
}

// TestHostExternsShared links two instances to the same host-created
// memory, tables and global: each sees the other's stores and growth,
// and so does Go.
func TestHostExternsShared(t *testing.T) {
	mod := loadExterns(t)
	h := newHostExterns(t)
	a, b := instantiateExterns(t, mod, h), instantiateExterns(t, mod, h)
	defer a.Close()
	defer b.Close()

	call(t, a, "store", I32(100), I32(7))
	if r := call(t, b, "load", I32(100)); AsI32(r[0]) != 7 || h.mem.Bytes()[100] != 7 {
		t.Errorf("b.load(100) = %d, Go sees %d; want 7", AsI32(r[0]), h.mem.Bytes()[100])
	}
	if r := call(t, a, "grow", I32(1)); AsI32(r[0]) != 1 {
		t.Errorf("a.grow(1) = %d, want 1", AsI32(r[0]))
	}
	if old := h.mem.Grow(1); old != 2 {
		t.Errorf("Go Grow(1) = %d, want 2", old)
	}
	if r := call(t, b, "mem_size"); AsI32(r[0]) != 3 || h.mem.Size() != 3 {
		t.Errorf("b.mem_size() = %d, Size() = %d; want 3", AsI32(r[0]), h.mem.Size())
	}
	call(t, b, "store", I32(3*65536-4), I32(9)) // in the page Go added

	if r := call(t, a, "get_g"); AsI64(r[0]) != 5 {
		t.Errorf("a.get_g() = %d, want the initial 5", AsI64(r[0]))
	}
	call(t, b, "set_g", I64(11))
	if v := h.g.Get(); v[0] != 11 {
		t.Errorf("global after b.set_g(11) = %d", v[0])
	}
	if err := h.g.Set(13); err != nil {
		t.Fatal(err)
	}
	if r := call(t, a, "get_g"); AsI64(r[0]) != 13 {
		t.Errorf("a.get_g() after Go Set(13) = %d", AsI64(r[0]))
	}

	// Externrefs are opaque values both ways.
	if err := h.ext.Set(0, 0xDEADBEEF); err != nil {
		t.Fatal(err)
	}
	if r := call(t, b, "ext_get", I32(0)); r[0] != 0xDEADBEEF {
		t.Errorf("b.ext_get(0) = %#x", r[0])
	}
	call(t, a, "ext_set", I32(1), 77)
	if v, err := h.ext.Get(1); err != nil || v != 77 {
		t.Errorf("ext.Get(1) = %d, %v; want 77", v, err)
	}
	if _, err := h.ext.Get(2); err == nil {
		t.Error("ext.Get beyond the table's size succeeded")
	}

	// A function of a stored in the shared table, called by b and by Go.
	if err := h.funcs.SetFunc(0, a.ExportedFunc("answer")); err != nil {
		t.Fatal(err)
	}
	if r := call(t, b, "call_at", I32(0)); AsI32(r[0]) != 42 {
		t.Errorf("b.call_at(0) = %d, want 42", AsI32(r[0]))
	}
	f, err := h.funcs.Func(0)
	if err != nil || f == nil {
		t.Fatalf("funcs.Func(0) = %v, %v", f, err)
	}
	if r, err := f.Call(context.Background()); err != nil || AsI32(r[0]) != 42 || f.describe() != "function answer" {
		t.Errorf("calling the table's function: %v, %v (%s)", r, err, f.describe())
	}
	if f, err := h.funcs.Func(1); f != nil || err != nil {
		t.Errorf("funcs.Func(1) of a null element = %v, %v", f, err)
	}
	var trap *abi.Trap
	if _, err := b.ExportedFunc("call_at").Call(context.Background(), I32(1)); !errors.As(err, &trap) || trap.Code != abi.TrapUninitializedElement {
		t.Errorf("call through a null element: %v", err)
	}
	if old, err := h.funcs.Grow(3, a.ExportedFunc("answer").Ref()); old != 2 || err != nil {
		t.Errorf("funcs.Grow(3) = %d, %v", old, err)
	}
	if r := call(t, a, "tab_size"); AsI32(r[0]) != 5 {
		t.Errorf("a.tab_size() after Go grew it = %d", AsI32(r[0]))
	}
	if r := call(t, b, "call_at", I32(4)); AsI32(r[0]) != 42 {
		t.Errorf("b.call_at(4) = %d", AsI32(r[0]))
	}
	if err := h.funcs.SetFunc(4, nil); err != nil {
		t.Errorf("SetFunc(nil): %v", err)
	}
	if v, _ := h.funcs.Get(4); v != 0 {
		t.Errorf("element after SetFunc(nil) = %#x", v)
	}
}

// TestFuncRefChecks checks that Go cannot hand wasm a forged function
// reference, and that real ones round-trip.
func TestFuncRefChecks(t *testing.T) {
	mod := loadExterns(t)
	h := newHostExterns(t)
	a := instantiateExterns(t, mod, h)
	defer a.Close()
	ref := call(t, a, "ref_answer")[0]
	if ref != a.ExportedFunc("answer").Ref() {
		t.Errorf("ref.func from wasm %#x differs from Func.Ref %#x", ref, a.ExportedFunc("answer").Ref())
	}
	f, err := FuncFromRef(ref)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := f.Call(context.Background()); err != nil || AsI32(r[0]) != 42 {
		t.Errorf("FuncFromRef(ref).Call() = %v, %v", r, err)
	}
	forged := []uint64{1, ref + 8, ref - abi.FuncRefSize*100, uint64(a.vmctx)}
	for _, bad := range forged {
		if err := h.funcs.Set(0, bad); err == nil {
			t.Errorf("table Set(%#x) accepted a forged reference", bad)
		}
		if _, err := a.ExportedFunc("tab_set").Call(context.Background(), I32(0), bad); err == nil {
			t.Errorf("call with funcref argument %#x accepted a forged reference", bad)
		}
		if _, err := FuncFromRef(bad); err == nil {
			t.Errorf("FuncFromRef(%#x) succeeded", bad)
		}
	}
	if _, err := FuncFromRef(0); err == nil {
		t.Error("FuncFromRef(0) succeeded")
	}
	// A real reference passed as an argument is stored and callable.
	call(t, a, "tab_set", I32(1), ref)
	if r := call(t, a, "call_at", I32(1)); AsI32(r[0]) != 42 {
		t.Errorf("call_at after tab_set = %d", AsI32(r[0]))
	}
	fr, err := NewGlobal(abi.GlobalType{Type: abi.FuncRef, Mutable: true}, ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := fr.Set(12345); err == nil {
		t.Error("funcref global accepted a forged reference")
	}
	if _, err := NewGlobal(abi.GlobalType{Type: abi.FuncRef}, 3); err == nil {
		t.Error("NewGlobal accepted a forged funcref")
	}
}

// TestHostTableOutlivesInstances: when every instance that could have put
// function references into a host table is freed, the references are
// cleared rather than left dangling, and the table can be used again.
func TestHostTableOutlivesInstances(t *testing.T) {
	mod := loadExterns(t)
	h := newHostExterns(t)
	a, b := instantiateExterns(t, mod, h), instantiateExterns(t, mod, h)
	call(t, a, "tab_set", I32(0), call(t, a, "ref_answer")[0])
	call(t, a, "store", I32(8), I32(3))
	a.Close()
	if r := call(t, b, "call_at", I32(0)); AsI32(r[0]) != 42 {
		t.Errorf("b calling a's function after a.Close: %d", AsI32(r[0]))
	}
	b.Close()
	if v, err := h.funcs.Get(0); v != 0 || err != nil {
		t.Errorf("table element after all users were freed = %#x, %v; want null", v, err)
	}
	if h.mem.Bytes()[8] != 3 {
		t.Error("host memory lost its contents when its users were freed")
	}
	c := instantiateExterns(t, mod, h)
	defer c.Close()
	if err := h.funcs.SetFunc(1, c.ExportedFunc("answer")); err != nil {
		t.Fatal(err)
	}
	if r := call(t, c, "call_at", I32(1)); AsI32(r[0]) != 42 {
		t.Errorf("reused table: call_at(1) = %d", AsI32(r[0]))
	}
}

func TestHostExternErrors(t *testing.T) {
	if _, err := NewMemory(abi.Limits{Min: 2, Max: 1, HasMax: true}); err == nil {
		t.Error("NewMemory with max < min succeeded")
	}
	if _, err := NewMemory(abi.Limits{Min: abi.MaxMemoryPages + 1}); err == nil {
		t.Error("NewMemory above 4 GiB succeeded")
	}
	if _, err := NewTable(abi.I32, abi.Limits{}); err == nil {
		t.Error("NewTable of i32 succeeded")
	}
	if _, err := NewGlobal(abi.GlobalType{Type: abi.V128}, 1); err == nil {
		t.Error("NewGlobal of v128 with one slot succeeded")
	}
	if _, err := NewGlobal(abi.GlobalType{Type: 0x40}, 1); err == nil {
		t.Error("NewGlobal of an unknown type succeeded")
	}
	g, _ := NewGlobal(abi.GlobalType{Type: abi.I32}, 1)
	if err := g.Set(2); err == nil {
		t.Error("Set of an immutable global succeeded")
	}

	mod := loadExterns(t)
	h := newHostExterns(t)
	small, _ := NewTable(abi.FuncRef, abi.Limits{Min: 1})
	wrongElem, _ := NewTable(abi.ExternRef, abi.Limits{Min: 2})
	constG, _ := NewGlobal(abi.GlobalType{Type: abi.I64}, 0)
	for name, replace := range map[string]Extern{"funcs": small, "exts": h.funcs, "g": constG, "mem": wrongElem} {
		cfg := h.config()
		cfg.Externs["env"][name] = replace
		if _, err := mod.Instantiate(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "import env."+name) {
			t.Errorf("mismatched %s: %v", name, err)
		}
	}
}

// TestFreedExterns: an instance's memory, table and global obtained by Go
// fail cleanly, rather than touching unmapped memory, once freed.
func TestFreedExterns(t *testing.T) {
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	inst, err := mod.Instantiate(context.Background(), Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}})
	if err != nil {
		t.Fatal(err)
	}
	mem, g := inst.MemoryObject(), inst.ExportedGlobal("g")
	inst.Close()
	if mem.Bytes() != nil || mem.Size() != 0 || mem.Grow(1) != -1 {
		t.Error("freed memory still usable")
	}
	if err := g.Set(1); err == nil || g.Get()[0] != 0 {
		t.Error("freed global still usable")
	}
	if inst.Memory() != nil {
		t.Error("Instance.Memory of a freed instance is not nil")
	}
	if _, err := inst.Export("add"); err == nil || inst.ExportedFunc("add") != nil {
		t.Error("Export of a freed instance succeeded")
	}
}
