package p2

import (
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// wasi:io — streams, pollables and errors.

// maxRead caps one read: a guest asking for 4 GiB gets what fits here, so
// a request size never becomes a host allocation of that size.
const maxRead = 1 << 20

// writeBudget is what check-write grants: writes of up to this many bytes
// are accepted at once (they block the caller until written).
const writeBudget = 1 << 20

// streamError is a stream's failure: closed (end of stream) or a failed
// operation whose cause becomes an error resource.
type streamError struct {
	closed bool
	err    error
}

// ioError is the wasi:io/error resource.
type ioError struct{ err error }

// inputStream reads from stdin, a connection, or a file from an offset.
type inputStream struct {
	r        io.Reader
	file     *os.File // read-via-stream: read at offset
	offset   int64
	terminal bool
	done     bool // end of stream seen
}

func (s *inputStream) read(ctx context.Context, n uint64) ([]byte, *streamError) {
	if s.done {
		return nil, &streamError{closed: true}
	}
	n = min(n, maxRead)
	if n == 0 {
		return nil, nil
	}
	buf := make([]byte, n)
	var k int
	var err error
	if s.file != nil {
		k, err = s.file.ReadAt(buf, s.offset)
		s.offset += int64(k)
	} else {
		disarm := wasi.WakeOnDone(ctx, s.r, false)
		k, err = s.r.Read(buf)
		disarm()
	}
	if err == io.EOF {
		if k == 0 {
			s.done = true
			return nil, &streamError{closed: true}
		}
		err = nil
	}
	if err != nil && k == 0 {
		return nil, &streamError{err: err}
	}
	return buf[:k], nil
}

// skip reads and discards up to n bytes.
func (s *inputStream) skip(ctx context.Context, n uint64) (uint64, *streamError) {
	b, se := s.read(ctx, n)
	return uint64(len(b)), se
}

// outputStream writes to stdout/stderr, a connection, or a file at an
// offset (or at its end when appending).
type outputStream struct {
	w        io.Writer
	file     *os.File
	offset   int64
	append   bool
	terminal bool
	failed   *streamError // a failed write makes the stream closed for good
}

func (s *outputStream) write(ctx context.Context, b []byte) *streamError {
	if s.failed != nil {
		return &streamError{closed: true}
	}
	var err error
	switch {
	case s.file != nil && s.append:
		var st os.FileInfo
		if st, err = s.file.Stat(); err == nil {
			_, err = s.file.WriteAt(b, st.Size())
		}
	case s.file != nil:
		var k int
		k, err = s.file.WriteAt(b, s.offset)
		s.offset += int64(k)
	default:
		disarm := wasi.WakeOnDone(ctx, s.w, true)
		_, err = s.w.Write(b)
		disarm()
	}
	if err != nil {
		s.failed = &streamError{err: err}
		return s.failed
	}
	return nil
}

func (s *outputStream) flush() *streamError {
	if s.failed != nil {
		return &streamError{closed: true}
	}
	if s.file != nil {
		return nil
	}
	if f, ok := s.w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return &streamError{err: err}
		}
	}
	return nil
}

// pollable is what wasi:io/poll waits on: a monotonic deadline, a
// listening socket with a connection waiting, or nothing (always ready).
type pollable struct {
	clock    bool
	deadline int64 // monotonic nanoseconds
	accept   *tcpListener
}

func (h *Host) ready(p *pollable) bool {
	switch {
	case p.clock:
		return h.monotonic() >= p.deadline
	case p.accept != nil:
		return p.accept.waiting()
	}
	return true
}

// poll waits until at least one of ps is ready or ctx ends, and returns
// the indexes of the ready ones.
func (h *Host) poll(ctx context.Context, ps []*pollable) ([]uint32, error) {
	for {
		var ready []uint32
		for i, p := range ps {
			if h.ready(p) {
				ready = append(ready, uint32(i))
			}
		}
		if len(ready) > 0 {
			return ready, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Wait for the earliest deadline, a connection, or ctx.
		cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}}
		wait := time.Duration(-1)
		var owners []*tcpListener
		for _, p := range ps {
			switch {
			case p.clock:
				if d := time.Duration(p.deadline - h.monotonic()); wait < 0 || d < wait {
					wait = max(d, 0)
				}
			case p.accept != nil:
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(p.accept.arrivals())})
				owners = append(owners, p.accept)
			}
		}
		if wait >= 0 {
			t := time.NewTimer(wait)
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(t.C)})
			defer t.Stop()
		}
		if len(cases) == 1 {
			return nil, errors.New("wasi: poll on nothing that can become ready")
		}
		i, v, ok := reflect.Select(cases)
		if i > 0 && i <= len(owners) && ok {
			owners[i-1].hold(v.Interface().(acceptResult))
		}
	}
}
