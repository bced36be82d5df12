package wasi

import "encoding/binary"

// memory is the caller's linear memory for the duration of one host call.
// Every accessor checks the guest pointer and length against the memory's
// size and answers ErrnoFault when they fall outside it.
type memory []byte

var le = binary.LittleEndian

// slice returns the n bytes at ptr, or ErrnoFault.
func (m memory) slice(ptr, n uint32) ([]byte, Errno) {
	end := uint64(ptr) + uint64(n)
	if end > uint64(len(m)) {
		return nil, ErrnoFault
	}
	return m[ptr:end:end], ErrnoSuccess
}

func (m memory) readU32(ptr uint32) (uint32, Errno) {
	b, e := m.slice(ptr, 4)
	if e != ErrnoSuccess {
		return 0, e
	}
	return le.Uint32(b), ErrnoSuccess
}

func (m memory) writeU32(ptr, v uint32) Errno {
	b, e := m.slice(ptr, 4)
	if e == ErrnoSuccess {
		le.PutUint32(b, v)
	}
	return e
}

func (m memory) writeU64(ptr uint32, v uint64) Errno {
	b, e := m.slice(ptr, 8)
	if e == ErrnoSuccess {
		le.PutUint64(b, v)
	}
	return e
}

// str reads a guest string (not NUL-terminated). WASI paths are bytes;
// no UTF-8 validation is applied.
func (m memory) str(ptr, n uint32) (string, Errno) {
	b, e := m.slice(ptr, n)
	if e != ErrnoSuccess {
		return "", e
	}
	return string(b), ErrnoSuccess
}

// iovMax is the most iovecs one call may pass, as Linux's IOV_MAX; more
// answer ErrnoInval, as readv and writev do.
const iovMax = 1024

// iovecs resolves an array of n iovec (or ciovec) structs at ptr into
// slices of guest memory, checking every element.
func (m memory) iovecs(ptr, n uint32) ([][]byte, Errno) {
	if n > iovMax {
		return nil, ErrnoInval
	}
	arr, e := m.slice(ptr, n*sizeIovec)
	if e != ErrnoSuccess {
		return nil, e
	}
	bufs := make([][]byte, n)
	for i := range bufs {
		p := le.Uint32(arr[i*sizeIovec:])
		l := le.Uint32(arr[i*sizeIovec+4:])
		if bufs[i], e = m.slice(p, l); e != ErrnoSuccess {
			return nil, e
		}
	}
	return bufs, ErrnoSuccess
}

// concat joins the buffers of a stream or socket write into one. Buffers
// may overlap, so their total can exceed the memory they live in: it is
// cut at the caller's memory size (a short write, which the guest sees in
// nwritten), so the host never copies more than the guest's memory holds.
func (m memory) concat(bufs [][]byte) []byte {
	if len(bufs) == 1 {
		return bufs[0]
	}
	total := 0
	for _, b := range bufs {
		total += len(b)
	}
	out := make([]byte, 0, min(total, len(m)))
	for _, b := range bufs {
		out = append(out, b[:min(len(b), cap(out)-len(out))]...)
	}
	return out
}
