package wasi

import (
	"context"
	"os"
	"strings"
)

// What other WASI hosts (rtlib/wasi/p2, WASI 0.2) share with preview1: the
// path-resolution core that keeps every path beneath its directory
// capability, the host-error translation, and the wake-up of blocked
// streams when a call's context ends.

// Resolved is a guest path resolved beneath a directory capability: an open
// parent directory and the last component, which the caller acts on with
// an *at system call that does not follow links. Release frees it.
type Resolved struct{ t target }

// Dirfd is the host descriptor of the parent directory.
func (r *Resolved) Dirfd() int { return r.t.dirfd }

// Base is the last component: one name without '/', or ".".
func (r *Resolved) Base() string { return r.t.base }

// CheckSlash answers ErrnoNotdir when the path ended in '/' and names an
// existing non-directory.
func (r *Resolved) CheckSlash() Errno { return r.t.checkSlash() }

// Release closes the parent directory if Resolve opened one.
func (r *Resolved) Release() { r.t.release() }

// CheckPath refuses a guest path that can never resolve inside a directory
// capability: empty (ErrnoNoent), with a NUL byte (ErrnoInval) or absolute
// (ErrnoNotcapable).
func CheckPath(p string) Errno {
	switch {
	case p == "":
		return ErrnoNoent
	case strings.IndexByte(p, 0) >= 0:
		return ErrnoInval
	case p[0] == '/':
		return ErrnoNotcapable
	}
	return ErrnoSuccess
}

// Resolve checks path with CheckPath and opens its parent directory
// beneath root, whose own open descriptor is dirfd; symbolic links are
// followed only while they stay beneath root.
func Resolve(root *os.Root, dirfd int, path string) (Resolved, Errno) {
	if errno := CheckPath(path); errno != ErrnoSuccess {
		return Resolved{}, errno
	}
	t, errno := resolveIn(root, dirfd, path)
	return Resolved{t}, errno
}

// ErrnoOf translates a host error into an errno; an os.Root refusal to
// leave its directory is ErrnoNotcapable.
func ErrnoOf(err error) Errno { return errnoOf(err) }

// WakeOnDone arranges for ctx's end to wake an operation blocked on v (a
// connection, listener, pipe or terminal with deadlines): write selects
// the write deadline, otherwise the read (or accept) deadline. The
// returned function disarms it once the operation has returned. Values
// without deadlines cannot be woken; disarm is then a no-op.
func WakeOnDone(ctx context.Context, v any, write bool) (disarm func()) {
	set := readDeadline(v)
	if write {
		set = writeDeadline(v)
	} else if set == nil {
		set = acceptDeadline(v)
	}
	return unblockOnDone(ctx, set)
}
