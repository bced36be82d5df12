package wasi

import (
	"context"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Sockets: only listeners granted in Config.Listeners and the connections
// accepted from them exist; WASI preview1 cannot create or connect sockets.

// rawConn returns the host descriptor access of a socket, if it has one
// (TCP and Unix sockets do).
func rawConn(v any) (syscall.RawConn, bool) {
	sc, ok := v.(syscall.Conn)
	if !ok {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	return rc, err == nil
}

// rawRead runs op on the host descriptor of v. With block set it waits
// through Go's poller while op reports EAGAIN; otherwise EAGAIN is
// returned to the guest.
func rawRead(rc syscall.RawConn, block bool, op func(fd int) (int, error)) (n int, err error) {
	cerr := rc.Read(func(fd uintptr) bool {
		n, err = op(int(fd))
		return !(block && err == syscall.EAGAIN)
	})
	if err == nil {
		err = cerr
	}
	if n < 0 {
		n = 0
	}
	return n, err
}

// connRead reads once from a connection into b, honouring NONBLOCK.
func (e *fdEntry) connRead(b []byte) (int, error) {
	return e.connRecv(b, 0)
}

func (e *fdEntry) connRecv(b []byte, hostFlags int) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	block := e.flags&fdflagNonblock == 0
	if rc, ok := rawConn(e.conn); ok {
		return rawRead(rc, block, func(fd int) (int, error) {
			n, _, err := unix.Recvfrom(fd, b, hostFlags|unix.MSG_DONTWAIT)
			return n, err
		})
	}
	if hostFlags != 0 {
		return 0, syscall.ENOTSUP
	}
	n, err := e.conn.Read(b)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (w *WASI) sockAccept(ctx context.Context, m memory, a []uint64) Errno {
	fd, flags, resultPtr := uint32(a[0]), uint16(a[1]), uint32(a[2])
	if e := w.fds.lookup(fd); e != nil && e.kind != kindListener {
		return ErrnoNotsock
	}
	e, errno := w.fds.get(fd, RightSockAccept)
	if errno != ErrnoSuccess {
		return errno
	}
	if flags&^fdflagNonblock != 0 {
		return ErrnoInval
	}
	if _, errno := m.slice(resultPtr, 4); errno != ErrnoSuccess {
		return errno
	}
	var conn net.Conn
	rc, raw := rawConn(e.ln)
	if e.flags&fdflagNonblock != 0 && raw {
		nfd, err := rawRead(rc, false, func(fd int) (int, error) {
			nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
			return nfd, err
		})
		if err != nil {
			return errnoOf(err)
		}
		f := os.NewFile(uintptr(nfd), "accepted")
		conn, err = net.FileConn(f)
		f.Close()
		if err != nil {
			return errnoOf(err)
		}
	} else {
		var err error
		disarm := unblockOnDone(ctx, acceptDeadline(e.ln))
		conn, err = e.ln.Accept()
		disarm()
		if err != nil {
			return errnoOf(err)
		}
	}
	return m.writeU32(resultPtr, w.fds.add(newConn(conn, flags)))
}

// conn returns the connection behind fd.
func (w *WASI) conn(fd uint32, need Rights) (*fdEntry, Errno) {
	if e := w.fds.lookup(fd); e != nil && e.kind != kindConn {
		return nil, ErrnoNotsock
	}
	return w.fds.get(fd, need)
}

func (w *WASI) sockRecv(ctx context.Context, m memory, a []uint64) Errno {
	e, errno := w.conn(uint32(a[0]), RightFdRead)
	if errno != ErrnoSuccess {
		return errno
	}
	bufs, errno := m.iovecs(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	riFlags := uint16(a[3])
	if riFlags&^(riflagRecvPeek|riflagRecvWaitall) != 0 {
		return ErrnoInval
	}
	if _, errno := m.slice(uint32(a[4]), 4); errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(uint32(a[5]), 2); errno != ErrnoSuccess {
		return errno
	}
	hostFlags := 0
	if riFlags&riflagRecvPeek != 0 {
		hostFlags |= unix.MSG_PEEK
	}
	defer unblockOnDone(ctx, readDeadline(e.conn))()
	total := 0
	for _, b := range bufs {
		for len(b) > 0 {
			n, err := e.connRecv(b, hostFlags)
			if err != nil {
				if total > 0 {
					break
				}
				return errnoOf(err)
			}
			total += n
			b = b[n:]
			if n == 0 || riFlags&riflagRecvWaitall == 0 || hostFlags != 0 {
				break
			}
		}
		if len(b) > 0 {
			break // short read: the remaining buffers stay empty
		}
	}
	if errno := m.writeU32(uint32(a[4]), uint32(total)); errno != ErrnoSuccess {
		return errno
	}
	s, _ := m.slice(uint32(a[5]), 2)
	le.PutUint16(s, 0)
	return ErrnoSuccess
}

func (w *WASI) sockSend(ctx context.Context, m memory, a []uint64) Errno {
	e, errno := w.conn(uint32(a[0]), RightFdWrite)
	if errno != ErrnoSuccess {
		return errno
	}
	bufs, errno := m.iovecs(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(uint32(a[4]), 4); errno != ErrnoSuccess {
		return errno
	}
	disarm := unblockOnDone(ctx, writeDeadline(e.conn))
	n, err := e.conn.Write(m.concat(bufs))
	disarm()
	if err != nil && n == 0 {
		return errnoOf(err)
	}
	return m.writeU32(uint32(a[4]), uint32(n))
}

func (w *WASI) sockShutdown(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.conn(uint32(a[0]), RightSockShutdown)
	if errno != ErrnoSuccess {
		return errno
	}
	how := uint8(a[1])
	if how == 0 || how&^(sdflagRd|sdflagWr) != 0 {
		return ErrnoInval
	}
	type halfCloser interface {
		CloseRead() error
		CloseWrite() error
	}
	hc, ok := e.conn.(halfCloser)
	if !ok {
		return ErrnoNotsup
	}
	if how&sdflagRd != 0 {
		if err := hc.CloseRead(); err != nil {
			return errnoOf(err)
		}
	}
	if how&sdflagWr != 0 {
		return errnoOf(hc.CloseWrite())
	}
	return ErrnoSuccess
}
