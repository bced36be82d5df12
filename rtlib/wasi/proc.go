package wasi

import (
	"context"
	"io"
	"runtime"
)

// Arguments, environment, clocks, randomness and scheduling.

func (w *WASI) argsSizesGet(_ context.Context, m memory, a []uint64) Errno {
	return writeSizes(m, w.args, uint32(a[0]), uint32(a[1]))
}

func (w *WASI) argsGet(_ context.Context, m memory, a []uint64) Errno {
	return writeStrings(m, w.args, uint32(a[0]), uint32(a[1]))
}

func (w *WASI) environSizesGet(_ context.Context, m memory, a []uint64) Errno {
	return writeSizes(m, w.env, uint32(a[0]), uint32(a[1]))
}

func (w *WASI) environGet(_ context.Context, m memory, a []uint64) Errno {
	return writeStrings(m, w.env, uint32(a[0]), uint32(a[1]))
}

// writeSizes stores the count of strs and the bytes they need with NUL
// terminators.
func writeSizes(m memory, strs []string, countPtr, sizePtr uint32) Errno {
	size := 0
	for _, s := range strs {
		size += len(s) + 1
	}
	if _, e := m.slice(sizePtr, 4); e != ErrnoSuccess {
		return e
	}
	if e := m.writeU32(countPtr, uint32(len(strs))); e != ErrnoSuccess {
		return e
	}
	return m.writeU32(sizePtr, uint32(size))
}

// writeStrings stores strs NUL-terminated from buf and a pointer to each
// at ptrs. Both areas are checked before anything is written.
func writeStrings(m memory, strs []string, ptrs, buf uint32) Errno {
	size := 0
	for _, s := range strs {
		size += len(s) + 1
	}
	ptrArea, e := m.slice(ptrs, uint32(4*len(strs)))
	if e != ErrnoSuccess {
		return e
	}
	data, e := m.slice(buf, uint32(size))
	if e != ErrnoSuccess {
		return e
	}
	off := 0
	for i, s := range strs {
		le.PutUint32(ptrArea[4*i:], buf+uint32(off))
		off += copy(data[off:], s)
		data[off] = 0
		off++
	}
	return ErrnoSuccess
}

// clock returns the current value of a WASI clock in nanoseconds. The CPU
// time clocks count the instance's elapsed monotonic time: reporting the
// host process's CPU time would leak what other instances do.
func (w *WASI) clock(id uint32) (uint64, Errno) {
	switch id {
	case clockRealtime:
		return uint64(w.now().UnixNano()), ErrnoSuccess
	case clockMonotonic, clockProcessCPUTime, clockThreadCPUTime:
		return uint64(w.monotonic()), ErrnoSuccess
	}
	return 0, ErrnoInval
}

func (w *WASI) clockResGet(_ context.Context, m memory, a []uint64) Errno {
	if _, e := w.clock(uint32(a[0])); e != ErrnoSuccess {
		return e
	}
	return m.writeU64(uint32(a[1]), 1)
}

func (w *WASI) clockTimeGet(_ context.Context, m memory, a []uint64) Errno {
	t, e := w.clock(uint32(a[0]))
	if e != ErrnoSuccess {
		return e
	}
	return m.writeU64(uint32(a[2]), t)
}

func (w *WASI) randomGet(_ context.Context, m memory, a []uint64) Errno {
	buf, e := m.slice(uint32(a[0]), uint32(a[1]))
	if e != ErrnoSuccess {
		return e
	}
	if _, err := io.ReadFull(w.random, buf); err != nil {
		return ErrnoIo
	}
	return ErrnoSuccess
}

func (w *WASI) schedYield(context.Context, memory, []uint64) Errno {
	runtime.Gosched()
	return ErrnoSuccess
}
