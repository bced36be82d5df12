package p2

import (
	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// wasi:filesystem operations on descriptors, shared by the lowered
// functions and the component binding: every capability check is here or
// in fs.go, once.

// pathOp acts on path p beneath the mutable directory d without following
// its last component (checkSlash: a trailing slash needs a directory).
func (d *descriptor) pathOp(p string, op func(t *wasi.Resolved) error, checkSlash bool) wasi.Errno {
	if errno := d.mutable(); errno != wasi.ErrnoSuccess {
		return errno
	}
	t, errno := d.resolve(p)
	if errno != wasi.ErrnoSuccess {
		return errno
	}
	defer t.Release()
	if checkSlash {
		if errno := t.CheckSlash(); errno != wasi.ErrnoSuccess {
			return errno
		}
	}
	return wasi.ErrnoOf(op(&t))
}

// setTimesAt sets the access and modification times of p (ts as
// newTimestamp decodes them).
func (d *descriptor) setTimesAt(pathFlags uint32, p string, ts []unix.Timespec) wasi.Errno {
	if errno := d.mutable(); errno != wasi.ErrnoSuccess {
		return errno
	}
	if pathFlags&pathSymlinkFollow != 0 {
		if errno := wasi.CheckPath(p); errno != wasi.ErrnoSuccess {
			return errno
		}
		return wasi.ErrnoOf(d.root.Chtimes(p, toTime(ts[0]), toTime(ts[1])))
	}
	t, errno := d.resolve(p)
	if errno != wasi.ErrnoSuccess {
		return errno
	}
	defer t.Release()
	return wasi.ErrnoOf(unix.UtimesNanoAt(t.Dirfd(), t.Base(), ts, unix.AT_SYMLINK_NOFOLLOW))
}

// linkAt makes toPath beneath to a hard link of from beneath d.
func (d *descriptor) linkAt(pathFlags uint32, from string, to *descriptor, toPath string) wasi.Errno {
	a, b, errno := twoPaths(d, from, to, toPath)
	if errno != wasi.ErrnoSuccess {
		return errno
	}
	defer a.Release()
	defer b.Release()
	if pathFlags&pathSymlinkFollow != 0 {
		var st unix.Stat_t
		if err := unix.Fstatat(a.Dirfd(), a.Base(), &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return wasi.ErrnoNotsup // the host never follows a guest-made link
		}
	}
	return wasi.ErrnoOf(unix.Linkat(a.Dirfd(), a.Base(), b.Dirfd(), b.Base(), 0))
}

// renameAt renames from beneath d to toPath beneath to.
func (d *descriptor) renameAt(from string, to *descriptor, toPath string) wasi.Errno {
	a, b, errno := twoPaths(d, from, to, toPath)
	if errno != wasi.ErrnoSuccess {
		return errno
	}
	defer a.Release()
	defer b.Release()
	return wasi.ErrnoOf(unix.Renameat(a.Dirfd(), a.Base(), b.Dirfd(), b.Base()))
}

// symlinkAt makes p beneath d a symbolic link to target.
func (d *descriptor) symlinkAt(target, p string) wasi.Errno {
	if errno := d.mutable(); errno != wasi.ErrnoSuccess {
		return errno
	}
	if errno := wasi.CheckPath(target); errno != wasi.ErrnoSuccess && errno != wasi.ErrnoNoent {
		return errno // an absolute target could only ever point out of the sandbox
	}
	t, errno := d.resolve(p)
	if errno != wasi.ErrnoSuccess {
		return errno
	}
	defer t.Release()
	return wasi.ErrnoOf(unix.Symlinkat(target, t.Dirfd(), t.Base()))
}

// readlinkAt returns the target of the symbolic link p beneath d.
func (d *descriptor) readlinkAt(p string) ([]byte, wasi.Errno) {
	t, errno := d.resolve(p)
	if errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	defer t.Release()
	if errno := t.CheckSlash(); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(t.Dirfd(), t.Base(), buf)
	return buf[:max(n, 0)], wasi.ErrnoOf(err)
}

// sameObject reports whether d and o are the same file.
func (d *descriptor) sameObject(o *descriptor) bool {
	var x, y unix.Stat_t
	return unix.Fstat(d.fd(), &x) == nil && unix.Fstat(o.fd(), &y) == nil && x.Dev == y.Dev && x.Ino == y.Ino
}

// advise accepts any advice for a file (it is only a hint).
func (d *descriptor) advise() wasi.Errno {
	if d.root != nil {
		return wasi.ErrnoBadf
	}
	return wasi.ErrnoSuccess
}

// twoPaths resolves the two paths of link-at and rename-at, each in its
// own mutable directory.
func twoPaths(from *descriptor, fromPath string, to *descriptor, toPath string) (a, b wasi.Resolved, errno wasi.Errno) {
	if errno = from.mutable(); errno == wasi.ErrnoSuccess {
		errno = to.mutable()
	}
	if errno != wasi.ErrnoSuccess {
		return a, b, errno
	}
	if a, errno = from.resolve(fromPath); errno != wasi.ErrnoSuccess {
		return a, b, errno
	}
	if b, errno = to.resolve(toPath); errno != wasi.ErrnoSuccess {
		a.Release()
		return a, b, errno
	}
	if errno = a.CheckSlash(); errno == wasi.ErrnoSuccess {
		errno = b.CheckSlash()
	}
	if errno != wasi.ErrnoSuccess {
		a.Release()
		b.Release()
	}
	return a, b, errno
}
