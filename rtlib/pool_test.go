package rtlib

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// definedExterns replaces externs.wat's imports: its memory, tables and
// global defined by the module (at the same indices, so the same code
// reaches them) and exported.
const definedExterns = `  (memory (export "mem") 1 4)
  (table (export "funcs") 2 1000 funcref)
  (table (export "exts") 2 externref)
  (global (mut i64) (i64.const 5))`

// TestPooledSlotIsFresh checks that an instance built in the storage of a
// closed one (its module's pooled slot) starts exactly as a new one:
// memory, tables, global and size limits all back to their initial state.
func TestPooledSlotIsFresh(t *testing.T) {
	obj := nativeObject(t, testdataWat(t, "externs.wat", "externs", definedExterns), hostArch)
	mod, err := Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	newInst := func() *Instance {
		t.Helper()
		inst, err := mod.Instantiate(context.Background(), Config{})
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	a := newInst()
	call(t, a, "store", I32(8), I32(-1))
	if r := call(t, a, "grow", I32(2)); AsI32(r[0]) != 1 {
		t.Fatalf("grow(2) = %d, want 1", AsI32(r[0]))
	}
	call(t, a, "store", I32(2*65536), I32(-1))
	call(t, a, "set_g", I64(99))
	ref := call(t, a, "ref_answer")[0]
	call(t, a, "tab_set", I32(1), ref)
	call(t, a, "ext_set", I32(0), 77)
	funcs := a.mustTable(t, "funcs")
	// Growing by 600 elements commits more than one page of the table.
	if old, err := funcs.Grow(600, ref); err != nil || old != 2 {
		t.Fatalf("funcs.Grow(600) = %d, %v", old, err)
	}
	if r := call(t, a, "call_at", I32(601)); AsI32(r[0]) != 42 {
		t.Fatalf("call_at(601) = %d, want 42", AsI32(r[0]))
	}
	a.Close()
	if len(mod.slots) != 1 {
		t.Fatalf("%d pooled slots after closing the only instance, want 1", len(mod.slots))
	}

	b := newInst()
	defer b.Close()
	if len(mod.slots) != 0 {
		t.Fatal("the new instance did not take the pooled slot")
	}
	if r := call(t, b, "mem_size"); AsI32(r[0]) != 1 {
		t.Errorf("memory size %d pages, want 1", AsI32(r[0]))
	}
	if !bytes.Equal(b.Memory(), make([]byte, 65536)) {
		t.Error("memory is not all zero")
	}
	if r := call(t, b, "grow", I32(3)); AsI32(r[0]) != 1 || !bytes.Equal(b.Memory(), make([]byte, 4*65536)) {
		t.Error("memory grown to its maximum is not all zero")
	}
	if r := call(t, b, "get_g"); AsI64(r[0]) != 5 {
		t.Errorf("global = %d, want its initial 5", AsI64(r[0]))
	}
	if r := call(t, b, "tab_size"); AsI32(r[0]) != 2 {
		t.Errorf("table size %d, want 2", AsI32(r[0]))
	}
	if r := call(t, b, "ext_get", I32(0)); r[0] != 0 {
		t.Errorf("externref table element = %d, want null", r[0])
	}
	var trap *abi.Trap
	if _, err := b.ExportedFunc("call_at").Call(context.Background(), I32(1)); !errors.As(err, &trap) {
		t.Errorf("call through a table element of a fresh instance: %v, want a trap (null)", err)
	}
	funcs = b.mustTable(t, "funcs")
	if old, err := funcs.Grow(600, 0); err != nil || old != 2 {
		t.Fatalf("funcs.Grow(600) = %d, %v", old, err)
	}
	for i := uint32(0); i < funcs.Size(); i++ {
		if v, err := funcs.Get(i); err != nil || v != 0 {
			t.Fatalf("grown table element %d = %#x, %v, want null", i, v, err)
		}
	}
}

// TestPoolBounded checks that a module keeps at most maxPooledSlots and
// unmaps everything when closed.
func TestPoolBounded(t *testing.T) {
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	var insts []*Instance
	for range maxPooledSlots + 3 {
		inst, err := mod.Instantiate(context.Background(), Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}})
		if err != nil {
			t.Fatal(err)
		}
		insts = append(insts, inst)
	}
	for _, inst := range insts {
		inst.Close()
	}
	if len(mod.slots) != maxPooledSlots {
		t.Errorf("%d pooled slots, want %d", len(mod.slots), maxPooledSlots)
	}
	mod.Close()
	if mod.slots != nil {
		t.Error("a closed module keeps pooled slots")
	}
}

func (inst *Instance) mustTable(t *testing.T, name string) *Table {
	t.Helper()
	x, err := inst.Export(name)
	if err != nil {
		t.Fatal(err)
	}
	return x.(*Table)
}

// TestPoolConcurrent instantiates, dirties and closes instances of one
// module from several goroutines at once: every instance, whether its
// storage is new or pooled, starts from the pristine image.
func TestPoolConcurrent(t *testing.T) {
	mod := loadImageModule(t, "")
	want := pristine(mod.Meta())
	cfg := Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				inst, err := mod.Instantiate(context.Background(), cfg)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(inst.Memory(), want) {
					inst.Close()
					errs <- fmt.Errorf("goroutine %d, instance %d: memory is not the pristine image", g, i)
					return
				}
				if i%3 == 0 {
					inst.MemoryObject().Grow(1)
				}
				mem := inst.Memory()
				for j := range mem {
					mem[j] = byte(g + 1)
				}
				inst.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
