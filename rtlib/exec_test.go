package rtlib

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

func TestHostCall(t *testing.T) {
	var sawMemory bool
	inst := newBasic(t, hostFunc(func(_ context.Context, c abi.Caller, x int32) (int32, error) {
		sawMemory = string(c.Memory()[16:21]) == "hello"
		return x * 10, nil
	}))
	if r := call(t, inst, "call_host", I32(4)); AsI32(r[0]) != 41 {
		t.Errorf("call_host(4) = %d, want 41", AsI32(r[0]))
	}
	if !sawMemory {
		t.Error("host function did not see the caller's memory")
	}
	hostErr := errors.New("host failed")
	inst = newBasic(t, hostFunc(func(context.Context, abi.Caller, int32) (int32, error) { return 0, hostErr }))
	if _, err := inst.ExportedFunc("call_host").Call(context.Background(), I32(1)); !errors.Is(err, hostErr) {
		t.Errorf("host error: got %v", err)
	}
}

// TestReentrancy nests host→wasm→host→wasm calls to a given depth on one
// native stack, then traps at the bottom: every level sees the trap.
func TestReentrancy(t *testing.T) {
	var inst *Instance
	var levels atomic.Int32
	inst = newBasic(t, hostFunc(func(ctx context.Context, _ abi.Caller, x int32) (int32, error) {
		levels.Add(1)
		if x == 0 {
			_, err := inst.ExportedFunc("div").Call(ctx, I32(1), I32(0))
			return 0, err
		}
		r, err := inst.ExportedFunc("call_callback").Call(ctx, I32(x-1))
		if err != nil {
			return 0, err
		}
		return AsI32(r[0]), nil
	}))
	_, err := inst.ExportedFunc("call_callback").Call(context.Background(), I32(20))
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapIntegerDivideByZero {
		t.Fatalf("nested trap: got %v", err)
	}
	if levels.Load() != 21 {
		t.Errorf("host function ran %d times, want 21", levels.Load())
	}
	// Without the trap, every level adds one.
	inst2 := newBasic(t, hostFunc(func(ctx context.Context, _ abi.Caller, x int32) (int32, error) {
		if x == 0 {
			return 1000, nil
		}
		r, err := inst.ExportedFunc("add").Call(ctx, I32(x), I32(0))
		if err != nil {
			return 0, err
		}
		r, err = inst.ExportedFunc("call_host").Call(ctx, I32(AsI32(r[0])-1)) // uses inst's host: traps at 0
		if err == nil {
			return 0, errors.New("expected the nested trap")
		}
		return 7, nil
	}))
	if r := call(t, inst2, "call_callback", I32(1)); AsI32(r[0]) != 8 {
		t.Errorf("host recovering from a nested trap: got %d, want 8", AsI32(r[0]))
	}
}

// TestDeepReentrancyExhaustsStack checks that unbounded host→wasm
// recursion ends in a stack-exhaustion trap, not a crash.
func TestDeepReentrancyExhaustsStack(t *testing.T) {
	var inst *Instance
	inst = newBasic(t, hostFunc(func(ctx context.Context, _ abi.Caller, x int32) (int32, error) {
		r, err := inst.ExportedFunc("call_host").Call(ctx, I32(x+1))
		if err != nil {
			return 0, err
		}
		return AsI32(r[0]), nil
	}))
	_, err := inst.ExportedFunc("call_host").Call(context.Background(), I32(0))
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapCallStackExhausted {
		t.Fatalf("got %v, want call stack exhausted", err)
	}
}

func TestCancelBusyLoop(t *testing.T) {
	inst := newBasic(t, double())
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	_, err := inst.ExportedFunc("spin").Call(ctx)
	var trap *abi.Trap
	if !errors.As(err, &trap) || trap.Code != abi.TrapInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("spin with cancelled context: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := inst.ExportedFunc("spin").Call(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("spin with deadline: %v", err)
	}
	// The pooled stack carries no stale interrupt into the next call.
	if r := call(t, inst, "add", I32(1), I32(2)); AsI32(r[0]) != 3 {
		t.Errorf("add after cancellation = %d", AsI32(r[0]))
	}
}

// TestSchedulerAndGCDuringSpin runs wasm busy loops on more goroutines than
// there are Ps and checks that GC cycles complete and other goroutines run
// while they spin.
func TestSchedulerAndGCDuringSpin(t *testing.T) {
	inst := newBasic(t, double())
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	spinners := runtime.GOMAXPROCS(0) + 1
	started := make(chan struct{}, spinners)
	for range spinners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			inst.ExportedFunc("spin").Call(ctx)
		}()
	}
	for range spinners {
		<-started
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&after)
	ticks := 0
	for ticks < 5 {
		done := make(chan struct{})
		go func() { close(done) }()
		<-done
		ticks++
	}
	cancel()
	wg.Wait()
	if after.NumGC < before.NumGC+3 {
		t.Errorf("only %d GC cycles completed during the spin", after.NumGC-before.NumGC)
	}
}

func TestManyInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping 1,000 instances in -short mode")
	}
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	const n = 1000
	insts := make([]*Instance, n)
	cfg := Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}}
	for i := range insts {
		if insts[i], err = mod.Instantiate(context.Background(), cfg); err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, inst := range insts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := inst.ExportedFunc("store")
			if _, err := f.Call(context.Background(), I32(200), I32(int32(i))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Each instance kept its own memory.
	for i, inst := range insts {
		r, err := inst.ExportedFunc("load").Call(context.Background(), I32(200))
		if err != nil || AsI32(r[0]) != int32(i) {
			t.Fatalf("instance %d: load = %v, %v", i, r, err)
		}
		inst.Close()
	}
}

// TestCrossInstanceImport links instance b's import to a function exported
// by instance a, closes a first, and still calls through b: instances
// linked by imports are freed together.
func TestCrossInstanceImport(t *testing.T) {
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	ctx := context.Background()
	a, err := mod.Instantiate(ctx, Config{HostFuncs: map[string]map[string]abi.HostFunc{"env": {"host": double()}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := mod.Instantiate(ctx, Config{Externs: map[string]map[string]Extern{"env": {"host": a.ExportedFunc("call_host")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.Close()
	// b.call_host(x) = a.call_host(x) + 1 = (2x + 1) + 1
	r, err := b.ExportedFunc("call_host").Call(ctx, I32(5))
	if err != nil || AsI32(r[0]) != 12 {
		t.Fatalf("b.call_host(5) = %v, %v; want 12", r, err)
	}
	_, err = mod.Instantiate(ctx, Config{Externs: map[string]map[string]Extern{"env": {"host": b.ExportedFunc("add")}}})
	if err == nil || !strings.Contains(err.Error(), "import env.host") {
		t.Errorf("mismatched import type: got %v, want a link error naming env.host", err)
	}
	_, err = mod.Instantiate(ctx, Config{})
	if err == nil || !strings.Contains(err.Error(), "import env.host: not provided") {
		t.Errorf("missing import: got %v", err)
	}
}

// TestCancelReusedContext covers the registration a thread keeps between
// calls (interrupt.go): later calls with the same context are still
// cancelled, and a registration that fires after its call is over does
// not fail calls under other contexts.
func TestCancelReusedContext(t *testing.T) {
	inst := newBasic(t, double())
	ctx, cancel := context.WithCancel(context.Background())
	for range 3 {
		if r, err := inst.ExportedFunc("add").Call(ctx, I32(1), I32(2)); err != nil || AsI32(r[0]) != 3 {
			t.Fatalf("add = %v, %v", r, err)
		}
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := inst.ExportedFunc("spin").Call(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("spin under a context reused from earlier calls: %v", err)
	}
	if _, err := inst.ExportedFunc("spin").Call(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("spin under an already cancelled context: %v", err)
	}
	// Keep a registration on an idle thread, fire it, then run calls that
	// must not see its stale flag as their own cancellation.
	ctx2, cancel2 := context.WithCancel(context.Background())
	call := func(c context.Context) {
		if r, err := inst.ExportedFunc("host_loop").Call(c, I32(1000)); err != nil || AsI32(r[0]) != 999000 {
			t.Fatalf("host_loop = %v, %v", r, err)
		}
	}
	call(ctx2)
	cancel2()
	call(context.Background())
	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	call(ctx3)
}

// TestKeptHostContext checks that a context a host function keeps after
// returning starts a new outermost call instead of nesting on the native
// stack its call ran on, which by then is idle in the pool or unmapped.
func TestKeptHostContext(t *testing.T) {
	var kept context.Context
	inst := newBasic(t, hostFunc(func(ctx context.Context, _ abi.Caller, x int32) (int32, error) {
		if x == 1 {
			kept = ctx
		}
		return x, nil
	}))
	call(t, inst, "call_host", I32(1))
	opts, _ := kept.Value(callKey{}).(*callOptions)
	if opts == nil || opts.thread == nil {
		t.Fatal("the host function's context carries no thread")
	}
	add := inst.ExportedFunc("add")
	if r, err := add.Call(kept, I32(2), I32(3)); err != nil || AsI32(r[0]) != 5 {
		t.Fatalf("call with a kept context on an idle stack: got %v, %v", r, err)
	}
	// Take the stack out of the pool and unmap it, as putThread does when
	// the pool is full.
	threadPool.Lock()
	for i, th := range threadPool.free {
		if th == opts.thread {
			threadPool.free = append(threadPool.free[:i], threadPool.free[i+1:]...)
			th.unmap()
			break
		}
	}
	threadPool.Unlock()
	if r, err := add.Call(kept, I32(4), I32(5)); err != nil || AsI32(r[0]) != 9 {
		t.Fatalf("call with a kept context on an unmapped stack: got %v, %v", r, err)
	}
	// Calls from other goroutines with the kept context while other
	// executions run host calls do not crash either.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if r, err := add.Call(kept, I32(1), I32(1)); err != nil || AsI32(r[0]) != 2 {
					t.Errorf("concurrent call with a kept context: got %v, %v", r, err)
					return
				}
				if r, err := inst.ExportedFunc("call_host").Call(context.Background(), I32(3)); err != nil || AsI32(r[0]) != 4 {
					t.Errorf("call_host(3): got %v, %v", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestCallWithDoneContext checks that a context already done refuses the
// call with the interrupted trap before any wasm code runs.
func TestCallWithDoneContext(t *testing.T) {
	var ran atomic.Bool
	inst := newBasic(t, hostFunc(func(_ context.Context, _ abi.Caller, x int32) (int32, error) {
		ran.Store(true)
		return x, nil
	}))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		_, err := inst.ExportedFunc("call_host").Call(tc.ctx, I32(1))
		var trap *abi.Trap
		if !errors.As(err, &trap) || trap.Code != abi.TrapInterrupted || !errors.Is(err, tc.want) {
			t.Errorf("call with a done context: got %v, want interrupted wrapping %v", err, tc.want)
		}
	}
	if ran.Load() {
		t.Error("the host function ran under a done context")
	}
}

// hostModule serves the host functions of a map, recording what it was
// asked for.
type hostModule struct {
	fns   map[string]abi.HostFunc
	asked []string
}

func (h *hostModule) HostFunc(name string) (abi.HostFunc, bool) {
	h.asked = append(h.asked, name)
	f, ok := h.fns[name]
	return f, ok
}

// TestHostModules resolves imports through Config.HostModules: only the
// imported names are asked for, a name the provider lacks is a link
// error, and HostFuncs take precedence.
func TestHostModules(t *testing.T) {
	mod, err := Load(basicObject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer mod.Close()
	ctx := context.Background()
	hm := &hostModule{fns: map[string]abi.HostFunc{"host": double(), "unused": double()}}
	inst, err := mod.Instantiate(ctx, Config{HostModules: map[string]abi.HostModule{"env": hm}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if r := call(t, inst, "call_host", I32(5)); AsI32(r[0]) != 11 {
		t.Errorf("call_host(5) through a host module = %d, want 11", AsI32(r[0]))
	}
	if len(hm.asked) != 1 || hm.asked[0] != "host" {
		t.Errorf("host module asked for %q, want only the import \"host\"", hm.asked)
	}
	_, err = mod.Instantiate(ctx, Config{HostModules: map[string]abi.HostModule{"env": &hostModule{}}})
	if err == nil || !strings.Contains(err.Error(), "import env.host: not provided") {
		t.Errorf("host module without the import: got %v", err)
	}
	hm.asked = nil
	inst2, err := mod.Instantiate(ctx, Config{
		HostFuncs:   map[string]map[string]abi.HostFunc{"env": {"host": double()}},
		HostModules: map[string]abi.HostModule{"env": hm},
	})
	if err != nil {
		t.Fatal(err)
	}
	inst2.Close()
	if len(hm.asked) != 0 {
		t.Errorf("host module asked for %q although HostFuncs has the import", hm.asked)
	}
}
