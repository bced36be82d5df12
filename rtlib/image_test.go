package rtlib

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// imageMemory replaces basic.wat's memory with a three-page one and data
// segments that overlap (a later one overwrites an earlier one), span a
// page boundary, sit in the last page and are passive (not part of the
// image).
const imageMemory = `  (memory (export "memory") 3 8)
  (data (i32.const 16) "hello, world")
  (data (i32.const 23) "WORLD")
  (data (i32.const 65533) "across")
  (data "passive")
  (data (i32.const 196604) "\01\02\03\04")
  (data (i32.const 100) "")`

// pristine is the memory the instances of a module with meta must start
// with.
func pristine(meta *abi.Meta) []byte {
	mem := make([]byte, meta.Memories[0].Limits.Min*wasmPageSize)
	for _, d := range meta.Data {
		if d.Mode == abi.SegmentActive {
			copy(mem[d.Offset.Bits[0]:], d.Bytes)
		}
	}
	return mem
}

// loadImageModule loads basic.wat with imageMemory and the extra data
// segments, compiled for the host.
func loadImageModule(t *testing.T, extra string) *Module {
	t.Helper()
	mod, err := Load(nativeObject(t, testdataWat(t, "basic.wat", "memory", imageMemory+extra), hostArch))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mod.Close() })
	return mod
}

// TestMemoryImageFreshPerInstance checks that no instance sees another's
// writes: each starts from the module's pristine image, whether the image
// is mapped copy-on-write from a memfd or copied.
func TestMemoryImageFreshPerInstance(t *testing.T) {
	for _, memfd := range []bool{true, false} {
		t.Run(fmt.Sprintf("memfd=%v", memfd), func(t *testing.T) {
			memfdImages = memfd
			t.Cleanup(func() { memfdImages = true })
			mod := loadImageModule(t, "")
			want := pristine(mod.Meta())
			newInst := func() *Instance {
				t.Helper()
				inst, err := mod.Instantiate(context.Background(), Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}})
				if err != nil {
					t.Fatal(err)
				}
				return inst
			}
			a := newInst()
			if _, ok := mod.memoryImages(); !ok {
				t.Fatal("static data segments were not turned into an image")
			}
			if img := mod.images[0]; (img.fd >= 0) != memfd {
				if memfd {
					t.Skip("memfd_create is unavailable here; the copying fallback is tested separately")
				}
				t.Fatalf("image fd %d with memfd images off", img.fd)
			}
			if !bytes.Equal(a.Memory(), want) {
				t.Fatal("first instance does not start with the data segments applied")
			}
			b := newInst()
			// A writes from wasm and from Go, in image pages and in
			// zero pages, and grows its memory.
			call(t, a, "store", I32(16), I32(-1))
			call(t, a, "store", I32(2*65536+8), I32(-1))
			if r := call(t, a, "grow", I32(2)); AsI32(r[0]) != 3 {
				t.Fatalf("grow(2) = %d, want 3", AsI32(r[0]))
			}
			call(t, a, "store", I32(4*65536), I32(-1))
			for i := range a.Memory() {
				a.Memory()[i] ^= 0x5A
			}
			if !bytes.Equal(b.Memory(), want) {
				t.Error("an instance sees the writes of another live instance")
			}
			a.Close()
			c := newInst()
			defer c.Close()
			if !bytes.Equal(c.Memory(), want) {
				t.Error("a new instance sees the writes of a closed one")
			}
			if r := call(t, c, "load", I32(16)); uint32(r[0]) != 0x6c6c6568 {
				t.Errorf("wasm load of the image = %#x, want \"hell\"", uint32(r[0]))
			}
			if r := call(t, c, "grow", I32(1)); AsI32(r[0]) != 3 || !bytes.Equal(c.Memory()[3*65536:], make([]byte, 65536)) {
				t.Error("memory grown after the image is not fresh zero pages")
			}
			b.Close()
		})
	}
}

// TestDataSegmentsNotStatic checks that a segment beyond the minimum size
// keeps the module on the segment-by-segment path, which fails
// instantiation with a trap.
func TestDataSegmentsNotStatic(t *testing.T) {
	mod := loadImageModule(t, `
  (data (i32.const 196607) "xy")`)
	_, err := mod.Instantiate(context.Background(), Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}})
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapMemoryOutOfBounds {
		t.Fatalf("instantiating with an out-of-bounds data segment: %v, want a memory out-of-bounds trap", err)
	}
	if _, ok := mod.memoryImages(); ok {
		t.Error("an out-of-bounds segment was made part of an image")
	}
}

// failingElems replaces externs.wat's imports: only the funcref table is
// imported, the rest defined; a data segment; and two element segments,
// the first storing load (function 2) in the table, the second out of
// its bounds.
const failingElems = `  (import "env" "funcs" (table 2 funcref))
  (table 2 externref)
  (memory 1 4)
  (global (mut i64) (i64.const 5))
  (data (i32.const 0) "hello")
  (elem (table 0) (i32.const 0) func 2)
  (elem (table 0) (i32.const 1) func 0 0)`

// TestFailedElemSegmentLeavesMemoryEmpty checks that the memory image is
// taken back when an element segment fails: a function the failed
// instance already stored into an imported table can still read its
// memory, which must be zero, as if the data segments (which follow the
// element segments) had never been applied.
func TestFailedElemSegmentLeavesMemoryEmpty(t *testing.T) {
	h := newHostExterns(t)
	// A live instance in the host table's group keeps the failed one's
	// functions callable.
	live := instantiateExterns(t, loadExterns(t), h)
	defer live.Close()

	obj := nativeObject(t, testdataWat(t, "externs.wat", "externs", failingElems), hostArch)
	mod, err := Load(obj)
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	_, err = mod.Instantiate(context.Background(), Config{Externs: map[string]map[string]Extern{"env": {"funcs": h.funcs}}})
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapTableOutOfBounds {
		t.Fatalf("instantiation with an out-of-bounds element segment: %v, want a table out-of-bounds trap", err)
	}
	if _, ok := mod.memoryImages(); !ok {
		t.Fatal("the data segment was not made an image")
	}
	// Compiled code of the live group could call the stored function
	// (Go calls into a failed instance are refused): look at the memory
	// it would read.
	ref, err := h.funcs.Get(0)
	if err != nil {
		t.Fatal(err)
	}
	failed := refOwner(ref)
	if failed == nil || failed.mod != mod {
		t.Fatal("the first element segment's function is not in the table")
	}
	if mem := failed.ownMem[0].Bytes(); len(mem) != 65536 || !bytes.Equal(mem, make([]byte, 65536)) {
		t.Errorf("the failed instance's memory is not one zero page: %q…", mem[:8])
	}
}
