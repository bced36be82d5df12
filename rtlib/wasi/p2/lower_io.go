package p2

// Lowered wasi:io functions.

// streamErr encodes a stream-error variant at r[off:]: 0 last-operation-
// failed(own<error>), 1 closed.
func (c *call) streamErr(r rec, off int, se *streamError) {
	if se.closed {
		r.u8(off, 1)
		return
	}
	r.u8(off, 0)
	r.u32(off+4, c.h.add(&ioError{se.err}))
}

// listResult writes result<list<u8>, stream-error>.
func (c *call) listResult(ret uint32, data []byte, se *streamError) error {
	r := make(rec, 12)
	if se != nil {
		r.u8(0, 1)
		c.streamErr(r, 4, se)
	} else {
		p, err := c.list(data, 1)
		if err != nil {
			return err
		}
		r.u32(4, p)
		r.u32(8, uint32(len(data)))
	}
	return c.put(ret, 4, r)
}

// countResult writes result<u64, stream-error>.
func (c *call) countResult(ret uint32, n uint64, se *streamError) error {
	r := make(rec, 16)
	if se != nil {
		r.u8(0, 1)
		c.streamErr(r, 8, se)
	} else {
		r.u64(8, n)
	}
	return c.put(ret, 8, r)
}

// unitResult writes result<_, stream-error>.
func (c *call) unitResult(ret uint32, se *streamError) error {
	r := make(rec, 12)
	if se != nil {
		r.u8(0, 1)
		c.streamErr(r, 4, se)
	}
	return c.put(ret, 4, r)
}

func readFn(c *call) error {
	s, err := lookup[*inputStream](c.h, c.u32(0))
	if err != nil {
		return err
	}
	data, se := s.read(c.ctx, c.u64(1))
	return c.listResult(c.u32(2), data, se)
}

func skipFn(c *call) error {
	s, err := lookup[*inputStream](c.h, c.u32(0))
	if err != nil {
		return err
	}
	n, se := s.skip(c.ctx, c.u64(1))
	return c.countResult(c.u32(2), n, se)
}

// subscribeReady returns a pollable that is always ready: files, pipes,
// stdio and connections are reported ready and a read or write then
// blocks (see docs/wasi.md).
func subscribeReady[T any](c *call) error {
	if _, err := lookup[T](c.h, c.u32(0)); err != nil {
		return err
	}
	c.ret(uint64(c.h.add(&pollable{})))
	return nil
}

func writeFn(flush bool) func(c *call) error {
	return func(c *call) error {
		s, err := lookup[*outputStream](c.h, c.u32(0))
		if err != nil {
			return err
		}
		b, err := c.bytes(c.u32(1), c.u32(2))
		if err != nil {
			return err
		}
		se := s.write(c.ctx, b)
		if se == nil && flush {
			se = s.flush()
		}
		return c.unitResult(c.u32(3), se)
	}
}

func writeZeroesFn(flush bool) func(c *call) error {
	return func(c *call) error {
		s, err := lookup[*outputStream](c.h, c.u32(0))
		if err != nil {
			return err
		}
		se := s.write(c.ctx, make([]byte, min(c.u64(1), writeBudget)))
		if se == nil && flush {
			se = s.flush()
		}
		return c.unitResult(c.u32(2), se)
	}
}

func flushFn(c *call) error {
	s, err := lookup[*outputStream](c.h, c.u32(0))
	if err != nil {
		return err
	}
	return c.unitResult(c.u32(1), s.flush())
}

func spliceFn(c *call) error {
	dst, err := lookup[*outputStream](c.h, c.u32(0))
	if err != nil {
		return err
	}
	src, err := lookup[*inputStream](c.h, c.u32(1))
	if err != nil {
		return err
	}
	data, se := src.read(c.ctx, c.u64(2))
	if se == nil {
		se = dst.write(c.ctx, data)
	}
	return c.countResult(c.u32(3), uint64(len(data)), se)
}

func dropFn[T any](c *call) error { return drop[T](c.h, c.u32(0)) }

var streamFuncs = map[string]lowered{
	"[method]input-stream.read":                             {"iIi", "", readFn},
	"[method]input-stream.blocking-read":                    {"iIi", "", readFn},
	"[method]input-stream.skip":                             {"iIi", "", skipFn},
	"[method]input-stream.blocking-skip":                    {"iIi", "", skipFn},
	"[method]input-stream.subscribe":                        {"i", "i", subscribeReady[*inputStream]},
	"[resource-drop]input-stream":                           {"i", "", dropFn[*inputStream]},
	"[method]output-stream.check-write":                     {"ii", "", checkWriteFn},
	"[method]output-stream.write":                           {"iiii", "", writeFn(false)},
	"[method]output-stream.blocking-write-and-flush":        {"iiii", "", writeFn(true)},
	"[method]output-stream.flush":                           {"ii", "", flushFn},
	"[method]output-stream.blocking-flush":                  {"ii", "", flushFn},
	"[method]output-stream.subscribe":                       {"i", "i", subscribeReady[*outputStream]},
	"[method]output-stream.write-zeroes":                    {"iIi", "", writeZeroesFn(false)},
	"[method]output-stream.blocking-write-zeroes-and-flush": {"iIi", "", writeZeroesFn(true)},
	"[method]output-stream.splice":                          {"iiIi", "", spliceFn},
	"[method]output-stream.blocking-splice":                 {"iiIi", "", spliceFn},
	"[resource-drop]output-stream":                          {"i", "", dropFn[*outputStream]},
}

func checkWriteFn(c *call) error {
	s, err := lookup[*outputStream](c.h, c.u32(0))
	if err != nil {
		return err
	}
	if s.failed != nil {
		return c.countResult(c.u32(1), 0, &streamError{closed: true})
	}
	return c.countResult(c.u32(1), writeBudget, nil)
}

var ioErrorFuncs = map[string]lowered{
	"[method]error.to-debug-string": {"ii", "", func(c *call) error {
		e, err := lookup[*ioError](c.h, c.u32(0))
		if err != nil {
			return err
		}
		msg := "error"
		if e.err != nil {
			msg = e.err.Error()
		}
		p, err := c.list([]byte(msg), 1)
		if err != nil {
			return err
		}
		r := make(rec, 8)
		r.u32(0, p)
		r.u32(4, uint32(len(msg)))
		return c.put(c.u32(1), 4, r)
	}},
	"[resource-drop]error": {"i", "", dropFn[*ioError]},
}

var pollFuncs = map[string]lowered{
	"[method]pollable.ready": {"i", "i", func(c *call) error {
		p, err := lookup[*pollable](c.h, c.u32(0))
		if err != nil {
			return err
		}
		c.ret(b2u(c.h.ready(p)))
		return nil
	}},
	"[method]pollable.block": {"i", "", func(c *call) error {
		p, err := lookup[*pollable](c.h, c.u32(0))
		if err != nil {
			return err
		}
		_, err = c.h.poll(c.ctx, []*pollable{p})
		return err
	}},
	"poll": {"iii", "", func(c *call) error {
		hs, err := c.handles(c.u32(0), c.u32(1))
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return errEmptyPoll
		}
		ps := make([]*pollable, len(hs))
		for i, h := range hs {
			if ps[i], err = lookup[*pollable](c.h, h); err != nil {
				return err
			}
		}
		ready, err := c.h.poll(c.ctx, ps)
		if err != nil {
			return err
		}
		r := make(rec, 4*len(ready))
		for i, k := range ready {
			r.u32(4*i, k)
		}
		p, err := c.list(r, 4)
		if err != nil {
			return err
		}
		out := make(rec, 8)
		out.u32(0, p)
		out.u32(4, uint32(len(ready)))
		return c.put(c.u32(2), 4, out)
	}},
	"[resource-drop]pollable": {"i", "", dropFn[*pollable]},
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
