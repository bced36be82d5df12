package wasi

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// callCtx invokes fn under ctx and returns the errno it answered and the
// error that would end the guest.
func callCtx(ctx context.Context, w *WASI, c *fakeCaller, fn string, args ...uint64) (Errno, error) {
	hf := w.Imports()[fn]
	stack := make([]uint64, max(len(args), 1))
	copy(stack, args)
	err := hf.Fn(ctx, c, stack)
	return Errno(stack[0]), err
}

type outcome struct {
	errno Errno
	err   error
}

// TestBlockedReadEndsWithContext: a guest blocked reading a stream that
// never delivers (a pipe whose writer stays silent) must get control back
// when its context ends, with the context's error ending the guest, and
// the stream must stay usable afterwards.
func TestBlockedReadEndsWithContext(t *testing.T) {
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer wr.Close()
	w, err := New(Config{Stdin: r})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &fakeCaller{mem: make([]byte, 256)}
	// iovec at 0: buffer 64..128; nread at 16.
	binary.LittleEndian.PutUint32(c.mem[0:], 64)
	binary.LittleEndian.PutUint32(c.mem[4:], 64)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan outcome, 1)
	go func() {
		errno, err := callCtx(ctx, w, c, "fd_read", 0, 0, 1, 16)
		done <- outcome{errno, err}
	}()
	cancel()
	if got := <-done; got.errno != ErrnoAgain || !errors.Is(got.err, context.Canceled) {
		t.Errorf("fd_read after cancellation = %v, %v; want %v, %v", got.errno, got.err, ErrnoAgain, context.Canceled)
	}

	// The deadline was cleared: the next read gets the data.
	if _, err := wr.Write([]byte("later")); err != nil {
		t.Fatal(err)
	}
	if errno, err := callCtx(context.Background(), w, c, "fd_read", 0, 0, 1, 16); errno != ErrnoSuccess || err != nil {
		t.Fatalf("fd_read = %v, %v", errno, err)
	}
	if n := binary.LittleEndian.Uint32(c.mem[16:]); string(c.mem[64:64+n]) != "later" {
		t.Errorf("read %q, want %q", c.mem[64:64+n], "later")
	}
}

// TestBlockedAcceptEndsWithContext: sock_accept on a listener nobody
// connects to returns when the context's deadline passes.
func TestBlockedAcceptEndsWithContext(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Config{Listeners: []net.Listener{l}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &fakeCaller{mem: make([]byte, 64)}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if errno, err := callCtx(ctx, w, c, "sock_accept", 3, 0, 0); errno != ErrnoAgain || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("sock_accept with nobody connecting = %v, %v; want %v, %v", errno, err, ErrnoAgain, context.DeadlineExceeded)
	}
}
