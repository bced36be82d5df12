package component

import (
	"fmt"
	"unicode/utf8"
)

// Error is a malformed or invalid component, found at byte Offset of the
// outermost binary.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("component at %#x: %s", e.Offset, e.Msg) }

// bail is panicked by the reader and validator and recovered by Parse,
// which turns it into the returned error; nothing else panics through
// here.
type bail struct{ err *Error }

// reader decodes one section's bytes. base is the offset of b[0] in the
// outermost binary, so errors point at the right byte.
type reader struct {
	b    []byte
	i    int
	base int
}

func (r *reader) off() int { return r.base + r.i }

func (r *reader) fail(format string, args ...any) {
	panic(bail{&Error{Offset: r.off(), Msg: fmt.Sprintf(format, args...)}})
}

func (r *reader) done() bool { return r.i >= len(r.b) }

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.fail("unexpected end")
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *reader) peek() byte {
	if r.i >= len(r.b) {
		r.fail("unexpected end")
	}
	return r.b[r.i]
}

func (r *reader) u32() uint32 {
	var v uint32
	for n := 0; n < 5; n++ {
		c := r.byte()
		if n == 4 && c > 0x0f {
			r.fail("integer too large")
		}
		v |= uint32(c&0x7f) << (7 * n)
		if c&0x80 == 0 {
			return v
		}
	}
	r.fail("integer representation too long")
	return 0
}

// idx reads an index as an int.
func (r *reader) idx() int { return int(r.u32()) }

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b)-r.i {
		r.fail("unexpected end: %d bytes wanted, %d left", n, len(r.b)-r.i)
	}
	s := r.b[r.i : r.i+n]
	r.i += n
	return s
}

func (r *reader) name() string {
	n := r.u32()
	s := r.bytes(int(n))
	if !utf8.Valid(s) {
		r.i -= len(s)
		r.fail("malformed UTF-8 encoding")
	}
	return string(s)
}

// count reads a vector length, refusing one that cannot fit in what is
// left (each element takes at least one byte), so no length allocates
// more than the input justifies.
func (r *reader) count() int {
	n := r.u32()
	if int64(n) > int64(len(r.b)-r.i) {
		r.fail("vector length %d exceeds the %d bytes left", n, len(r.b)-r.i)
	}
	return int(n)
}

// opt reads the 0x00 / 0x01 prefix of an optional immediate.
func (r *reader) opt() bool {
	switch c := r.byte(); c {
	case 0:
		return false
	case 1:
		return true
	default:
		r.i--
		r.fail("malformed optional: %#x", c)
	}
	return false
}
