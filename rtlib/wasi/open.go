package wasi

import (
	"context"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pathOpen implements path_open. The host open mode follows the requested
// rights: any of fd_write, fd_datasync or fd_allocate (or fdflags APPEND)
// opens for writing; fd_read or fd_readdir (or nothing) opens for
// reading. A directory is opened for reading only: asking to write one
// answers ErrnoIsdir.
//
// Rights: the directory needs path_open, path_create_file with CREAT, and
// with TRUNC either path_filestat_set_size or the new descriptor's
// fd_filestat_set_size (which could truncate it right after the open
// anyway; Go's wasip1 port opens directories without the path right and
// truncates files under them). The new descriptor gets the requested
// rights intersected with the directory's inheriting rights; the sync
// fdflags need fd_datasync (DSYNC) or fd_sync (SYNC, RSYNC) among them.
//
// Trailing slash: the path must name a directory; CREAT answers
// ErrnoIsdir, and a final symbolic link is followed (inside the
// descriptor) as POSIX follows "link/".
//
// The host open never blocks: it is made with O_NONBLOCK, which stays set
// only on a FIFO (whose reads and writes then wait in poll, where the
// context reaches them). Opening a FIFO's write end while it has no
// reader is retried until a reader comes or the context ends, as a
// blocking open would wait.
func (w *WASI) pathOpen(ctx context.Context, m memory, a []uint64) Errno {
	dirFlags, oflags := uint32(a[1]), uint16(a[4])
	base, inherit, fdflags, resultPtr := Rights(a[5]), Rights(a[6]), uint16(a[7]), uint32(a[8])
	need := RightPathOpen
	if oflags&oflagCreat != 0 {
		need |= RightPathCreateFile
	}
	d, errno := w.fds.dir(uint32(a[0]), need)
	if errno != ErrnoSuccess {
		return errno
	}
	if oflags&^(oflagCreat|oflagDirectory|oflagExcl|oflagTrunc) != 0 ||
		fdflags&^(fdflagAppend|fdflagDsync|fdflagNonblock|fdflagRsync|fdflagSync) != 0 ||
		oflags&oflagDirectory != 0 && oflags&(oflagCreat|oflagExcl|oflagTrunc) != 0 {
		return ErrnoInval
	}
	granted := base & d.inherit
	if oflags&oflagTrunc != 0 && d.base&RightPathFilestatSetSize == 0 && granted&RightFdFilestatSetSize == 0 ||
		fdflags&fdflagDsync != 0 && granted&RightFdDatasync == 0 ||
		fdflags&(fdflagSync|fdflagRsync) != 0 && granted&RightFdSync == 0 {
		return ErrnoNotcapable
	}
	p, errno := guestPath(m, uint32(a[2]), uint32(a[3]))
	if errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(resultPtr, 4); errno != ErrnoSuccess {
		return errno
	}
	writing := base&writeModeRights != 0 || fdflags&fdflagAppend != 0
	reading := base&readModeRights != 0 || !writing
	if d.readOnly && (writing || oflags&(oflagCreat|oflagTrunc) != 0) {
		return ErrnoRofs
	}
	slash := strings.HasSuffix(p, "/")
	if slash && oflags&oflagCreat != 0 {
		return ErrnoIsdir // POSIX: open("name/", O_CREAT)
	}

	flags := syscall.O_CLOEXEC | syscall.O_NONBLOCK
	switch {
	case reading && writing:
		flags |= syscall.O_RDWR
	case writing:
		flags |= syscall.O_WRONLY
	}
	for _, f := range [...]struct {
		wasi uint16
		host int
	}{{oflagCreat, syscall.O_CREAT}, {oflagExcl, syscall.O_EXCL}, {oflagTrunc, syscall.O_TRUNC}, {oflagDirectory, syscall.O_DIRECTORY}} {
		if oflags&f.wasi != 0 {
			flags |= f.host
		}
	}
	for _, f := range [...]struct {
		wasi uint16
		host int
	}{{fdflagAppend, syscall.O_APPEND}, {fdflagDsync, syscall.O_DSYNC}, {fdflagSync, syscall.O_SYNC}, {fdflagRsync, syscall.O_RSYNC}} {
		if fdflags&f.wasi != 0 {
			flags |= f.host
		}
	}
	if slash {
		flags |= syscall.O_DIRECTORY
	}

	follow := dirFlags&lookupSymlinkFollow != 0 || slash
	f, errno := openHost(ctx, d, p, flags, follow)
	if errno != ErrnoSuccess {
		return errno
	}

	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return errnoOf(err)
	}
	fifo := st.Mode&unix.S_IFMT == unix.S_IFIFO
	if !fifo {
		if err := setNonblock(f, false); err != nil {
			f.Close()
			return errnoOf(err)
		}
	}
	var e *fdEntry
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		f.Close()
		if writing {
			return ErrnoIsdir
		}
		// A directory descriptor gets its own root, so paths under it are
		// confined to it.
		root, err := d.root.OpenRoot(strings.TrimRight(p, "/"))
		if err != nil {
			return errnoOf(err)
		}
		if e, err = newDir(root, d.readOnly); err != nil {
			return errnoOf(err)
		}
		e.base &= granted
		e.inherit &= inherit & d.inherit
	} else {
		rights := granted & fileRights
		if !reading {
			rights &^= RightFdRead
		}
		if !writing {
			rights &^= RightFdWrite
		}
		e = newFile(f, filetypeOf(st.Mode), rights, fdflags, d.readOnly)
		e.fifo = fifo
	}
	e.flags = fdflags
	return m.writeU32(resultPtr, w.fds.add(e))
}

// openHost opens p under d with the host flags (which include
// O_NONBLOCK): following a final symbolic link inside d's root, or
// without following it. ENXIO from a FIFO without a reader is retried
// every few milliseconds until the context ends (ErrnoAgain then, which
// ends the guest).
func openHost(ctx context.Context, d *fdEntry, p string, flags int, follow bool) (*os.File, Errno) {
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		f, errno := openOnce(d, p, flags, follow)
		if errno != ErrnoNxio || !isFifo(d, p, follow) {
			return f, errno
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ErrnoAgain
		case <-t.C:
		}
	}
}

func openOnce(d *fdEntry, p string, flags int, follow bool) (*os.File, Errno) {
	if follow {
		f, err := d.root.OpenFile(p, flags, 0o666)
		return f, errnoOf(err)
	}
	t, errno := d.resolve(p)
	if errno != ErrnoSuccess {
		return nil, errno
	}
	defer t.release()
	hfd, err := retryEINTR(func() (int, error) { return unix.Openat(t.dirfd, t.base, flags|syscall.O_NOFOLLOW, 0o666) })
	if err != nil {
		return nil, errnoOf(err)
	}
	return os.NewFile(uintptr(hfd), p), ErrnoSuccess
}

// isFifo reports whether p under d names a FIFO.
func isFifo(d *fdEntry, p string, follow bool) bool {
	stat := d.root.Lstat
	if follow {
		stat = d.root.Stat
	}
	fi, err := stat(p)
	return err == nil && fi.Mode()&os.ModeNamedPipe != 0
}

// setNonblock sets or clears O_NONBLOCK on an open host file.
func setNonblock(f *os.File, on bool) error {
	return unix.SetNonblock(int(f.Fd()), on)
}
