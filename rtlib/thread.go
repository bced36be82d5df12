package rtlib

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// threadState mirrors the page at the base of a native stack region: the
// public part (abi.Thread*) and the switch area used by the assembly
// (thread.h).
type threadState struct {
	interrupt  uint32
	_          uint32
	fuel       int64
	stackLimit uintptr
	_          [5]uint64
	goSP       uintptr
	goFP       uintptr
	goLR       uintptr
	nativeSP   uintptr
	exit       uintptr // 0: returned; b+1: builtin b called
	args       [6]uint64
	ret        uint64
	callTramp  uintptr
	callVMCtx  uintptr
	callFn     uintptr
	callSlots  uintptr
}

const (
	pageSize      = 4096
	stackGuard    = 64 << 10
	stackUsableLo = pageSize + stackGuard // offset of the lowest usable stack byte
	// nestedGap separates a nested call's frames from the suspended ones.
	nestedGap = 256
	// maxNesting bounds host→wasm re-entry on one thread; beyond it a call
	// traps with call stack exhausted (the goroutine stack grows with
	// every level too).
	maxNesting = 1000
)

// thread is one native stack and the execution running on it. mu is held
// by whichever goroutine runs code on the stack (or handles its exits);
// it is released while a host function runs, so that the host function
// may call back into wasm on the same stack.
type thread struct {
	mu     sync.Mutex
	region []byte // the mmap'd reservation, twice the stack size
	stack  []byte // the aligned NativeStackSize region inside it
	base   uintptr
	ts     *threadState
	// ctxs are the contexts of the calls active on this thread, innermost
	// last; yield checks them all.
	ctxs []context.Context
}

func newThread() (*thread, error) {
	region, err := unix.Mmap(-1, 0, 2*abi.NativeStackSize, unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("rtlib: mapping a native stack: %w", err)
	}
	start := uintptr(unsafe.Pointer(&region[0]))
	skip := int((start+abi.NativeStackSize-1)&^(abi.NativeStackSize-1) - start)
	stack := region[skip : skip+abi.NativeStackSize]
	if err := unix.Mprotect(stack[:pageSize], unix.PROT_READ|unix.PROT_WRITE); err == nil {
		err = unix.Mprotect(stack[stackUsableLo:], unix.PROT_READ|unix.PROT_WRITE)
	}
	if err != nil {
		unix.Munmap(region)
		return nil, fmt.Errorf("rtlib: protecting a native stack: %w", err)
	}
	t := &thread{region: region, stack: stack, base: start + uintptr(skip)}
	t.ts = (*threadState)(unsafe.Pointer(&stack[0]))
	t.ts.stackLimit = t.base + stackUsableLo + abi.MaxFrameBelowLimit
	t.ts.nativeSP = t.base + abi.NativeStackSize
	return t, nil
}

// slots returns n uint64 slots at native address addr, which must lie in
// this thread's usable stack.
func (t *thread) slots(addr uintptr, n int) ([]uint64, bool) {
	lo := t.base + stackUsableLo
	if addr < lo || addr%8 != 0 || uint64(addr-lo)+uint64(n)*8 > uint64(abi.NativeStackSize-stackUsableLo) {
		return nil, false
	}
	if n == 0 {
		return nil, true
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&t.stack[addr-t.base])), n), true
}

// word reads the uint64 at native stack address addr (0 if outside).
func (t *thread) word(addr uintptr) uint64 {
	s, ok := t.slots(addr, 1)
	if !ok {
		return 0
	}
	return s[0]
}

// threadPool keeps idle native stacks for reuse.
var threadPool struct {
	sync.Mutex
	free []*thread
}

const maxIdleThreads = 64

func getThread() (*thread, error) {
	threadPool.Lock()
	if n := len(threadPool.free); n > 0 {
		t := threadPool.free[n-1]
		threadPool.free = threadPool.free[:n-1]
		threadPool.Unlock()
		return t, nil
	}
	threadPool.Unlock()
	return newThread()
}

func putThread(t *thread) {
	atomic.StoreUint32(&t.ts.interrupt, 0)
	t.ctxs = t.ctxs[:0]
	threadPool.Lock()
	if len(threadPool.free) < maxIdleThreads {
		threadPool.free = append(threadPool.free, t)
		t = nil
	}
	threadPool.Unlock()
	if t != nil {
		unix.Munmap(t.region)
	}
}

type threadKey struct{}

// acquireThread returns the thread to run a call with ctx on: the caller's
// own thread when ctx comes from a host function of a call that is
// suspended (re-entrancy), otherwise a pooled one. release must be called
// when the call is over.
func acquireThread(ctx context.Context) (t *thread, release func(), err error) {
	if t, ok := ctx.Value(threadKey{}).(*thread); ok && t.mu.TryLock() {
		return t, t.mu.Unlock, nil
	}
	t, err = getThread()
	if err != nil {
		return nil, nil, err
	}
	t.mu.Lock()
	return t, func() { t.mu.Unlock(); putThread(t) }, nil
}

// invoke calls code(vmctx, args) through the array-call trampoline entry,
// below whatever is suspended on the thread, and returns nres result slots.
func (t *thread) invoke(ctx context.Context, entry, vmctx, code uintptr, args []uint64, nres int) ([]uint64, error) {
	ts := t.ts
	outerSP := ts.nativeSP
	defer func() { ts.nativeSP = outerSP }()
	n := max(len(args), nres, 1)
	slotsAddr := (outerSP - nestedGap - uintptr(n)*8) &^ 15
	if slotsAddr < ts.stackLimit+pageSize || len(t.ctxs) >= maxNesting {
		return nil, &abi.Trap{Code: abi.TrapCallStackExhausted, Func: -1, Offset: -1}
	}
	slots, _ := t.slots(slotsAddr, n)
	clear(slots)
	copy(slots, args)
	ts.callTramp, ts.callVMCtx, ts.callFn, ts.callSlots = entry, vmctx, code, slotsAddr
	ts.nativeSP = slotsAddr

	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { atomic.StoreUint32(&ts.interrupt, 1) })
		defer stop()
	}
	t.ctxs = append(t.ctxs, ctx)
	defer func() { t.ctxs = t.ctxs[:len(t.ctxs)-1] }()
	hostCtx := context.WithValue(ctx, threadKey{}, t)

	resume := false
	for {
		runNative(t.base, resume)
		resume = true
		if ts.exit == 0 {
			return append([]uint64(nil), slots[:nres]...), nil
		}
		b := abi.Builtin(ts.exit - 1)
		args := ts.args
		suspended := ts.nativeSP
		ret, err := t.builtin(hostCtx, b, args, suspended)
		if err != nil {
			return nil, err
		}
		ts.nativeSP = suspended
		ts.ret = ret
	}
}

// interrupted reports the first error of the contexts of the calls on
// this thread, after clearing the interrupt flag (cleared first, so that a
// cancellation racing with the check raises it again).
func (t *thread) interrupted() error {
	atomic.StoreUint32(&t.ts.interrupt, 0)
	for i := len(t.ctxs) - 1; i >= 0; i-- {
		if err := t.ctxs[i].Err(); err != nil {
			return err
		}
	}
	return nil
}
