package rtlib

import (
	"context"
	"sync/atomic"
)

// Cancellation (docs/runtime.md): a context that can be cancelled raises
// the interrupt flag of the thread running the call; compiled code then
// calls yield, and yield fails the call if one of the thread's contexts is
// done.
//
// Registering with context.AfterFunc costs more than an empty call, and a
// server typically makes many calls under one request context. So the
// outermost call's registration is kept when the call ends, and later
// calls on the same pooled thread whose context has the same Done channel
// (the same context, or one derived from it by WithValue) reuse it. A kept
// registration may fire while the thread runs another context's call:
// that costs one spurious yield, which finds no context done and resumes.

// watching reports whether a registration that has not fired yet raises
// this thread's flag when done is closed.
func (t *thread) watching(done <-chan struct{}) bool {
	return done == t.armedDone && !t.fired.Load()
}

// arm replaces the thread's kept registration by one for ctx.
func (t *thread) arm(ctx context.Context) {
	if t.disarm != nil {
		t.disarm()
	}
	t.fired.Store(false)
	t.armedDone = ctx.Done()
	t.disarm = context.AfterFunc(ctx, t.raiseInterrupt)
}

// raiseInterrupt is the AfterFunc callback of every registration.
func (t *thread) raiseInterrupt() {
	t.armMu.Lock()
	defer t.armMu.Unlock()
	t.fired.Store(true)
	if t.ts != nil {
		atomic.StoreUint32(&t.ts.interrupt, 1)
	}
}

// unmap releases an idle thread's stack. A callback that is already
// running when it is disarmed finishes before the memory goes.
func (t *thread) unmap() {
	if t.disarm != nil {
		t.disarm()
	}
	t.armMu.Lock()
	t.ts = nil
	t.armMu.Unlock()
	unmap(t.region)
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
