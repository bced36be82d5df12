package wasi

import (
	"context"
	"io"
	"math"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The fd_* functions.

func (w *WASI) fdClose(_ context.Context, _ memory, a []uint64) Errno {
	fd := uint32(a[0])
	e := w.fds.lookup(fd)
	if e == nil {
		return ErrnoBadf
	}
	w.fds.entries[fd] = nil
	if e.kind == kindStream {
		return ErrnoSuccess
	}
	return errnoOf(e.close())
}

func (w *WASI) fdRenumber(_ context.Context, _ memory, a []uint64) Errno {
	from, to := uint32(a[0]), uint32(a[1])
	src, dst := w.fds.lookup(from), w.fds.lookup(to)
	if src == nil || dst == nil {
		return ErrnoBadf
	}
	if from == to {
		return ErrnoSuccess
	}
	if dst.kind != kindStream {
		dst.close()
	}
	w.fds.entries[to], w.fds.entries[from] = src, nil
	return ErrnoSuccess
}

func (w *WASI) fdFdstatGet(_ context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), 0)
	if errno != ErrnoSuccess {
		return errno
	}
	b, errno := m.slice(uint32(a[1]), sizeFdstat)
	if errno != ErrnoSuccess {
		return errno
	}
	clear(b)
	b[0] = e.filetype
	le.PutUint16(b[2:], e.flags)
	le.PutUint64(b[8:], uint64(e.base))
	le.PutUint64(b[16:], uint64(e.inherit))
	return ErrnoSuccess
}

func (w *WASI) fdFdstatSetFlags(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdFdstatSetFlags)
	if errno != ErrnoSuccess {
		return errno
	}
	flags := uint16(a[1])
	if flags&^(fdflagAppend|fdflagDsync|fdflagNonblock|fdflagRsync|fdflagSync) != 0 {
		return ErrnoInval
	}
	if e.kind == kindFile && (flags^e.flags)&fdflagAppend != 0 {
		if e.readOnly {
			return ErrnoRofs
		}
		hostFlags, err := unix.FcntlInt(uintptr(e.hostFd()), unix.F_GETFL, 0)
		if err == nil {
			hostFlags ^= unix.O_APPEND
			_, err = unix.FcntlInt(uintptr(e.hostFd()), unix.F_SETFL, hostFlags)
		}
		if err != nil {
			return errnoOf(err)
		}
	}
	e.flags = flags
	return ErrnoSuccess
}

func (w *WASI) fdFdstatSetRights(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), 0)
	if errno != ErrnoSuccess {
		return errno
	}
	base, inherit := Rights(a[1]), Rights(a[2])
	if base&^e.base != 0 || inherit&^e.inherit != 0 {
		return ErrnoNotcapable // rights may only shrink
	}
	e.base, e.inherit = base, inherit
	return ErrnoSuccess
}

// writeFilestat stores a host stat as a WASI filestat.
func writeFilestat(m memory, ptr uint32, st *unix.Stat_t) Errno {
	b, e := m.slice(ptr, sizeFilestat)
	if e != ErrnoSuccess {
		return e
	}
	clear(b)
	le.PutUint64(b[0:], st.Dev)
	le.PutUint64(b[8:], st.Ino)
	b[16] = filetypeOf(st.Mode)
	le.PutUint64(b[24:], uint64(st.Nlink))
	le.PutUint64(b[32:], uint64(st.Size))
	le.PutUint64(b[40:], uint64(st.Atim.Nano()))
	le.PutUint64(b[48:], uint64(st.Mtim.Nano()))
	le.PutUint64(b[56:], uint64(st.Ctim.Nano()))
	return ErrnoSuccess
}

func (w *WASI) fdFilestatGet(_ context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdFilestatGet)
	if errno != ErrnoSuccess {
		return errno
	}
	var st unix.Stat_t
	switch e.kind {
	case kindFile, kindDir:
		if err := unix.Fstat(e.hostFd(), &st); err != nil {
			return errnoOf(err)
		}
	default:
		// Streams and sockets reveal nothing of the host but their type.
		b, errno := m.slice(uint32(a[1]), sizeFilestat)
		if errno == ErrnoSuccess {
			clear(b)
			b[16] = e.filetype
		}
		return errno
	}
	return writeFilestat(m, uint32(a[1]), &st)
}

func (w *WASI) fdFilestatSetSize(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdFilestatSetSize)
	if errno != ErrnoSuccess {
		return errno
	}
	switch {
	case e.kind == kindDir:
		return ErrnoIsdir
	case e.kind != kindFile:
		return ErrnoInval
	case e.readOnly:
		return ErrnoRofs
	case a[1] > math.MaxInt64:
		return ErrnoFbig
	}
	return errnoOf(e.file.Truncate(int64(a[1])))
}

// timespecs turns WASI set-times arguments into utimensat timespecs.
func timespecs(atim, mtim uint64, flags uint16) ([]unix.Timespec, Errno) {
	if flags&^(fstAtim|fstAtimNow|fstMtim|fstMtimNow) != 0 ||
		flags&(fstAtim|fstAtimNow) == fstAtim|fstAtimNow ||
		flags&(fstMtim|fstMtimNow) == fstMtim|fstMtimNow {
		return nil, ErrnoInval
	}
	pick := func(t uint64, set, now uint16) unix.Timespec {
		switch {
		case flags&set != 0:
			return unix.NsecToTimespec(int64(t))
		case flags&now != 0:
			return unix.Timespec{Nsec: unix.UTIME_NOW}
		}
		return unix.Timespec{Nsec: unix.UTIME_OMIT}
	}
	return []unix.Timespec{pick(atim, fstAtim, fstAtimNow), pick(mtim, fstMtim, fstMtimNow)}, ErrnoSuccess
}

func (w *WASI) fdFilestatSetTimes(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdFilestatSetTimes)
	if errno != ErrnoSuccess {
		return errno
	}
	ts, errno := timespecs(a[1], a[2], uint16(a[3]))
	if errno != ErrnoSuccess {
		return errno
	}
	if e.kind != kindFile && e.kind != kindDir {
		return ErrnoInval
	}
	if e.readOnly {
		return ErrnoRofs
	}
	return errnoOf(futimens(e.hostFd(), ts))
}

// futimens sets the times of an open file (utimensat with a NULL path).
func futimens(fd int, ts []unix.Timespec) error {
	_, _, en := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if en != 0 {
		return en
	}
	return nil
}

func (w *WASI) fdAdvise(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdAdvise)
	if errno != ErrnoSuccess {
		return errno
	}
	advice := uint8(a[3])
	if advice > 5 {
		return ErrnoInval
	}
	if e.kind == kindDir {
		return ErrnoBadf
	}
	if e.kind != kindFile {
		return ErrnoSpipe
	}
	// WASI advice numbers equal POSIX_FADV_* on Linux; advice is a hint,
	// so a host that ignores it is not an error.
	unix.Fadvise(e.hostFd(), int64(a[1]), int64(a[2]), int(advice))
	return ErrnoSuccess
}

func (w *WASI) fdAllocate(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdAllocate)
	if errno != ErrnoSuccess {
		return errno
	}
	switch {
	case e.kind == kindDir:
		return ErrnoBadf
	case e.kind != kindFile:
		return ErrnoSpipe
	case e.readOnly:
		return ErrnoRofs
	case a[1] > math.MaxInt64 || a[2] > math.MaxInt64 || a[1]+a[2] > math.MaxInt64:
		return ErrnoFbig
	}
	return errnoOf(unix.Fallocate(e.hostFd(), 0, int64(a[1]), int64(a[2])))
}

func (w *WASI) fdSync(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdSync)
	if errno != ErrnoSuccess {
		return errno
	}
	if e.kind != kindFile && e.kind != kindDir {
		return ErrnoInval
	}
	return errnoOf(unix.Fsync(e.hostFd()))
}

func (w *WASI) fdDatasync(_ context.Context, _ memory, a []uint64) Errno {
	e, errno := w.fds.get(uint32(a[0]), RightFdDatasync)
	if errno != ErrnoSuccess {
		return errno
	}
	if e.kind != kindFile && e.kind != kindDir {
		return ErrnoInval
	}
	return errnoOf(unix.Fdatasync(e.hostFd()))
}

func (w *WASI) fdSeek(_ context.Context, m memory, a []uint64) Errno {
	offset, whence := int64(a[1]), int(uint8(a[2]))
	return w.seek(m, uint32(a[0]), offset, whence, uint32(a[3]), offset == 0 && whence == whenceCur)
}

func (w *WASI) fdTell(_ context.Context, m memory, a []uint64) Errno {
	return w.seek(m, uint32(a[0]), 0, whenceCur, uint32(a[1]), true)
}

// seek moves (or with tell only reports) a file's offset. Directories
// have no offset (ErrnoBadf), streams and sockets cannot seek
// (ErrnoSpipe). Moving needs fd_seek; reporting needs fd_tell or fd_seek,
// which implies it.
func (w *WASI) seek(m memory, fd uint32, offset int64, whence int, resultPtr uint32, tell bool) Errno {
	need := RightFdSeek
	if e := w.fds.lookup(fd); e != nil {
		if e.kind != kindFile && e.kind != kindDir {
			return ErrnoSpipe
		}
		if tell && e.base&RightFdSeek == 0 {
			need = RightFdTell
		}
	}
	e, errno := w.fds.file(fd, need)
	if errno != ErrnoSuccess {
		return errno
	}
	if whence != whenceSet && whence != whenceCur && whence != whenceEnd {
		return ErrnoInval
	}
	if _, errno := m.slice(resultPtr, 8); errno != ErrnoSuccess {
		return errno
	}
	pos, err := unix.Seek(e.hostFd(), offset, whence) // WASI whence values equal SEEK_*
	if err != nil {
		return errnoOf(err)
	}
	return m.writeU64(resultPtr, uint64(pos))
}

func (w *WASI) fdRead(ctx context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.file(uint32(a[0]), RightFdRead)
	if errno != ErrnoSuccess {
		return errno
	}
	bufs, errno := m.iovecs(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(uint32(a[3]), 4); errno != ErrnoSuccess {
		return errno
	}
	var n int
	var err error
	switch {
	case e.fifo:
		n, err = e.fifoIO(ctx, unix.POLLIN, func(fd int) (int, error) { return unix.Readv(fd, bufs) })
	case e.kind == kindFile:
		n, err = retryEINTR(func() (int, error) { return unix.Readv(e.hostFd(), bufs) })
	case e.kind == kindStream:
		disarm := unblockOnDone(ctx, readDeadline(e.r))
		n, err = readOnce(e.r, bufs)
		disarm()
	case e.kind == kindConn:
		disarm := unblockOnDone(ctx, readDeadline(e.conn))
		n, err = e.connRead(firstNonEmpty(bufs))
		disarm()
	default:
		return ErrnoBadf
	}
	if err != nil && err != io.EOF {
		return errnoOf(err)
	}
	return m.writeU32(uint32(a[3]), uint32(n))
}

func (w *WASI) fdPread(_ context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.file(uint32(a[0]), RightFdRead|RightFdSeek)
	if errno != ErrnoSuccess {
		return errno
	}
	if e.kind != kindFile {
		return ErrnoSpipe
	}
	bufs, errno := m.iovecs(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	if a[3] > math.MaxInt64 {
		return ErrnoInval
	}
	if _, errno := m.slice(uint32(a[4]), 4); errno != ErrnoSuccess {
		return errno
	}
	n, err := retryEINTR(func() (int, error) { return unix.Preadv(e.hostFd(), bufs, int64(a[3])) })
	if err != nil {
		return errnoOf(err)
	}
	return m.writeU32(uint32(a[4]), uint32(n))
}

func (w *WASI) fdWrite(ctx context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.file(uint32(a[0]), RightFdWrite)
	if errno != ErrnoSuccess {
		return errno
	}
	bufs, errno := m.iovecs(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(uint32(a[3]), 4); errno != ErrnoSuccess {
		return errno
	}
	var n int
	var err error
	switch {
	case e.fifo:
		n, err = e.fifoIO(ctx, unix.POLLOUT, func(fd int) (int, error) { return unix.Writev(fd, bufs) })
	case e.kind == kindFile:
		n, err = retryEINTR(func() (int, error) { return unix.Writev(e.hostFd(), bufs) })
	case e.kind == kindStream:
		disarm := unblockOnDone(ctx, writeDeadline(e.w))
		n, err = e.w.Write(m.concat(bufs))
		disarm()
	case e.kind == kindConn:
		disarm := unblockOnDone(ctx, writeDeadline(e.conn))
		n, err = e.conn.Write(m.concat(bufs))
		disarm()
	default:
		return ErrnoBadf
	}
	if err != nil && n == 0 {
		return errnoOf(err)
	}
	return m.writeU32(uint32(a[3]), uint32(n))
}

func (w *WASI) fdPwrite(_ context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.file(uint32(a[0]), RightFdWrite|RightFdSeek)
	if errno != ErrnoSuccess {
		return errno
	}
	if e.kind != kindFile {
		return ErrnoSpipe
	}
	bufs, errno := m.iovecs(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	if a[3] > math.MaxInt64 {
		return ErrnoInval
	}
	if _, errno := m.slice(uint32(a[4]), 4); errno != ErrnoSuccess {
		return errno
	}
	n, err := retryEINTR(func() (int, error) { return unix.Pwritev(e.hostFd(), bufs, int64(a[3])) })
	if err != nil {
		return errnoOf(err)
	}
	return m.writeU32(uint32(a[4]), uint32(n))
}

func (w *WASI) fdPrestatGet(_ context.Context, m memory, a []uint64) Errno {
	e := w.fds.lookup(uint32(a[0]))
	if e == nil || e.preopen == "" {
		return ErrnoBadf
	}
	b, errno := m.slice(uint32(a[1]), sizePrestat)
	if errno != ErrnoSuccess {
		return errno
	}
	clear(b)
	le.PutUint32(b[4:], uint32(len(e.preopen))) // tag 0: preopentype dir
	return ErrnoSuccess
}

func (w *WASI) fdPrestatDirName(_ context.Context, m memory, a []uint64) Errno {
	e := w.fds.lookup(uint32(a[0]))
	if e == nil || e.preopen == "" {
		return ErrnoBadf
	}
	b, errno := m.slice(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	if len(b) < len(e.preopen) {
		return ErrnoNametoolong
	}
	copy(b, e.preopen)
	return ErrnoSuccess
}

// readOnce reads once into the first non-empty buffer: a stream may block
// indefinitely, so it must not be asked for more than one read.
func readOnce(r io.Reader, bufs [][]byte) (int, error) {
	b := firstNonEmpty(bufs)
	if b == nil {
		return 0, nil
	}
	return r.Read(b)
}

func firstNonEmpty(bufs [][]byte) []byte {
	for _, b := range bufs {
		if len(b) > 0 {
			return b
		}
	}
	return nil
}

func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
