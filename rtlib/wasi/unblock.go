package wasi

import (
	"context"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A guest blocked in a host read, write or accept must still end when its
// call's context does (a deadline, an interrupt): the runtime can only
// interrupt wasm code, not a Go function waiting on a descriptor. Streams
// and sockets that support deadlines (network connections, listeners,
// pipes and terminals opened non-blocking) are woken by setting their
// deadline to now when the context ends; the host function then returns
// an error errno and the runtime's interrupt check ends the guest.

// deadlineSetter sets one kind of deadline on a stream, connection or
// listener; nil when the value has none.
type deadlineSetter func(time.Time) error

func readDeadline(v any) deadlineSetter {
	if d, ok := v.(interface{ SetReadDeadline(time.Time) error }); ok {
		return d.SetReadDeadline
	}
	return nil
}

func writeDeadline(v any) deadlineSetter {
	if d, ok := v.(interface{ SetWriteDeadline(time.Time) error }); ok {
		return d.SetWriteDeadline
	}
	return nil
}

func acceptDeadline(v any) deadlineSetter {
	if d, ok := v.(interface{ SetDeadline(time.Time) error }); ok {
		return d.SetDeadline
	}
	return nil
}

// unblockOnDone makes ctx's end wake a blocking operation through set, and
// returns the function that disarms it once the operation has returned.
// Disarming clears a deadline that was set, so the stream stays usable by
// its owner (an embedder may hand one reader to many instances).
func unblockOnDone(ctx context.Context, set deadlineSetter) (disarm func()) {
	if set == nil || ctx.Done() == nil {
		return func() {}
	}
	var mu sync.Mutex
	fired, disarmed := false, false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !disarmed {
			fired = true
			set(time.Now())
		}
	})
	return func() {
		stop()
		mu.Lock()
		defer mu.Unlock()
		disarmed = true
		if fired {
			set(time.Time{})
		}
	}
}

// pollSlice is the longest a host poll waits before looking at the
// context again.
const pollSlice = 50 * time.Millisecond

// fifoIO runs op (a readv or writev) on a FIFO's non-blocking host
// descriptor. Unless the guest set NONBLOCK, it first waits in poll for
// events, and again whenever op would block; the wait ends with the
// context (os.ErrDeadlineExceeded, which answers ErrnoAgain and so ends
// the guest).
func (e *fdEntry) fifoIO(ctx context.Context, events int16, op func(fd int) (int, error)) (int, error) {
	fd := e.hostFd()
	block := e.flags&fdflagNonblock == 0
	for {
		if block {
			if err := waitReady(ctx, fd, events); err != nil {
				return 0, err
			}
		}
		n, err := retryEINTR(func() (int, error) { return op(fd) })
		if err != syscall.EAGAIN || !block {
			return max(n, 0), err
		}
	}
}

// waitReady polls fd until it is ready for events (or hung up, or in
// error) or ctx ends.
func waitReady(ctx context.Context, fd int, events int16) error {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: events}}
	for {
		if ctx.Err() != nil {
			return os.ErrDeadlineExceeded
		}
		n, err := unix.Poll(pfd, int(pollSlice.Milliseconds()))
		if err != nil && err != syscall.EINTR {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}
