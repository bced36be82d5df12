package rtlib

import (
	"context"
	"fmt"
	"reflect"
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
	region []byte // the mapped reservation: stack, unless trimming it failed
	stack  []byte // the aligned NativeStackSize region inside it
	base   uintptr
	ts     *threadState
	// ctxs are the contexts of the calls active on this thread, innermost
	// last; yield checks them all.
	ctxs []context.Context
	// metered is whether the outermost call has a fuel budget.
	metered bool
	// inHost counts the host calls in progress on this thread (written
	// only while holding mu). A context given to a host function nests
	// calls on this thread only while it is nonzero: a host function may
	// keep its context after returning, and by then the stack may be idle
	// in the pool or unmapped.
	inHost int
	// hostOpts is what the contexts given to host functions carry: this
	// thread, so that calls back into wasm nest on it.
	hostOpts callOptions
	// hostParent and hostCtx are the last context made for host functions
	// and the call context it was made from, reused while calls come with
	// the same context.
	hostParent, hostCtx context.Context
	// The last VMContext → instance lookup, valid while instances.freed
	// equals cachedFreed (no instance has been freed since, so the
	// address was not reused).
	cachedVMCtx uint64
	cachedInst  *Instance
	cachedFreed uint64
	// The outermost call's cancellation stays registered after the call
	// (see arm); armMu keeps its callback from writing to an unmapped
	// thread state.
	armMu     sync.Mutex
	armedDone <-chan struct{}
	disarm    func() bool
	fired     atomic.Bool
}

func newThread() (*thread, error) {
	// The stack becomes three mappings: state page, guard, usable part.
	if err := grantMappings(3); err != nil {
		return nil, err
	}
	region, err := mmap(2*abi.NativeStackSize, unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("rtlib: mapping a native stack: %w", err)
	}
	start := uintptr(unsafe.Pointer(&region[0]))
	skip := int((start+abi.NativeStackSize-1)&^(abi.NativeStackSize-1) - start)
	stack := region[skip : skip+abi.NativeStackSize]
	// Only the aligned stack is needed: the rest of the reservation goes,
	// so that a stack costs three mappings (state page, guard, usable
	// part). What cannot be trimmed stays reserved with the stack.
	if unmap(region[:skip]) == nil {
		region = region[skip:]
	}
	tail := len(region) - (abi.NativeStackSize - skip)
	if unmap(region[tail:]) == nil {
		region = region[:tail]
	}
	err = mprotect(stack[:pageSize], unix.PROT_READ|unix.PROT_WRITE)
	if err == nil {
		err = mprotect(stack[stackUsableLo:], unix.PROT_READ|unix.PROT_WRITE)
	}
	if err != nil {
		unmap(region)
		return nil, fmt.Errorf("rtlib: protecting a native stack: %w", err)
	}
	t := &thread{region: region, stack: stack, base: start + uintptr(skip)}
	t.hostOpts.thread = t
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
		t.unmap()
	}
}

// acquireThread returns the thread to run a call with ctx on: the caller's
// own thread when ctx comes from a host function of a call that is
// suspended in a host call (re-entrancy, nested is true), otherwise a
// pooled one. The caller releases it with releaseThread.
func acquireThread(ctx context.Context, inst *Instance) (t *thread, nested bool, err error) {
	opts, _ := ctx.Value(callKey{}).(*callOptions)
	if opts != nil && opts.thread != nil && opts.thread.mu.TryLock() {
		if opts.thread.inHost > 0 {
			return opts.thread, true, nil
		}
		// A context kept after its host call returned: the thread is
		// idle (or unmapped), so this is a new outermost call.
		opts.thread.mu.Unlock()
	}
	fuel, metered := fuelBudget(opts, inst)
	if metered && !inst.mod.meta.FuelMetered {
		return nil, false, errNotMetered
	}
	t, err = getThread()
	if err != nil {
		return nil, false, err
	}
	t.mu.Lock()
	t.ts.fuel, t.metered = fuel, metered
	return t, false, nil
}

func releaseThread(t *thread, nested bool) {
	t.mu.Unlock()
	if !nested {
		putThread(t)
	}
}

// invoke calls code(vmctx, args) through the array-call trampoline entry,
// below whatever is suspended on the thread. The arguments are
// stack[:nargs]; the nres results are written to stack[:nres].
func (t *thread) invoke(ctx context.Context, entry, vmctx, code uintptr, stack []uint64, nargs, nres int) error {
	ts := t.ts
	outerSP := ts.nativeSP
	defer func() { ts.nativeSP = outerSP }()
	n := max(nargs, nres, 1)
	slotsAddr := (outerSP - nestedGap - uintptr(n)*8) &^ 15
	if slotsAddr < ts.stackLimit+pageSize || len(t.ctxs) >= maxNesting {
		return &abi.Trap{Code: abi.TrapCallStackExhausted, Func: -1, Offset: -1}
	}
	slots, _ := t.slots(slotsAddr, n)
	copy(slots, stack[:nargs])
	clear(slots[nargs:])
	ts.callTramp, ts.callVMCtx, ts.callFn, ts.callSlots = entry, vmctx, code, slotsAddr
	ts.nativeSP = slotsAddr

	if done := ctx.Done(); done != nil && !t.watching(done) {
		if len(t.ctxs) == 0 {
			t.arm(ctx)
		} else {
			stop := context.AfterFunc(ctx, t.raiseInterrupt)
			defer stop()
		}
	}
	t.ctxs = append(t.ctxs, ctx)
	defer func() { t.ctxs = t.ctxs[:len(t.ctxs)-1] }()
	var hostCtx context.Context // made at the first host call

	resume := false
	for {
		runNative(t.base, resume)
		resume = true
		if ts.exit == 0 {
			copy(stack[:nres], slots)
			return nil
		}
		suspended := ts.nativeSP
		var ret uint64
		var err error
		if b := abi.Builtin(ts.exit - 1); b == abi.BuiltinHostCall {
			if hostCtx == nil {
				hostCtx = t.hostContext(ctx)
			}
			err = t.hostCall(hostCtx, ts.args[0], ts.args[1], uintptr(ts.args[2]))
		} else {
			ret, err = t.builtin(b, ts.args, suspended)
		}
		if err != nil {
			return err
		}
		ts.nativeSP = suspended
		ts.ret = ret
	}
}

// hostContext returns the context host functions called under ctx
// receive: ctx carrying this thread.
func (t *thread) hostContext(ctx context.Context) context.Context {
	// == on two contexts of one non-comparable type would panic.
	if t.hostParent != nil && reflect.TypeOf(ctx).Comparable() && t.hostParent == ctx {
		return t.hostCtx
	}
	t.hostParent, t.hostCtx = ctx, context.WithValue(ctx, callKey{}, &t.hostOpts)
	return t.hostCtx
}

// instance returns the instance whose VMContext is at vmctx (nil if none),
// remembering the last answer: a thread's exits nearly always come from
// the same instance.
func (t *thread) instance(vmctx uint64) *Instance {
	freed := instances.freed.Load()
	if vmctx == t.cachedVMCtx && freed == t.cachedFreed && t.cachedInst != nil {
		return t.cachedInst
	}
	inst := instanceAt(vmctx)
	t.cachedVMCtx, t.cachedInst, t.cachedFreed = vmctx, inst, freed
	return inst
}
