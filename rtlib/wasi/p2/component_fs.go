package p2

import (
	"context"
	"errors"
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
		var x, y unix.Stat_t
		if unix.Fstat(d.fd(), &x) != nil || unix.Fstat(o.fd(), &y) != nil {
			return false, nil
		}
		return x.Dev == y.Dev && x.Ino == y.Ino, nil
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
