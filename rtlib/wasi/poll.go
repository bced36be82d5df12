package wasi

import (
	"context"
	"math"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// subscription is one decoded poll_oneoff subscription.
type subscription struct {
	userdata uint64
	kind     uint8
	fd       uint32
	deadline int64 // clock: monotonic nanoseconds at which it fires
}

// event is one poll_oneoff result.
type event struct {
	userdata uint64
	errno    Errno
	kind     uint8
	nbytes   uint64
}

// pollOneoff implements poll_oneoff. Clock subscriptions fire at their
// deadline; fd subscriptions on files, directories and stdio are always
// ready (their reads and writes do not wait on the poll), and on sockets
// and FIFOs they wait for the host descriptor to become ready. It returns
// the context's error if the context ends while waiting.
func (w *WASI) pollOneoff(ctx context.Context, m memory, a []uint64) (Errno, error) {
	in, out, n, neventsPtr := uint32(a[0]), uint32(a[1]), uint32(a[2]), uint32(a[3])
	if n == 0 {
		return ErrnoInval, nil
	}
	if uint64(n)*sizeSubscription > uint64(len(m)) {
		return ErrnoFault, nil
	}
	subsMem, errno := m.slice(in, n*sizeSubscription)
	if errno != ErrnoSuccess {
		return errno, nil
	}
	if _, errno := m.slice(out, n*sizeEvent); errno != ErrnoSuccess {
		return errno, nil
	}
	if _, errno := m.slice(neventsPtr, 4); errno != ErrnoSuccess {
		return errno, nil
	}

	var events []event
	var clocks, sockets []subscription
	var pollFds []unix.PollFd
	for i := range n {
		s := subsMem[i*sizeSubscription : (i+1)*sizeSubscription]
		sub := subscription{userdata: le.Uint64(s), kind: s[8]}
		switch sub.kind {
		case eventtypeClock:
			deadline, errno := w.deadline(le.Uint32(s[16:]), le.Uint64(s[24:]), le.Uint16(s[40:]))
			if errno != ErrnoSuccess {
				events = append(events, event{userdata: sub.userdata, errno: errno, kind: sub.kind})
				continue
			}
			sub.deadline = deadline
			clocks = append(clocks, sub)
		case eventtypeFdRead, eventtypeFdWrite:
			sub.fd = le.Uint32(s[16:])
			ev, pfd, ready := w.fdReadiness(sub)
			if ready {
				events = append(events, ev)
				continue
			}
			sockets = append(sockets, sub)
			pollFds = append(pollFds, pfd)
		default:
			events = append(events, event{userdata: sub.userdata, errno: ErrnoInval, kind: sub.kind})
		}
	}

	if len(events) == 0 {
		var err error
		if events, err = w.wait(ctx, clocks, sockets, pollFds); err != nil {
			return ErrnoSuccess, err
		}
	}
	for i, ev := range events {
		b := m[out+uint32(i)*sizeEvent:][:sizeEvent]
		clear(b)
		le.PutUint64(b, ev.userdata)
		le.PutUint16(b[8:], uint16(ev.errno))
		b[10] = ev.kind
		le.PutUint64(b[16:], ev.nbytes)
	}
	return m.writeU32(neventsPtr, uint32(len(events))), nil
}

// deadline converts a clock subscription into a monotonic deadline.
func (w *WASI) deadline(id uint32, timeout uint64, flags uint16) (int64, Errno) {
	now, errno := w.clock(id)
	if errno != ErrnoSuccess {
		return 0, errno
	}
	rel := timeout
	if flags&subclockAbstime != 0 {
		rel = 0
		if timeout > now {
			rel = timeout - now
		}
	}
	if rel > math.MaxInt64/2 {
		rel = math.MaxInt64 / 2
	}
	return w.monotonic() + int64(rel), ErrnoSuccess
}

// fdReadiness answers an fd subscription at once, or returns the host
// descriptor to poll for a socket or FIFO.
func (w *WASI) fdReadiness(sub subscription) (event, unix.PollFd, bool) {
	ev := event{userdata: sub.userdata, kind: sub.kind}
	need := RightFdRead
	if sub.kind == eventtypeFdWrite {
		need = RightFdWrite
	}
	e := w.fds.lookup(sub.fd)
	if e != nil && e.kind == kindListener && sub.kind == eventtypeFdRead {
		need = RightSockAccept
	}
	e, ev.errno = w.fds.get(sub.fd, need|RightPollFdReadwrite)
	if ev.errno != ErrnoSuccess {
		return ev, unix.PollFd{}, true
	}
	pfd := unix.PollFd{Fd: -1, Events: unix.POLLIN}
	if sub.kind == eventtypeFdWrite {
		pfd.Events = unix.POLLOUT
	}
	var sock any
	switch {
	case e.fifo:
		pfd.Fd = int32(e.hostFd())
		return ev, pfd, false
	case e.kind == kindFile:
		if sub.kind == eventtypeFdRead {
			var st unix.Stat_t
			if pos, err := unix.Seek(e.hostFd(), 0, 1); err == nil && unix.Fstat(e.hostFd(), &st) == nil && st.Size > pos {
				ev.nbytes = uint64(st.Size - pos)
			}
		}
		return ev, unix.PollFd{}, true
	case e.kind == kindListener:
		sock = e.ln
	case e.kind == kindConn:
		sock = e.conn
	default:
		return ev, unix.PollFd{}, true
	}
	rc, ok := rawConn(sock)
	if !ok {
		return ev, unix.PollFd{}, true
	}
	rc.Control(func(fd uintptr) { pfd.Fd = int32(fd) })
	return ev, pfd, false
}

// wait blocks until a socket is ready, a clock fires or ctx ends. It
// polls in slices of at most pollSlice so that cancellation is noticed.
func (w *WASI) wait(ctx context.Context, clocks, sockets []subscription, pollFds []unix.PollFd) ([]event, error) {
	for {
		var events []event
		now := w.monotonic()
		next := int64(math.MaxInt64)
		for _, c := range clocks {
			if c.deadline <= now {
				events = append(events, event{userdata: c.userdata, kind: eventtypeClock})
			}
			next = min(next, c.deadline-now)
		}
		if len(events) > 0 {
			return events, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sleep := min(time.Duration(next), pollSlice)
		if len(pollFds) == 0 {
			if len(clocks) == 0 {
				return nil, nil
			}
			t := time.NewTimer(sleep)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
			continue
		}
		ready, err := unix.Poll(pollFds, int(sleep.Milliseconds()))
		if err != nil && err != syscall.EINTR {
			return nil, err
		}
		if ready > 0 {
			for i, p := range pollFds {
				if p.Revents == 0 {
					continue
				}
				ev := event{userdata: sockets[i].userdata, kind: sockets[i].kind}
				if p.Revents&(unix.POLLERR|unix.POLLNVAL) != 0 && p.Revents&(unix.POLLIN|unix.POLLOUT) == 0 {
					ev.errno = ErrnoIo
				}
				events = append(events, ev)
			}
			return events, nil
		}
	}
}
