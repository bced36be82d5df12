package wasi

import (
	"context"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The path_* functions. Every guest path is relative to a directory
// descriptor and is resolved by target (parent through os.Root, last
// component acted on without following links) or, where the guest asks to
// follow a final link, by os.Root as a whole.

// target is a guest path resolved to an open parent directory and a last
// component.
type target struct {
	dirfd  int
	parent *os.File // the opened parent; nil when it is the descriptor itself
	base   string   // one name without '/', or "." for the parent itself
	slash  bool     // the guest path ended in '/'
}

func (t *target) release() {
	if t.parent != nil {
		t.parent.Close()
	}
}

// pathMax is the longest path (or symbolic link target) a guest may pass,
// in bytes, as Linux's PATH_MAX. Longer ones answer ErrnoNametoolong
// before the host copies anything.
const pathMax = 4096

// pathArg reads a path-like argument of at most pathMax bytes.
func pathArg(m memory, ptr, n uint32) (string, Errno) {
	if n > pathMax {
		return "", ErrnoNametoolong
	}
	return m.str(ptr, n)
}

// guestPath reads a path argument and refuses what can never resolve
// inside a directory descriptor.
func guestPath(m memory, ptr, n uint32) (string, Errno) {
	p, errno := pathArg(m, ptr, n)
	if errno == ErrnoSuccess {
		errno = CheckPath(p)
	}
	if errno != ErrnoSuccess {
		return "", errno
	}
	return p, ErrnoSuccess
}

// resolve opens the parent directory of path inside d's root.
func (d *fdEntry) resolve(path string) (target, Errno) { return resolveIn(d.root, d.hostFd(), path) }

// resolveIn opens the parent directory of path inside root, whose open
// descriptor is dirfd.
func resolveIn(root *os.Root, dirfd int, path string) (target, Errno) {
	var t target
	trimmed := strings.TrimRight(path, "/")
	t.slash = len(trimmed) < len(path)
	dir, base := "", trimmed
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		dir, base = strings.TrimRight(trimmed[:i], "/"), trimmed[i+1:]
	}
	if base == ".." {
		dir, base = trimmed, "."
	}
	t.base = base
	if dir == "" {
		t.dirfd = dirfd
		return t, ErrnoSuccess
	}
	f, err := root.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return t, errnoOf(err)
	}
	t.parent, t.dirfd = f, int(f.Fd())
	return t, ErrnoSuccess
}

// A trailing slash means "this must be a directory". The last component
// is always acted on without its slash (with the slash the kernel would
// follow a final symbolic link the guest controls), so the rules are
// applied here, as Linux applies them.

// lstat reports the type (S_IFMT bits) of the last component, without
// following it; ok is false when it does not exist.
func (t *target) lstat() (mode uint32, ok bool) {
	var st unix.Stat_t
	if unix.Fstatat(t.dirfd, t.base, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
		return 0, false
	}
	return st.Mode & unix.S_IFMT, true
}

// checkSlash answers ErrnoNotdir when a path with a trailing slash names
// an existing non-directory.
func (t *target) checkSlash() Errno {
	if mode, ok := t.lstat(); t.slash && ok && mode != unix.S_IFDIR {
		return ErrnoNotdir
	}
	return ErrnoSuccess
}

// checkNewName applies the slash rule to the name a non-directory (a
// hard or symbolic link) is about to be created at: "name/" answers
// ErrnoNoent when nothing is there, ErrnoExist when a directory (or a
// link, which might lead to one) is, and ErrnoNotdir otherwise.
func (t *target) checkNewName() Errno {
	if !t.slash {
		return ErrnoSuccess
	}
	switch mode, ok := t.lstat(); {
	case !ok:
		return ErrnoNoent
	case mode == unix.S_IFDIR || mode == unix.S_IFLNK:
		return ErrnoExist
	}
	return ErrnoNotdir
}

// mutableDir returns the directory descriptor fd for a mutating call.
func (w *WASI) mutableDir(fd uint32, need Rights) (*fdEntry, Errno) {
	d, errno := w.fds.dir(fd, need)
	if errno == ErrnoSuccess && d.readOnly {
		return nil, ErrnoRofs
	}
	return d, errno
}

// resolveArg reads a path argument and resolves it in d.
func resolveArg(d *fdEntry, m memory, ptr, n uint32) (target, Errno) {
	p, errno := guestPath(m, ptr, n)
	if errno != ErrnoSuccess {
		return target{}, errno
	}
	return d.resolve(p)
}

func (w *WASI) pathCreateDirectory(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.mutableDir(uint32(a[0]), RightPathCreateDirectory)
	if errno != ErrnoSuccess {
		return errno
	}
	t, errno := resolveArg(d, m, uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	defer t.release()
	return errnoOf(unix.Mkdirat(t.dirfd, t.base, 0o777))
}

func (w *WASI) pathRemoveDirectory(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.mutableDir(uint32(a[0]), RightPathRemoveDirectory)
	if errno != ErrnoSuccess {
		return errno
	}
	t, errno := resolveArg(d, m, uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	defer t.release()
	return errnoOf(unix.Unlinkat(t.dirfd, t.base, unix.AT_REMOVEDIR))
}

func (w *WASI) pathUnlinkFile(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.mutableDir(uint32(a[0]), RightPathUnlinkFile)
	if errno != ErrnoSuccess {
		return errno
	}
	t, errno := resolveArg(d, m, uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	defer t.release()
	if errno := t.checkSlash(); errno != ErrnoSuccess {
		return errno
	}
	return errnoOf(unix.Unlinkat(t.dirfd, t.base, 0))
}

func (w *WASI) pathReadlink(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.fds.dir(uint32(a[0]), RightPathReadlink)
	if errno != ErrnoSuccess {
		return errno
	}
	buf, errno := m.slice(uint32(a[3]), uint32(a[4]))
	if errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(uint32(a[5]), 4); errno != ErrnoSuccess {
		return errno
	}
	t, errno := resolveArg(d, m, uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	defer t.release()
	if errno := t.checkSlash(); errno != ErrnoSuccess {
		return errno
	}
	link := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(t.dirfd, t.base, link)
	if err != nil {
		return errnoOf(err)
	}
	return m.writeU32(uint32(a[5]), uint32(copy(buf, link[:n])))
}

func (w *WASI) pathSymlink(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.mutableDir(uint32(a[2]), RightPathSymlink)
	if errno != ErrnoSuccess {
		return errno
	}
	linkTarget, errno := pathArg(m, uint32(a[0]), uint32(a[1]))
	if errno != ErrnoSuccess {
		return errno
	}
	if strings.HasPrefix(linkTarget, "/") {
		return ErrnoNotcapable // could only ever point out of the sandbox
	}
	if strings.IndexByte(linkTarget, 0) >= 0 {
		return ErrnoInval
	}
	t, errno := resolveArg(d, m, uint32(a[3]), uint32(a[4]))
	if errno != ErrnoSuccess {
		return errno
	}
	defer t.release()
	if errno := t.checkNewName(); errno != ErrnoSuccess {
		return errno
	}
	return errnoOf(unix.Symlinkat(linkTarget, t.dirfd, t.base))
}

// twoPaths resolves the source and destination of path_rename and
// path_link, each in its own directory descriptor; both must be writable.
func (w *WASI) twoPaths(m memory, oldFd uint32, oldPtr, oldLen uint32, oldNeed Rights,
	newFd uint32, newPtr, newLen uint32, newNeed Rights) (from, to target, errno Errno) {
	od, errno := w.mutableDir(oldFd, oldNeed)
	if errno != ErrnoSuccess {
		return from, to, errno
	}
	nd, errno := w.mutableDir(newFd, newNeed)
	if errno != ErrnoSuccess {
		return from, to, errno
	}
	if from, errno = resolveArg(od, m, oldPtr, oldLen); errno != ErrnoSuccess {
		return from, to, errno
	}
	if to, errno = resolveArg(nd, m, newPtr, newLen); errno != ErrnoSuccess {
		from.release()
		return from, to, errno
	}
	return from, to, ErrnoSuccess
}

func (w *WASI) pathRename(_ context.Context, m memory, a []uint64) Errno {
	from, to, errno := w.twoPaths(m, uint32(a[0]), uint32(a[1]), uint32(a[2]), RightPathRenameSource,
		uint32(a[3]), uint32(a[4]), uint32(a[5]), RightPathRenameTarget)
	if errno != ErrnoSuccess {
		return errno
	}
	defer from.release()
	defer to.release()
	// A slash on either side makes it a directory rename: the source
	// must be a directory (a destination that exists is checked by the
	// kernel, which refuses to replace a directory with a file).
	if from.slash || to.slash {
		if mode, ok := from.lstat(); ok && mode != unix.S_IFDIR {
			return ErrnoNotdir
		}
	}
	if errno := to.checkSlash(); errno != ErrnoSuccess {
		return errno
	}
	return errnoOf(unix.Renameat(from.dirfd, from.base, to.dirfd, to.base))
}

// pathLink makes a hard link. The source's last component is never
// followed by the host: with LOOKUP_SYMLINK_FOLLOW on a symbolic link the
// call answers ErrnoNotsup rather than let the host follow a guest-made
// link.
func (w *WASI) pathLink(_ context.Context, m memory, a []uint64) Errno {
	from, to, errno := w.twoPaths(m, uint32(a[0]), uint32(a[2]), uint32(a[3]), RightPathLinkSource,
		uint32(a[4]), uint32(a[5]), uint32(a[6]), RightPathLinkTarget)
	if errno != ErrnoSuccess {
		return errno
	}
	defer from.release()
	defer to.release()
	if errno := from.checkSlash(); errno != ErrnoSuccess {
		return errno
	}
	if errno := to.checkNewName(); errno != ErrnoSuccess {
		return errno
	}
	if uint32(a[1])&lookupSymlinkFollow != 0 {
		var st unix.Stat_t
		if err := unix.Fstatat(from.dirfd, from.base, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return ErrnoNotsup
		}
	}
	return errnoOf(unix.Linkat(from.dirfd, from.base, to.dirfd, to.base, 0))
}

func (w *WASI) pathFilestatGet(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.fds.dir(uint32(a[0]), RightPathFilestatGet)
	if errno != ErrnoSuccess {
		return errno
	}
	p, errno := guestPath(m, uint32(a[2]), uint32(a[3]))
	if errno != ErrnoSuccess {
		return errno
	}
	if _, errno := m.slice(uint32(a[4]), sizeFilestat); errno != ErrnoSuccess {
		return errno
	}
	var fi os.FileInfo
	var err error
	if uint32(a[1])&lookupSymlinkFollow != 0 {
		fi, err = d.root.Stat(p)
	} else {
		fi, err = d.root.Lstat(p)
	}
	if err != nil {
		return errnoOf(err)
	}
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ErrnoIo
	}
	st := unix.Stat_t{Dev: sys.Dev, Ino: sys.Ino, Mode: sys.Mode, Nlink: sys.Nlink, Size: sys.Size,
		Atim: unix.Timespec(sys.Atim), Mtim: unix.Timespec(sys.Mtim), Ctim: unix.Timespec(sys.Ctim)}
	return writeFilestat(m, uint32(a[4]), &st)
}

func (w *WASI) pathFilestatSetTimes(_ context.Context, m memory, a []uint64) Errno {
	d, errno := w.mutableDir(uint32(a[0]), RightPathFilestatSetTimes)
	if errno != ErrnoSuccess {
		return errno
	}
	ts, errno := timespecs(a[4], a[5], uint16(a[6]))
	if errno != ErrnoSuccess {
		return errno
	}
	p, errno := guestPath(m, uint32(a[2]), uint32(a[3]))
	if errno != ErrnoSuccess {
		return errno
	}
	if uint32(a[1])&lookupSymlinkFollow != 0 || strings.HasSuffix(p, "/") {
		// os.Root follows the link inside the root (as a trailing slash
		// asks); zero times are left alone.
		toTime := func(t unix.Timespec) time.Time {
			switch t.Nsec {
			case unix.UTIME_OMIT:
				return time.Time{}
			case unix.UTIME_NOW:
				return w.now()
			}
			return time.Unix(t.Unix())
		}
		return errnoOf(d.root.Chtimes(p, toTime(ts[0]), toTime(ts[1])))
	}
	t, errno := d.resolve(p)
	if errno != ErrnoSuccess {
		return errno
	}
	defer t.release()
	return errnoOf(unix.UtimesNanoAt(t.dirfd, t.base, ts, unix.AT_SYMLINK_NOFOLLOW))
}
