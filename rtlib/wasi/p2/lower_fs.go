package p2

import (
	"errors"
	"io"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// Lowered wasi:filesystem functions.

// fsResult writes result<T, error-code>: T of size bytes at payload
// offset off (fill writes it), or the error code there.
func (c *call) fsResult(ret, align uint32, size, off int, errno wasi.Errno, fill func(r rec) error) error {
	r := make(rec, size)
	if errno != wasi.ErrnoSuccess {
		r.u8(0, 1)
		r.u8(off, errorCode(errno))
	} else if fill != nil {
		if err := fill(r); err != nil {
			return err
		}
	}
	return c.put(ret, align, r)
}

// unit writes result<_, error-code>.
func (c *call) unit(ret uint32, errno wasi.Errno) error { return c.fsResult(ret, 1, 2, 1, errno, nil) }

// handleResult writes result<own<T>, error-code> for a new resource v.
func (c *call) handleResult(ret uint32, v any, errno wasi.Errno) error {
	return c.fsResult(ret, 4, 8, 4, errno, func(r rec) error { r.u32(4, c.h.add(v)); return nil })
}

func (c *call) desc(i int) (*descriptor, error) { return lookup[*descriptor](c.h, c.u32(i)) }

// pathArg reads the path at argument i (pointer) and i+1 (length).
func (c *call) pathArg(i int) (string, error) { return c.str(c.u32(i), c.u32(i+1)) }

// descFn adapts an operation on descriptor argument 0 whose result is
// result<_, error-code> at argument ret.
func descFn(ret int, op func(c *call, d *descriptor) wasi.Errno) func(c *call) error {
	return func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		return c.unit(c.u32(ret), op(c, d))
	}
}

// pathFn is descFn for operations on a path (arguments 1, 2) beneath a
// mutable directory, acted on without following the last component.
func pathFn(op func(t *wasi.Resolved) error, checkSlash bool) func(c *call) error {
	return func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		p, err := c.pathArg(1)
		if err != nil {
			return err
		}
		return c.unit(c.u32(3), d.pathOp(p, op, checkSlash))
	}
}

// stat writes a descriptor-stat at r[off:].
func putStat(r rec, off int, st *unix.Stat_t) {
	r.u8(off, typeOf(st.Mode))
	r.u64(off+8, uint64(st.Nlink))
	r.u64(off+16, uint64(st.Size))
	for i, ts := range []unix.Timespec{st.Atim, st.Mtim, st.Ctim} {
		o := off + 24 + 24*i
		r.u8(o, 1)
		r.u64(o+8, uint64(ts.Sec))
		r.u32(o+16, uint32(ts.Nsec))
	}
}

func statResult(c *call, ret uint32, st *unix.Stat_t, err error) error {
	return c.fsResult(ret, 8, 104, 8, wasi.ErrnoOf(err), func(r rec) error { putStat(r, 8, st); return nil })
}

// statAt stats a path, following the last component only when asked
// (os.Root then follows links only while they stay beneath it).
func (d *descriptor) statAt(pathFlags uint32, p string) (*unix.Stat_t, wasi.Errno) {
	if errno := d.dir(); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	if errno := wasi.CheckPath(p); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	var st unix.Stat_t
	if pathFlags&pathSymlinkFollow != 0 {
		fi, err := d.root.Stat(p)
		if err != nil {
			return nil, wasi.ErrnoOf(err)
		}
		sys := fi.Sys().(*syscall.Stat_t)
		st = unix.Stat_t{Dev: sys.Dev, Ino: sys.Ino, Mode: sys.Mode, Nlink: sys.Nlink, Size: sys.Size,
			Atim: unix.Timespec(sys.Atim), Mtim: unix.Timespec(sys.Mtim), Ctim: unix.Timespec(sys.Ctim)}
		return &st, wasi.ErrnoSuccess
	}
	t, errno := d.resolve(p)
	if errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	defer t.Release()
	if errno := t.CheckSlash(); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	if err := unix.Fstatat(t.Dirfd(), t.Base(), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, wasi.ErrnoOf(err)
	}
	return &st, wasi.ErrnoSuccess
}

func hashResult(c *call, ret uint32, st *unix.Stat_t, errno wasi.Errno) error {
	return c.fsResult(ret, 8, 24, 8, errno, func(r rec) error {
		r.u64(8, st.Ino)
		r.u64(16, st.Dev)
		return nil
	})
}

var filesystemFuncs = map[string]lowered{
	"[method]descriptor.read-via-stream": {"iIi", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		errno := d.readable()
		return c.handleResult(c.u32(2), &inputStream{file: d.file, offset: int64(c.u64(1))}, errno)
	}},
	"[method]descriptor.write-via-stream": {"iIi", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		return c.handleResult(c.u32(2), &outputStream{file: d.file, offset: int64(c.u64(1))}, d.writable())
	}},
	"[method]descriptor.append-via-stream": {"ii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		return c.handleResult(c.u32(1), &outputStream{file: d.file, append: true}, d.writable())
	}},
	"[method]descriptor.advise": {"iIIii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		return c.unit(c.u32(4), d.advise())
	}},
	"[method]descriptor.sync-data": {"ii", "", descFn(1, func(_ *call, d *descriptor) wasi.Errno {
		return wasi.ErrnoOf(unix.Fdatasync(d.fd()))
	})},
	"[method]descriptor.sync": {"ii", "", descFn(1, func(_ *call, d *descriptor) wasi.Errno { return wasi.ErrnoOf(d.file.Sync()) })},
	"[method]descriptor.get-flags": {"ii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		return c.fsResult(c.u32(1), 1, 2, 1, wasi.ErrnoSuccess, func(r rec) error { r.u8(1, d.flags); return nil })
	}},
	"[method]descriptor.get-type": {"ii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		return c.fsResult(c.u32(1), 1, 2, 1, wasi.ErrnoSuccess, func(r rec) error { r.u8(1, d.typ); return nil })
	}},
	"[method]descriptor.set-size": {"iIi", "", descFn(2, func(c *call, d *descriptor) wasi.Errno {
		if d.readOnly {
			return wasi.ErrnoRofs // as preview1: before the descriptor's own rights
		}
		if errno := d.writable(); errno != wasi.ErrnoSuccess {
			return errno
		}
		return wasi.ErrnoOf(d.file.Truncate(int64(c.u64(1))))
	})},
	"[method]descriptor.set-times": {"iiIiiIii", "", descFn(7, func(c *call, d *descriptor) wasi.Errno {
		if d.readOnly {
			return wasi.ErrnoRofs
		}
		ts, errno := timestamps(c, 1)
		if errno != wasi.ErrnoSuccess {
			return errno
		}
		return wasi.ErrnoOf(futimens(d.fd(), ts))
	})},
	"[method]descriptor.read": {"iIIi", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		errno := d.readable()
		var buf []byte
		eof := false
		if errno == wasi.ErrnoSuccess {
			buf = make([]byte, min(c.u64(1), maxRead))
			n, err := d.file.ReadAt(buf, int64(c.u64(2)))
			if err == io.EOF {
				err, eof = nil, true
			}
			buf, errno = buf[:n], wasi.ErrnoOf(err)
		}
		return c.fsResult(c.u32(3), 4, 16, 4, errno, func(r rec) error {
			p, err := c.list(buf, 1)
			r.u32(4, p)
			r.u32(8, uint32(len(buf)))
			r.u8(12, uint8(b2u(eof)))
			return err
		})
	}},
	"[method]descriptor.write": {"iiiIi", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		b, err := c.bytes(c.u32(1), c.u32(2))
		if err != nil {
			return err
		}
		errno := d.writable()
		n := 0
		if errno == wasi.ErrnoSuccess {
			n, err = d.file.WriteAt(b, int64(c.u64(3)))
			errno = wasi.ErrnoOf(err)
		}
		return c.fsResult(c.u32(4), 8, 16, 8, errno, func(r rec) error { r.u64(8, uint64(n)); return nil })
	}},
	"[method]descriptor.read-directory": {"ii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		s, errno := d.readDirectory()
		return c.handleResult(c.u32(1), s, errno)
	}},
	"[method]descriptor.create-directory-at": {"iiii", "", pathFn(func(t *wasi.Resolved) error {
		return unix.Mkdirat(t.Dirfd(), t.Base(), 0o777)
	}, false)},
	"[method]descriptor.remove-directory-at": {"iiii", "", pathFn(func(t *wasi.Resolved) error {
		return unix.Unlinkat(t.Dirfd(), t.Base(), unix.AT_REMOVEDIR)
	}, false)},
	"[method]descriptor.unlink-file-at": {"iiii", "", pathFn(func(t *wasi.Resolved) error {
		return unix.Unlinkat(t.Dirfd(), t.Base(), 0)
	}, true)},
	"[method]descriptor.stat": {"ii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		var st unix.Stat_t
		err = unix.Fstat(d.fd(), &st)
		return statResult(c, c.u32(1), &st, err)
	}},
	"[method]descriptor.stat-at": {"iiiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		p, err := c.pathArg(2)
		if err != nil {
			return err
		}
		st, errno := d.statAt(c.u32(1), p)
		return c.fsResult(c.u32(4), 8, 104, 8, errno, func(r rec) error { putStat(r, 8, st); return nil })
	}},
	"[method]descriptor.set-times-at": {"iiiiiIiiIii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		p, err := c.pathArg(2)
		if err != nil {
			return err
		}
		ts, errno := timestamps(c, 4)
		if errno == wasi.ErrnoSuccess {
			errno = d.setTimesAt(c.u32(1), p, ts)
		}
		return c.unit(c.u32(10), errno)
	}},
	"[method]descriptor.link-at": {"iiiiiiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		to, err := c.desc(4)
		if err != nil {
			return err
		}
		from, err := c.pathArg(2)
		if err != nil {
			return err
		}
		toPath, err := c.pathArg(5)
		if err != nil {
			return err
		}
		return c.unit(c.u32(7), d.linkAt(c.u32(1), from, to, toPath))
	}},
	"[method]descriptor.open-at": {"iiiiiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		p, err := c.pathArg(2)
		if err != nil {
			return err
		}
		nd, errno := d.openAt(c.u32(1), p, uint8(c.u32(4)), uint8(c.u32(5)))
		return c.handleResult(c.u32(6), nd, errno)
	}},
	"[method]descriptor.readlink-at": {"iiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		p, err := c.pathArg(1)
		if err != nil {
			return err
		}
		target, errno := d.readlinkAt(p)
		return c.fsResult(c.u32(3), 4, 12, 4, errno, func(r rec) error {
			ptr, err := c.list(target, 1)
			r.u32(4, ptr)
			r.u32(8, uint32(len(target)))
			return err
		})
	}},
	"[method]descriptor.rename-at": {"iiiiiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		to, err := c.desc(3)
		if err != nil {
			return err
		}
		from, err := c.pathArg(1)
		if err != nil {
			return err
		}
		toPath, err := c.pathArg(4)
		if err != nil {
			return err
		}
		return c.unit(c.u32(6), d.renameAt(from, to, toPath))
	}},
	"[method]descriptor.symlink-at": {"iiiiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		target, err := c.pathArg(1)
		if err != nil {
			return err
		}
		p, err := c.pathArg(3)
		if err != nil {
			return err
		}
		return c.unit(c.u32(5), d.symlinkAt(target, p))
	}},
	"[method]descriptor.is-same-object": {"ii", "i", func(c *call) error {
		a, err := c.desc(0)
		if err != nil {
			return err
		}
		b, err := c.desc(1)
		if err != nil {
			return err
		}
		c.ret(b2u(a.sameObject(b)))
		return nil
	}},
	"[method]descriptor.metadata-hash": {"ii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		var st unix.Stat_t
		return hashResult(c, c.u32(1), &st, wasi.ErrnoOf(unix.Fstat(d.fd(), &st)))
	}},
	"[method]descriptor.metadata-hash-at": {"iiiii", "", func(c *call) error {
		d, err := c.desc(0)
		if err != nil {
			return err
		}
		p, err := c.pathArg(2)
		if err != nil {
			return err
		}
		st, errno := d.statAt(c.u32(1), p)
		return hashResult(c, c.u32(4), st, errno)
	}},
	"[resource-drop]descriptor": {"i", "", dropFn[*descriptor]},
	"[method]directory-entry-stream.read-directory-entry": {"ii", "", func(c *call) error {
		s, err := lookup[*dirStream](c.h, c.u32(0))
		if err != nil {
			return err
		}
		return c.fsResult(c.u32(1), 4, 20, 4, wasi.ErrnoSuccess, func(r rec) error {
			if s.next >= len(s.entries) {
				return nil // none
			}
			e := s.entries[s.next]
			s.next++
			p, err := c.list([]byte(e.name), 1)
			r.u8(4, 1)
			r.u8(8, e.typ)
			r.u32(12, p)
			r.u32(16, uint32(len(e.name)))
			return err
		})
	}},
	"[resource-drop]directory-entry-stream": {"i", "", dropFn[*dirStream]},
	"filesystem-error-code": {"ii", "", func(c *call) error {
		e, err := lookup[*ioError](c.h, c.u32(0))
		if err != nil {
			return err
		}
		r := make(rec, 2)
		var en syscall.Errno
		if e.err != nil && errors.As(e.err, &en) {
			r.u8(0, 1)
			r.u8(1, errorCode(wasi.ErrnoOf(e.err)))
		}
		return c.put(c.u32(1), 1, r)
	}},
}

// timestamps decodes two flattened new-timestamp arguments from i on.
func timestamps(c *call, i int) ([]unix.Timespec, wasi.Errno) {
	a, errno := newTimestamp(c.u32(i), c.u64(i+1), c.u32(i+2))
	if errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	m, errno := newTimestamp(c.u32(i+3), c.u64(i+4), c.u32(i+5))
	return []unix.Timespec{a, m}, errno
}

func (d *descriptor) readable() wasi.Errno {
	if d.root != nil {
		return wasi.ErrnoIsdir
	}
	if d.flags&flagRead == 0 {
		return wasi.ErrnoBadf
	}
	return wasi.ErrnoSuccess
}

func (d *descriptor) writable() wasi.Errno {
	switch {
	case d.root != nil:
		return wasi.ErrnoIsdir
	case d.flags&flagWrite == 0:
		return wasi.ErrnoBadf // as preview1: a file not opened for writing
	case d.readOnly:
		return wasi.ErrnoRofs
	}
	return wasi.ErrnoSuccess
}

var preopensFuncs = map[string]lowered{
	"get-directories": {"i", "", func(c *call) error {
		r := make(rec, 12*len(c.h.preopens))
		for i, p := range c.h.preopens {
			ptr, err := c.list([]byte(p.path), 1)
			if err != nil {
				return err
			}
			r.u32(12*i, c.h.add(p.dir))
			r.u32(12*i+4, ptr)
			r.u32(12*i+8, uint32(len(p.path)))
		}
		p, err := c.list(r, 4)
		if err != nil {
			return err
		}
		out := make(rec, 8)
		out.u32(0, p)
		out.u32(4, uint32(len(c.h.preopens)))
		return c.put(c.u32(0), 4, out)
	}},
}
