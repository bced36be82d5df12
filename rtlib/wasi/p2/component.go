package p2

import (
	"context"
	"fmt"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/component"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// The WASI 0.2 interfaces as rtlib/component host instances: the same
// Host state and capability checks as the lowered functions, at the level
// of component values (rtlib/component does the canonical ABI). A
// resource's representation is its handle in the Host's table, and each
// resource type's Drop releases it there.

// valueFn is one function over component values.
type valueFn = func(ctx context.Context, h *Host, a []component.Value) (component.Value, error)

// Instances returns host instances for those of imports (component import
// names such as "wasi:cli/stdout@0.2.0") that are WASI 0.2 interfaces
// served here, keyed by the names as given (for component.Config.Instances).
func (h *Host) Instances(imports []string) map[string]*component.HostInstance {
	out := map[string]*component.HostInstance{}
	for _, name := range imports {
		iface, ok := Interface(name)
		if !ok {
			continue
		}
		fns, ok := valueInterfaces[iface]
		if !ok {
			continue
		}
		hi := &component.HostInstance{Funcs: map[string]component.HostFunc{}, Resources: map[string]*component.HostResource{}}
		for fname, fn := range fns {
			hi.Funcs[fname] = func(ctx context.Context, args []component.Value) (component.Value, error) {
				v, err := fn(ctx, h, args)
				if h.refused() && err == nil {
					err = ErrTableFull
				}
				return v, err
			}
		}
		for rname, drop := range valueResources[iface] {
			hi.Resources[rname] = &component.HostResource{Drop: func(_ context.Context, rep uint32) error { return drop(h, rep) }}
		}
		out[name] = hi
	}
	return out
}

// valueResources are the resource types of each interface and how a
// handle of each is dropped.
var valueResources = map[string]map[string]func(h *Host, rep uint32) error{
	"wasi:io/error":            {"error": drop[*ioError]},
	"wasi:io/poll":             {"pollable": drop[*pollable]},
	"wasi:io/streams":          {"input-stream": drop[*inputStream], "output-stream": drop[*outputStream]},
	"wasi:cli/terminal-input":  {"terminal-input": drop[*terminalInput]},
	"wasi:cli/terminal-output": {"terminal-output": drop[*terminalOutput]},
	"wasi:filesystem/types":    {"descriptor": drop[*descriptor], "directory-entry-stream": drop[*dirStream]},
}

// arg helpers: a wrong Go type is a host-side type mismatch between this
// binding and the component's WIT, reported as an error (a trap).

func u64Arg(a []component.Value, i int) (uint64, error) {
	v, ok := a[i].(uint64)
	if !ok {
		return 0, fmt.Errorf("wasi: argument %d is %T, want u64", i, a[i])
	}
	return v, nil
}

func u32Arg(a []component.Value, i int) (uint32, error) {
	v, ok := a[i].(uint32)
	if !ok {
		return 0, fmt.Errorf("wasi: argument %d is %T, want u32", i, a[i])
	}
	return v, nil
}

func strArg(a []component.Value, i int) (string, error) {
	v, ok := a[i].(string)
	if !ok {
		return "", fmt.Errorf("wasi: argument %d is %T, want string", i, a[i])
	}
	return v, nil
}

func bytesArg(a []component.Value, i int) ([]byte, error) {
	return component.ListOf[uint8](a[i])
}

// res returns the T behind the handle argument i.
func res[T any](h *Host, a []component.Value, i int) (T, error) {
	hd, ok := a[i].(component.Handle)
	if !ok {
		var zero T
		return zero, fmt.Errorf("wasi: argument %d is %T, want a handle", i, a[i])
	}
	return lookup[T](h, hd.Rep)
}

func own(h *Host, v any) component.Handle { return component.Handle{Rep: h.add(v)} }

func byteList(b []byte) []component.Value { return component.ListValue(b) }

func stringList(ss []string) []component.Value { return component.ListValue(ss) }

// streamErrValue is a stream-error: last-operation-failed(own<error>) or
// closed.
func streamErrValue(h *Host, se *streamError) component.Case {
	if se.closed {
		return component.Case{Index: 1}
	}
	return component.Case{Index: 0, Value: own(h, &ioError{se.err})}
}

// streamResult is result<T, stream-error>.
func streamResult(h *Host, v component.Value, se *streamError) component.Value {
	if se != nil {
		return component.Err(streamErrValue(h, se))
	}
	return component.Ok(v)
}

// fsResult is result<T, error-code>.
func fsResult(v component.Value, errno wasi.Errno) component.Value {
	if errno != wasi.ErrnoSuccess {
		return component.Err(component.Case{Index: uint32(errorCode(errno))})
	}
	return component.Ok(v)
}

func datetimeValue(sec int64, nsec int32) component.Value {
	return []component.Value{uint64(sec), uint32(nsec)}
}

func statValue(st *unix.Stat_t) component.Value {
	ts := func(t unix.Timespec) component.Value { return component.Some(datetimeValue(t.Sec, int32(t.Nsec))) }
	return []component.Value{component.Case{Index: uint32(typeOf(st.Mode))}, uint64(st.Nlink), uint64(st.Size),
		ts(st.Atim), ts(st.Mtim), ts(st.Ctim)}
}

func randomValue(h *Host, n uint64) ([]byte, error) {
	b := make([]byte, min(n, maxRead))
	_, err := io.ReadFull(h.random, b)
	return b, err
}

func randomU64Value(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
	b, err := randomValue(h, 8)
	if err != nil {
		return nil, err
	}
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

func randomBytesValue(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
	n, err := u64Arg(a, 0)
	if err != nil {
		return nil, err
	}
	b, err := randomValue(h, n)
	return byteList(b), err
}

func terminalValue(is bool, h *Host, v any) component.Value {
	if !is {
		return component.None()
	}
	return component.Some(own(h, v))
}

func readValue(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
	s, err := res[*inputStream](h, a, 0)
	if err != nil {
		return nil, err
	}
	n, err := u64Arg(a, 1)
	if err != nil {
		return nil, err
	}
	data, se := s.read(ctx, n)
	return streamResult(h, byteList(data), se), nil
}

func skipValue(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
	s, err := res[*inputStream](h, a, 0)
	if err != nil {
		return nil, err
	}
	n, err := u64Arg(a, 1)
	if err != nil {
		return nil, err
	}
	k, se := s.skip(ctx, n)
	return streamResult(h, k, se), nil
}

func writeValue(flush bool) valueFn {
	return func(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
		s, err := res[*outputStream](h, a, 0)
		if err != nil {
			return nil, err
		}
		b, err := bytesArg(a, 1)
		if err != nil {
			return nil, err
		}
		se := s.write(ctx, b)
		if se == nil && flush {
			se = s.flush()
		}
		return streamResult(h, nil, se), nil
	}
}

func writeZeroesValue(flush bool) valueFn {
	return func(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
		s, err := res[*outputStream](h, a, 0)
		if err != nil {
			return nil, err
		}
		n, err := u64Arg(a, 1)
		if err != nil {
			return nil, err
		}
		se := s.write(ctx, make([]byte, min(n, writeBudget)))
		if se == nil && flush {
			se = s.flush()
		}
		return streamResult(h, nil, se), nil
	}
}

func flushValue(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
	s, err := res[*outputStream](h, a, 0)
	if err != nil {
		return nil, err
	}
	return streamResult(h, nil, s.flush()), nil
}

func spliceValue(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
	dst, err := res[*outputStream](h, a, 0)
	if err != nil {
		return nil, err
	}
	src, err := res[*inputStream](h, a, 1)
	if err != nil {
		return nil, err
	}
	n, err := u64Arg(a, 2)
	if err != nil {
		return nil, err
	}
	data, se := src.read(ctx, n)
	if se == nil {
		se = dst.write(ctx, data)
	}
	return streamResult(h, uint64(len(data)), se), nil
}

func subscribeReadyValue[T any](_ context.Context, h *Host, a []component.Value) (component.Value, error) {
	if _, err := res[T](h, a, 0); err != nil {
		return nil, err
	}
	return own(h, &pollable{}), nil
}

// descValue adapts an operation on descriptor argument 0 whose result is
// result<_, error-code>.
func descValue(op func(d *descriptor, a []component.Value) (wasi.Errno, error)) valueFn {
	return func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		d, err := res[*descriptor](h, a, 0)
		if err != nil {
			return nil, err
		}
		errno, err := op(d, a)
		if err != nil {
			return nil, err
		}
		return fsResult(nil, errno), nil
	}
}

// pathValue is descValue for an operation on the path argument 1 beneath
// a mutable directory (descriptor.pathOp).
func pathValue(op func(t *wasi.Resolved) error, checkSlash bool) valueFn {
	return descValue(func(d *descriptor, a []component.Value) (wasi.Errno, error) {
		p, err := strArg(a, 1)
		if err != nil {
			return 0, err
		}
		return d.pathOp(p, op, checkSlash), nil
	})
}

// newStream returns result<own<stream>, error-code> for a stream on
// descriptor argument 0, allowed when check passes.
func newStream(check func(d *descriptor) wasi.Errno, make func(d *descriptor, a []component.Value) (any, error)) valueFn {
	return func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		d, err := res[*descriptor](h, a, 0)
		if err != nil {
			return nil, err
		}
		s, err := make(d, a)
		if err != nil {
			return nil, err
		}
		if errno := check(d); errno != wasi.ErrnoSuccess {
			return fsResult(nil, errno), nil
		}
		return fsResult(own(h, s), wasi.ErrnoSuccess), nil
	}
}

// valueInterfaces maps each interface served to components to its
// functions over values.
var valueInterfaces = map[string]map[string]valueFn{
	"wasi:cli/environment": {
		"get-environment": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
			out := make([]component.Value, len(h.env))
			for i, e := range h.env {
				k, v, _ := strings.Cut(e, "=")
				out[i] = []component.Value{k, v}
			}
			return out, nil
		},
		"get-arguments": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
			return stringList(h.args), nil
		},
		// initial-cwd: none; a guest's relative paths have no ambient base.
		"initial-cwd": func(context.Context, *Host, []component.Value) (component.Value, error) { return component.None(), nil },
	},
	"wasi:cli/exit": {
		"exit": func(_ context.Context, _ *Host, a []component.Value) (component.Value, error) {
			if c, ok := a[0].(component.Case); ok && c.Index == 0 {
				return nil, &wasi.ExitError{Code: 0}
			}
			return nil, &wasi.ExitError{Code: 1}
		},
		"exit-with-code": func(_ context.Context, _ *Host, a []component.Value) (component.Value, error) {
			code, ok := a[0].(uint8)
			if !ok {
				return nil, fmt.Errorf("wasi: argument 0 is %T, want u8", a[0])
			}
			return nil, &wasi.ExitError{Code: uint32(code)}
		},
	},
	"wasi:cli/stdin": {"get-stdin": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		return own(h, h.stdin), nil
	}},
	"wasi:cli/stdout": {"get-stdout": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		return own(h, h.stdout), nil
	}},
	"wasi:cli/stderr": {"get-stderr": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		return own(h, h.stderr), nil
	}},
	"wasi:cli/terminal-input":  {},
	"wasi:cli/terminal-output": {},
	"wasi:cli/terminal-stdin": {"get-terminal-stdin": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		return terminalValue(h.stdin.terminal, h, &terminalInput{}), nil
	}},
	"wasi:cli/terminal-stdout": {"get-terminal-stdout": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		return terminalValue(h.stdout.terminal, h, &terminalOutput{}), nil
	}},
	"wasi:cli/terminal-stderr": {"get-terminal-stderr": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		return terminalValue(h.stderr.terminal, h, &terminalOutput{}), nil
	}},
	"wasi:clocks/monotonic-clock": {
		"now": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
			return uint64(h.monotonic()), nil
		},
		"resolution": func(context.Context, *Host, []component.Value) (component.Value, error) { return uint64(1), nil },
		"subscribe-instant": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
			t, err := u64Arg(a, 0)
			if err != nil {
				return nil, err
			}
			return own(h, &pollable{clock: true, deadline: int64(min(t, 1<<62))}), nil
		},
		"subscribe-duration": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
			d, err := u64Arg(a, 0)
			if err != nil {
				return nil, err
			}
			return own(h, &pollable{clock: true, deadline: h.monotonic() + int64(min(d, 1<<62))}), nil
		},
	},
	"wasi:clocks/wall-clock": {
		"now": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
			t := h.now()
			return datetimeValue(t.Unix(), int32(t.Nanosecond())), nil
		},
		"resolution": func(context.Context, *Host, []component.Value) (component.Value, error) {
			return datetimeValue(0, 1), nil
		},
	},
	"wasi:random/random":   {"get-random-bytes": randomBytesValue, "get-random-u64": randomU64Value},
	"wasi:random/insecure": {"get-insecure-random-bytes": randomBytesValue, "get-insecure-random-u64": randomU64Value},
	"wasi:random/insecure-seed": {"insecure-seed": func(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
		x, err := randomU64Value(ctx, h, a)
		if err != nil {
			return nil, err
		}
		y, err := randomU64Value(ctx, h, a)
		return []component.Value{x, y}, err
	}},
	"wasi:io/error": {"[method]error.to-debug-string": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
		e, err := res[*ioError](h, a, 0)
		if err != nil {
			return nil, err
		}
		if e.err == nil {
			return "error", nil
		}
		return e.err.Error(), nil
	}},
	"wasi:io/poll": {
		"[method]pollable.ready": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
			p, err := res[*pollable](h, a, 0)
			if err != nil {
				return nil, err
			}
			return h.ready(p), nil
		},
		"[method]pollable.block": func(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
			p, err := res[*pollable](h, a, 0)
			if err != nil {
				return nil, err
			}
			_, err = h.poll(ctx, []*pollable{p})
			return nil, err
		},
		"poll": func(ctx context.Context, h *Host, a []component.Value) (component.Value, error) {
			hs, err := component.ListOf[component.Handle](a[0])
			if err != nil {
				return nil, err
			}
			if len(hs) == 0 {
				return nil, errEmptyPoll
			}
			ps := make([]*pollable, len(hs))
			for i, hd := range hs {
				if ps[i], err = lookup[*pollable](h, hd.Rep); err != nil {
					return nil, err
				}
			}
			ready, err := h.poll(ctx, ps)
			return component.ListValue(ready), err
		},
	},
	"wasi:io/streams": {
		"[method]input-stream.read":                             readValue,
		"[method]input-stream.blocking-read":                    readValue,
		"[method]input-stream.skip":                             skipValue,
		"[method]input-stream.blocking-skip":                    skipValue,
		"[method]input-stream.subscribe":                        subscribeReadyValue[*inputStream],
		"[method]output-stream.write":                           writeValue(false),
		"[method]output-stream.blocking-write-and-flush":        writeValue(true),
		"[method]output-stream.flush":                           flushValue,
		"[method]output-stream.blocking-flush":                  flushValue,
		"[method]output-stream.subscribe":                       subscribeReadyValue[*outputStream],
		"[method]output-stream.write-zeroes":                    writeZeroesValue(false),
		"[method]output-stream.blocking-write-zeroes-and-flush": writeZeroesValue(true),
		"[method]output-stream.splice":                          spliceValue,
		"[method]output-stream.blocking-splice":                 spliceValue,
		"[method]output-stream.check-write": func(_ context.Context, h *Host, a []component.Value) (component.Value, error) {
			s, err := res[*outputStream](h, a, 0)
			if err != nil {
				return nil, err
			}
			if s.failed != nil {
				return streamResult(h, nil, &streamError{closed: true}), nil
			}
			return streamResult(h, uint64(writeBudget), nil), nil
		},
	},
	"wasi:filesystem/preopens": {"get-directories": func(_ context.Context, h *Host, _ []component.Value) (component.Value, error) {
		out := make([]component.Value, len(h.preopens))
		for i, p := range h.preopens {
			out[i] = []component.Value{own(h, p.dir), p.path}
		}
		return out, nil
	}},
	"wasi:filesystem/types": filesystemValues,
}
