package p2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/component"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// wasi:filesystem/types over component values (see component.go).

func descOnly(f func(h *Host, d *descriptor, a []component.Value) (component.Value, error)) valueFn {
	return func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		d, err := res[*descriptor](h, a, 0)
		if err != nil {
			return nil, err
		}
		return f(h, d, a)
	}
}

var filesystemValues = map[string]valueFn{
	"[method]descriptor.read-via-stream": newStream((*descriptor).readable, func(d *descriptor, a []component.Value) (any, error) {
		off, err := u64Arg(a, 1)
		return &inputStream{file: d.file, offset: int64(off)}, err
	}),
	"[method]descriptor.write-via-stream": newStream((*descriptor).writable, func(d *descriptor, a []component.Value) (any, error) {
		off, err := u64Arg(a, 1)
		return &outputStream{file: d.file, offset: int64(off)}, err
	}),
	"[method]descriptor.append-via-stream": newStream((*descriptor).writable, func(d *descriptor, _ []component.Value) (any, error) {
		return &outputStream{file: d.file, append: true}, nil
	}),
	"[method]descriptor.sync-data": descValue(func(d *descriptor, _ []component.Value) (wasi.Errno, error) {
		return wasi.ErrnoOf(unix.Fdatasync(d.fd())), nil
	}),
	"[method]descriptor.sync": descValue(func(d *descriptor, _ []component.Value) (wasi.Errno, error) {
		return wasi.ErrnoOf(d.file.Sync()), nil
	}),
	"[method]descriptor.get-flags": descOnly(func(_ *Host, d *descriptor, _ []component.Value) (component.Value, error) {
		return fsResult(uint32(d.flags), wasi.ErrnoSuccess), nil
	}),
	"[method]descriptor.get-type": descOnly(func(_ *Host, d *descriptor, _ []component.Value) (component.Value, error) {
		return fsResult(component.Case{Index: uint32(d.typ)}, wasi.ErrnoSuccess), nil
	}),
	"[method]descriptor.set-size": descValue(func(d *descriptor, a []component.Value) (wasi.Errno, error) {
		size, err := u64Arg(a, 1)
		if err != nil {
			return 0, err
		}
		if d.readOnly {
			return wasi.ErrnoRofs, nil // as preview1: before the descriptor's own rights
		}
		if errno := d.writable(); errno != wasi.ErrnoSuccess {
			return errno, nil
		}
		return wasi.ErrnoOf(d.file.Truncate(int64(size))), nil
	}),
	"[method]descriptor.read": descOnly(func(_ *Host, d *descriptor, a []component.Value) (component.Value, error) {
		n, err := u64Arg(a, 1)
		if err != nil {
			return nil, err
		}
		off, err := u64Arg(a, 2)
		if err != nil {
			return nil, err
		}
		if errno := d.readable(); errno != wasi.ErrnoSuccess {
			return fsResult(nil, errno), nil
		}
		buf := make([]byte, min(n, maxRead))
		k, err := d.file.ReadAt(buf, int64(off))
		eof := err == io.EOF
		if eof {
			err = nil
		}
		return fsResult([]component.Value{byteList(buf[:k]), eof}, wasi.ErrnoOf(err)), nil
	}),
	"[method]descriptor.write": descOnly(func(_ *Host, d *descriptor, a []component.Value) (component.Value, error) {
		b, err := bytesArg(a, 1)
		if err != nil {
			return nil, err
		}
		off, err := u64Arg(a, 2)
		if err != nil {
			return nil, err
		}
		if errno := d.writable(); errno != wasi.ErrnoSuccess {
			return fsResult(nil, errno), nil
		}
		n, err := d.file.WriteAt(b, int64(off))
		return fsResult(uint64(n), wasi.ErrnoOf(err)), nil
	}),
	"[method]descriptor.read-directory": descOnly(func(h *Host, d *descriptor, _ []component.Value) (component.Value, error) {
		s, errno := d.readDirectory()
		if errno != wasi.ErrnoSuccess {
			return fsResult(nil, errno), nil
		}
		return fsResult(own(h, s), errno), nil
	}),
	"[method]descriptor.create-directory-at": pathValue(func(t *wasi.Resolved) error {
		return unix.Mkdirat(t.Dirfd(), t.Base(), 0o777)
	}, false),
	"[method]descriptor.remove-directory-at": pathValue(func(t *wasi.Resolved) error {
		return unix.Unlinkat(t.Dirfd(), t.Base(), unix.AT_REMOVEDIR)
	}, false),
	"[method]descriptor.unlink-file-at": pathValue(func(t *wasi.Resolved) error {
		return unix.Unlinkat(t.Dirfd(), t.Base(), 0)
	}, true),
	"[method]descriptor.stat": descOnly(func(_ *Host, d *descriptor, _ []component.Value) (component.Value, error) {
		var st unix.Stat_t
		if err := unix.Fstat(d.fd(), &st); err != nil {
			return fsResult(nil, wasi.ErrnoOf(err)), nil
		}
		return fsResult(statValue(&st), wasi.ErrnoSuccess), nil
	}),
	"[method]descriptor.stat-at": descOnly(func(_ *Host, d *descriptor, a []component.Value) (component.Value, error) {
		flags, err := u32Arg(a, 1)
		if err != nil {
			return nil, err
		}
		p, err := strArg(a, 2)
		if err != nil {
			return nil, err
		}
		st, errno := d.statAt(flags, p)
		if errno != wasi.ErrnoSuccess {
			return fsResult(nil, errno), nil
		}
		return fsResult(statValue(st), errno), nil
	}),
	"[method]descriptor.open-at": descOnly(func(h *Host, d *descriptor, a []component.Value) (component.Value, error) {
		var flags [3]uint32
		for i, j := range []int{1, 3, 4} {
			f, err := u32Arg(a, j)
			if err != nil {
				return nil, err
			}
			flags[i] = f
		}
		p, err := strArg(a, 2)
		if err != nil {
			return nil, err
		}
		nd, errno := d.openAt(flags[0], p, uint8(flags[1]), uint8(flags[2]))
		if errno != wasi.ErrnoSuccess {
			return fsResult(nil, errno), nil
		}
		return fsResult(own(h, nd), errno), nil
	}),
	"[method]descriptor.is-same-object": descOnly(func(h *Host, d *descriptor, a []component.Value) (component.Value, error) {
		o, err := res[*descriptor](h, a, 1)
		if err != nil {
			return nil, err
		}
		return d.sameObject(o), nil
	}),
	"[method]descriptor.advise": descValue(func(d *descriptor, _ []component.Value) (wasi.Errno, error) {
		return d.advise(), nil
	}),
	"[method]descriptor.set-times": descValue(func(d *descriptor, a []component.Value) (wasi.Errno, error) {
		if d.readOnly {
			return wasi.ErrnoRofs, nil
		}
		ts, errno, err := timestampArgs(a, 1)
		if err != nil || errno != wasi.ErrnoSuccess {
			return errno, err
		}
		return wasi.ErrnoOf(futimens(d.fd(), ts)), nil
	}),
	"[method]descriptor.set-times-at": descValue(func(d *descriptor, a []component.Value) (wasi.Errno, error) {
		flags, err := u32Arg(a, 1)
		if err != nil {
			return 0, err
		}
		p, err := strArg(a, 2)
		if err != nil {
			return 0, err
		}
		ts, errno, err := timestampArgs(a, 3)
		if err != nil || errno != wasi.ErrnoSuccess {
			return errno, err
		}
		return d.setTimesAt(flags, p, ts), nil
	}),
	"[method]descriptor.link-at": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		d, err := res[*descriptor](h, a, 0)
		if err != nil {
			return nil, err
		}
		flags, err := u32Arg(a, 1)
		if err != nil {
			return nil, err
		}
		from, err := strArg(a, 2)
		if err != nil {
			return nil, err
		}
		to, err := res[*descriptor](h, a, 3)
		if err != nil {
			return nil, err
		}
		toPath, err := strArg(a, 4)
		if err != nil {
			return nil, err
		}
		return fsResult(nil, d.linkAt(flags, from, to, toPath)), nil
	},
	"[method]descriptor.rename-at": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		d, err := res[*descriptor](h, a, 0)
		if err != nil {
			return nil, err
		}
		from, err := strArg(a, 1)
		if err != nil {
			return nil, err
		}
		to, err := res[*descriptor](h, a, 2)
		if err != nil {
			return nil, err
		}
		toPath, err := strArg(a, 3)
		if err != nil {
			return nil, err
		}
		return fsResult(nil, d.renameAt(from, to, toPath)), nil
	},
	"[method]descriptor.symlink-at": descValue(func(d *descriptor, a []component.Value) (wasi.Errno, error) {
		target, err := strArg(a, 1)
		if err != nil {
			return 0, err
		}
		p, err := strArg(a, 2)
		if err != nil {
			return 0, err
		}
		return d.symlinkAt(target, p), nil
	}),
	"[method]descriptor.readlink-at": descOnly(func(_ *Host, d *descriptor, a []component.Value) (component.Value, error) {
		p, err := strArg(a, 1)
		if err != nil {
			return nil, err
		}
		target, errno := d.readlinkAt(p)
		return fsResult(string(target), errno), nil
	}),
	"[method]descriptor.metadata-hash": descOnly(func(_ *Host, d *descriptor, _ []component.Value) (component.Value, error) {
		var st unix.Stat_t
		err := unix.Fstat(d.fd(), &st)
		return hashValue(&st, wasi.ErrnoOf(err)), nil
	}),
	"[method]descriptor.metadata-hash-at": descOnly(func(_ *Host, d *descriptor, a []component.Value) (component.Value, error) {
		flags, err := u32Arg(a, 1)
		if err != nil {
			return nil, err
		}
		p, err := strArg(a, 2)
		if err != nil {
			return nil, err
		}
		st, errno := d.statAt(flags, p)
		return hashValue(st, errno), nil
	}),
	"[method]directory-entry-stream.read-directory-entry": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		s, err := res[*dirStream](h, a, 0)
		if err != nil {
			return nil, err
		}
		if s.next >= len(s.entries) {
			return component.Ok(component.None()), nil
		}
		e := s.entries[s.next]
		s.next++
		return component.Ok(component.Some([]component.Value{component.Case{Index: uint32(e.typ)}, e.name})), nil
	},
	"filesystem-error-code": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		e, err := res[*ioError](h, a, 0)
		if err != nil {
			return nil, err
		}
		var en syscall.Errno
		if e.err != nil && errors.As(e.err, &en) {
			return component.Some(component.Case{Index: uint32(errorCode(wasi.ErrnoOf(e.err)))}), nil
		}
		return component.None(), nil
	},
}

// hashValue is result<metadata-hash-value, error-code>.
func hashValue(st *unix.Stat_t, errno wasi.Errno) component.Value {
	if errno != wasi.ErrnoSuccess {
		return fsResult(nil, errno)
	}
	return fsResult([]component.Value{st.Ino, st.Dev}, errno)
}

// timestampArgs decodes the two new-timestamp arguments from i on.
func timestampArgs(a []component.Value, i int) ([]unix.Timespec, wasi.Errno, error) {
	ts := make([]unix.Timespec, 2)
	for k := range ts {
		c, ok := a[i+k].(component.Case)
		if !ok {
			return nil, 0, fmt.Errorf("wasi: argument %d is %T, want a new-timestamp", i+k, a[i+k])
		}
		var sec uint64
		var nsec uint32
		if c.Index == 2 {
			dt, ok := c.Value.([]component.Value)
			if !ok || len(dt) != 2 {
				return nil, 0, fmt.Errorf("wasi: argument %d: a datetime is %T", i+k, c.Value)
			}
			if sec, ok = dt[0].(uint64); !ok {
				return nil, 0, fmt.Errorf("wasi: argument %d: seconds are %T", i+k, dt[0])
			}
			if nsec, ok = dt[1].(uint32); !ok {
				return nil, 0, fmt.Errorf("wasi: argument %d: nanoseconds are %T", i+k, dt[1])
			}
		}
		var errno wasi.Errno
		if ts[k], errno = newTimestamp(c.Index, sec, nsec); errno != wasi.ErrnoSuccess {
			return nil, errno, nil
		}
	}
	return ts, wasi.ErrnoSuccess, nil
}
