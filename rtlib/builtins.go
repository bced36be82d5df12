package rtlib

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

var native struct {
	once  sync.Once
	addrs [numNativeAddrs]uintptr
	table uintptr // off-heap copy of the builtin stubs' addresses
	err   error
}

func nativeAddresses() *[numNativeAddrs]uintptr {
	initNative()
	return &native.addrs
}

// builtinTable returns the address of the process-wide builtin table that
// every VMContext points to.
func builtinTable() uintptr {
	initNative()
	return native.table
}

func initNative() {
	native.once.Do(func() {
		nativeAddrs(&native.addrs)
		mem, err := mmap(pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
		if err != nil {
			panic(fmt.Sprintf("rtlib: mapping the builtin table: %v", err))
		}
		tab := unsafe.Slice((*uintptr)(unsafe.Pointer(&mem[0])), abi.NumBuiltins)
		copy(tab, native.addrs[:abi.NumBuiltins])
		if err := mprotect(mem, unix.PROT_READ); err != nil {
			panic(fmt.Sprintf("rtlib: protecting the builtin table: %v", err))
		}
		native.table = uintptr(unsafe.Pointer(&mem[0]))
	})
}

func trapError(code abi.TrapCode) error {
	return &abi.Trap{Code: code, Func: -1, Offset: -1}
}

// interruptedError is the error of a call stopped by its context's error
// cause: abi.TrapInterrupted, wrapping cause too.
func interruptedError(cause error) error {
	return fmt.Errorf("%w: %w", trapError(abi.TrapInterrupted), cause)
}

// builtin runs builtin b for native code suspended at native SP suspended.
// It returns the builtin's result, or an error that ends the call. A trap
// names the function that called the builtin.
func (t *thread) builtin(b abi.Builtin, args [6]uint64, suspended uintptr) (uint64, error) {
	inst := t.instance(args[0])
	if inst == nil {
		return 0, fmt.Errorf("rtlib: builtin %v called with unknown VMContext %#x", b, args[0])
	}
	if !inst.builtinArgsValid(b, args) {
		return 0, fmt.Errorf("rtlib: builtin %v called with an invalid index", b)
	}
	ret, err := t.runBuiltin(inst, b, args)
	if err != nil {
		t.attribute(err, inst, suspended)
	}
	return ret, err
}

// attribute names, in a trap raised by a builtin, the wasm function that
// called it: the one whose code holds the return address. The address may
// be one past the function's end when the call is its last instruction (a
// noreturn trap call).
func (t *thread) attribute(err error, inst *Instance, suspended uintptr) {
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Func >= 0 {
		return
	}
	pc := t.word(suspended + exitReturnPC)
	if img := inst.mod.img; img != nil && pc > 0 {
		trap.Func = img.funcAt(pc - 1)
		trap.FuncName = inst.mod.funcName(trap.Func)
	}
}

func (t *thread) runBuiltin(inst *Instance, b abi.Builtin, args [6]uint64) (uint64, error) {
	a32 := func(i int) uint32 { return uint32(args[i]) }
	switch b {
	case abi.BuiltinTrap:
		return 0, trapError(abi.TrapCode(a32(1)))
	case abi.BuiltinYield:
		if err := t.interrupted(); err != nil {
			return 0, interruptedError(err)
		}
		if t.outOfFuel() {
			return 0, trapError(abi.TrapOutOfFuel)
		}
		return 0, nil
	case abi.BuiltinMemoryGrow:
		return uint64(uint32(inst.memories[a32(1)].grow(a32(2)))), nil
	case abi.BuiltinMemoryFill:
		mem := inst.memories[a32(1)].Bytes()
		dst, n := uint64(a32(2)), uint64(a32(4))
		if dst+n > uint64(len(mem)) {
			return 0, trapError(abi.TrapMemoryOutOfBounds)
		}
		s, v := mem[dst:dst+n], byte(a32(3))
		for i := range s {
			s[i] = v
		}
	case abi.BuiltinMemoryCopy:
		dstMem, srcMem := inst.memories[a32(1)].Bytes(), inst.memories[a32(2)].Bytes()
		dst, src, n := uint64(a32(3)), uint64(a32(4)), uint64(a32(5))
		if dst+n > uint64(len(dstMem)) || src+n > uint64(len(srcMem)) {
			return 0, trapError(abi.TrapMemoryOutOfBounds)
		}
		copy(dstMem[dst:dst+n], srcMem[src:src+n])
	case abi.BuiltinMemoryInit:
		if !inst.memoryInit(int(a32(1)), int(a32(2)), a32(3), a32(4), a32(5)) {
			return 0, trapError(abi.TrapMemoryOutOfBounds)
		}
	case abi.BuiltinDataDrop:
		inst.dropData(int(a32(1)))
	case abi.BuiltinTableGrow:
		return uint64(uint32(inst.tables[a32(1)].grow(a32(3), args[2]))), nil
	case abi.BuiltinTableFill:
		elems := inst.tables[a32(1)].elems()
		dst, n := uint64(a32(2)), uint64(a32(4))
		if dst+n > uint64(len(elems)) {
			return 0, trapError(abi.TrapTableOutOfBounds)
		}
		for i := dst; i < dst+n; i++ {
			elems[i] = args[3]
		}
	case abi.BuiltinTableCopy:
		dstT, srcT := inst.tables[a32(1)].elems(), inst.tables[a32(2)].elems()
		dst, src, n := uint64(a32(3)), uint64(a32(4)), uint64(a32(5))
		if dst+n > uint64(len(dstT)) || src+n > uint64(len(srcT)) {
			return 0, trapError(abi.TrapTableOutOfBounds)
		}
		copy(dstT[dst:dst+n], srcT[src:src+n])
	case abi.BuiltinTableInit:
		if !inst.tableInit(int(a32(1)), int(a32(2)), a32(3), a32(4), a32(5)) {
			return 0, trapError(abi.TrapTableOutOfBounds)
		}
	case abi.BuiltinElemDrop:
		inst.segMu.Lock()
		inst.elems[a32(1)] = nil
		inst.segMu.Unlock()
	default:
		return 0, fmt.Errorf("rtlib: unknown builtin %d", b)
	}
	return 0, nil
}

// memoryInit copies n bytes of data segment seg from src to dst in memory
// mem, reporting false if either range is out of bounds.
func (inst *Instance) memoryInit(mem, seg int, dst, src, n uint32) bool {
	var data []byte
	inst.segMu.Lock()
	if inst.dataLive != nil && inst.dataLive[seg/64]&(1<<(seg%64)) != 0 {
		data = inst.mod.meta.Data[seg].Bytes
	}
	inst.segMu.Unlock()
	bytes := inst.memories[mem].Bytes()
	if uint64(src)+uint64(n) > uint64(len(data)) || uint64(dst)+uint64(n) > uint64(len(bytes)) {
		return false
	}
	copy(bytes[dst:], data[src:src+n])
	return true
}

// dropData is data.drop of data segment seg.
func (inst *Instance) dropData(seg int) {
	inst.segMu.Lock()
	if inst.dataLive != nil {
		inst.dataLive[seg/64] &^= 1 << (seg % 64)
	}
	inst.segMu.Unlock()
}

// tableInit is table.init of element segment seg into table tab.
func (inst *Instance) tableInit(tab, seg int, dst, src, n uint32) bool {
	inst.segMu.Lock()
	vals := inst.elems[seg]
	inst.segMu.Unlock()
	elems := inst.tables[tab].elems()
	if uint64(src)+uint64(n) > uint64(len(vals)) || uint64(dst)+uint64(n) > uint64(len(elems)) {
		return false
	}
	copy(elems[dst:], vals[src:src+n])
	return true
}

// hostCall runs the Go function imported as function index fn by the
// instance at vmctx, with its argument slots at native address slotsAddr.
func (t *thread) hostCall(ctx context.Context, vmctx, fn uint64, slotsAddr uintptr) error {
	inst := t.instance(vmctx)
	if inst == nil {
		return fmt.Errorf("rtlib: host call with unknown VMContext %#x", vmctx)
	}
	fn = uint64(uint32(fn))
	if fn >= uint64(len(inst.host)) || inst.host[fn] == nil {
		return fmt.Errorf("rtlib: host call to function %d, which is not a host import", fn)
	}
	h := inst.host[fn]
	slots, ok := t.slots(slotsAddr, h.slots)
	if !ok {
		return fmt.Errorf("rtlib: host call with slots outside the native stack")
	}
	if err := t.runHost(ctx, h, inst, slots); err != nil {
		if end, ok := errors.AsType[abi.Ending](err); ok {
			inst.ended.CompareAndSwap(nil, &end)
		}
		var trap *abi.Trap
		if cause := ctx.Err(); cause != nil && errors.Is(err, cause) && !errors.As(err, &trap) {
			// A host function that gave up because the call's context
			// ended (a WASI read woken by the deadline) ends the guest
			// the way an interrupt check would.
			return interruptedError(err)
		}
		return err
	}
	for _, i := range h.refResults {
		if err := admitRef(slots[i], nil, inst, nil); err != nil {
			return fmt.Errorf("host function result: %w", err)
		}
	}
	return nil
}

// runHost runs a host function without holding the thread, so that it may
// call back into wasm on it.
func (t *thread) runHost(ctx context.Context, h *hostImport, inst *Instance, slots []uint64) error {
	t.inHost++
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.inHost--
	}()
	return h.Fn(ctx, inst, slots)
}

// builtinArgsValid checks the memory, table and segment indices a builtin
// receives, so that a miscompiled object cannot make the runtime index out
// of range.
func (inst *Instance) builtinArgsValid(b abi.Builtin, args [6]uint64) bool {
	mem := func(i int) bool { return uint32(args[i]) < uint32(len(inst.memories)) }
	tab := func(i int) bool { return uint32(args[i]) < uint32(len(inst.tables)) }
	data := func(i int) bool { return uint32(args[i]) < uint32(len(inst.mod.meta.Data)) }
	elem := func(i int) bool { return uint32(args[i]) < uint32(len(inst.elems)) }
	switch b {
	case abi.BuiltinMemoryGrow, abi.BuiltinMemoryFill:
		return mem(1)
	case abi.BuiltinMemoryCopy:
		return mem(1) && mem(2)
	case abi.BuiltinMemoryInit:
		return mem(1) && data(2)
	case abi.BuiltinDataDrop:
		return data(1)
	case abi.BuiltinTableGrow, abi.BuiltinTableFill:
		return tab(1)
	case abi.BuiltinTableCopy:
		return tab(1) && tab(2)
	case abi.BuiltinTableInit:
		return tab(1) && elem(2)
	case abi.BuiltinElemDrop:
		return elem(1)
	}
	return true
}
