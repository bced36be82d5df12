package wasi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestFifoUnderDeadline: opening, reading and writing a FIFO inside a
// preopen (directly or through a symbolic link) must never hold the host
// thread past the call's context: a FIFO without a writer or reader
// blocks the guest until its deadline, which then ends it; with a peer,
// data flows as through a blocking FIFO.
func TestFifoUnderDeadline(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v (the file system cannot hold a FIFO)", err)
	}
	os.Symlink("fifo", filepath.Join(dir, "flink"))
	g := newGuest(t, dir)
	le.PutUint32(g.c.mem[iovPtr:], bufPtr)
	le.PutUint32(g.c.mem[iovPtr+4:], 16)

	// within runs f and fails the test if it does not return in time; a
	// call stuck in the host is then released by opening both ends.
	within := func(what string, limit time.Duration, f func() (Errno, error)) (Errno, error) {
		t.Helper()
		type outcome struct {
			errno Errno
			err   error
		}
		done := make(chan outcome, 1)
		start := time.Now()
		go func() { e, err := f(); done <- outcome{e, err} }()
		select {
		case o := <-done:
			if took := time.Since(start); took > limit {
				t.Errorf("%s took %v, want at most %v", what, took, limit)
			}
			return o.errno, o.err
		case <-time.After(limit + 5*time.Second):
			t.Errorf("%s still blocked after %v", what, limit+5*time.Second)
			if f, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
				defer f.Close()
				f.Write([]byte("x"))
			}
			o := <-done
			return o.errno, o.err
		}
	}
	deadline := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 200*time.Millisecond)
	}
	openCall := func(path string, follow uint32, rights Rights) func() (Errno, error) {
		return func() (Errno, error) {
			ctx, cancel := deadline()
			defer cancel()
			p, n := g.str(path)
			return callCtx(ctx, g.w, g.c, "path_open", 3, uint64(follow), p, n, 0, uint64(rights), 0, 0, resPtr)
		}
	}
	readCall := func(fd uint32, ctx context.Context) func() (Errno, error) {
		return func() (Errno, error) {
			return callCtx(ctx, g.w, g.c, "fd_read", uint64(fd), iovPtr, 1, resPtr)
		}
	}

	for _, tc := range []struct {
		path   string
		follow uint32
	}{{"fifo", 0}, {"flink", lookupSymlinkFollow}} {
		// The read end opens at once; reading waits for a writer until
		// the deadline, which ends the guest.
		e, err := within("path_open "+tc.path+" for reading", time.Second, openCall(tc.path, tc.follow, RightFdRead))
		if e != ErrnoSuccess || err != nil {
			t.Fatalf("path_open %s for reading: errno %d, %v", tc.path, e, err)
		}
		fd := le.Uint32(g.c.mem[resPtr:])
		ctx, cancel := deadline()
		e, err = within("fd_read of a FIFO without a writer", time.Second, readCall(fd, ctx))
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("fd_read of a FIFO without a writer: errno %d, %v; want the deadline to end the guest", e, err)
		}
		g.call("fd_close", uint64(fd))
		// The write end without a reader waits for one until the deadline.
		e, err = within("path_open "+tc.path+" for writing", time.Second, openCall(tc.path, tc.follow, RightFdWrite))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("path_open %s for writing without a reader: errno %d, %v; want the deadline to end the guest", tc.path, e, err)
			if e == ErrnoSuccess {
				g.call("fd_close", uint64(le.Uint32(g.c.mem[resPtr:])))
			}
		}
	}

	// poll_oneoff waits on a FIFO: with no writer only the clock fires;
	// once data is there the read subscription does.
	e, _ := within("path_open for polling", time.Second, openCall("fifo", 0, RightFdRead|RightPollFdReadwrite))
	if e != ErrnoSuccess {
		t.Fatalf("path_open: errno %d", e)
	}
	pollFd := le.Uint32(g.c.mem[resPtr:])
	const subs, events = 2048, 4096
	poll := func() []uint64 {
		clear(g.c.mem[subs : subs+2*sizeSubscription])
		le.PutUint64(g.c.mem[subs:], 1) // userdata 1: the FIFO
		g.c.mem[subs+8] = eventtypeFdRead
		le.PutUint32(g.c.mem[subs+16:], pollFd)
		s := subs + sizeSubscription
		le.PutUint64(g.c.mem[s:], 2) // userdata 2: a 100 ms clock
		g.c.mem[s+8] = eventtypeClock
		le.PutUint32(g.c.mem[s+16:], clockMonotonic)
		le.PutUint64(g.c.mem[s+24:], uint64(100*time.Millisecond))
		if e := g.call("poll_oneoff", subs, events, 2, resPtr); e != ErrnoSuccess {
			t.Fatalf("poll_oneoff: errno %d", e)
		}
		var fired []uint64
		for i := range le.Uint32(g.c.mem[resPtr:]) {
			fired = append(fired, le.Uint64(g.c.mem[events+i*sizeEvent:]))
		}
		return fired
	}
	if fired := poll(); len(fired) != 1 || fired[0] != 2 {
		t.Errorf("poll_oneoff on a FIFO without a writer: fired %v, want only the clock [2]", fired)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("data"))
	if fired := poll(); len(fired) != 1 || fired[0] != 1 {
		t.Errorf("poll_oneoff on a FIFO with data: fired %v, want the FIFO [1]", fired)
	}
	w.Close()
	g.call("fd_close", uint64(pollFd))

	// With a writer, the reader gets the data, then end of file.
	e, _ = within("path_open for reading", time.Second, openCall("fifo", 0, RightFdRead))
	if e != ErrnoSuccess {
		t.Fatalf("path_open: errno %d", e)
	}
	fd := le.Uint32(g.c.mem[resPtr:])
	go func() {
		time.Sleep(100 * time.Millisecond)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.Write([]byte("hello"))
		w.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err = within("fd_read with a writer", 10*time.Second, readCall(fd, ctx))
	if n := le.Uint32(g.c.mem[resPtr:]); e != ErrnoSuccess || err != nil || string(g.c.mem[bufPtr:bufPtr+n]) != "hello" {
		t.Errorf("fd_read with a writer: errno %d, %v, %q", e, err, g.c.mem[bufPtr:bufPtr+n])
	}
	e, err = within("fd_read after the writer closed", time.Second, readCall(fd, ctx))
	if n := le.Uint32(g.c.mem[resPtr:]); e != ErrnoSuccess || err != nil || n != 0 {
		t.Errorf("fd_read after the writer closed: errno %d, %v, %d bytes; want end of file", e, err, n)
	}
	g.call("fd_close", uint64(fd))

	// With a reader, the write end opens and the data arrives.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	e, _ = within("path_open for writing with a reader", time.Second, openCall("fifo", 0, RightFdWrite))
	if e != ErrnoSuccess {
		t.Fatalf("path_open for writing with a reader: errno %d", e)
	}
	fd = le.Uint32(g.c.mem[resPtr:])
	copy(g.c.mem[bufPtr:], "abc")
	le.PutUint32(g.c.mem[iovPtr+4:], 3)
	if e := g.call("fd_write", uint64(fd), iovPtr, 1, resPtr); e != ErrnoSuccess {
		t.Errorf("fd_write to a FIFO: errno %d", e)
	}
	buf := make([]byte, 8)
	if n, _ := r.Read(buf); string(buf[:n]) != "abc" {
		t.Errorf("the reader got %q", buf[:n])
	}
	g.call("fd_close", uint64(fd))
}
