package component

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wasmaot/wasmaot/rtlib"
	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Trap is a trap the canonical ABI requires (invalid UTF-8, a bad
// discriminant, an out-of-bounds pointer, re-entrance, a misused handle,
// …). It unwinds the whole component call, as a core trap does.
type Trap struct{ Msg string }

func (t *Trap) Error() string { return "component trap: " + t.Msg }

// trap unwinds lifting and lowering; callers recover it into an error.
func trap(format string, args ...any) { panic(&Trap{Msg: fmt.Sprintf(format, args...)}) }

// maxStringBytes bounds a string's length in code units, as the spec's
// tagged 31-bit length does.
const maxStringBytes = 1<<31 - 1

// cx is the context of lifting or lowering values of one canonical
// function: its options and the component instance whose memory and
// handles they reach.
type cx struct {
	ctx     context.Context
	inst    *Instance
	comp    *compInstance
	opts    *Options
	mem     *rtlib.Memory
	realloc *rtlib.Func
	scope   *callScope // the call borrows are lent into (lowering into a guest)
	lent    []*handle  // handles lent out of comp for the duration of a host call
	// elements is how many more list elements lifting may make Go
	// values of (Config.MaxLiftedElements): a guest's list costs the
	// host some 16 bytes or more per element, far more than its memory.
	elements int
}

func (c *cx) bytes() []byte {
	if c.mem == nil {
		trap("the canonical function has no memory option")
	}
	return c.mem.Bytes()
}

// check traps unless [ptr, ptr+size) is in memory and ptr is aligned.
func (c *cx) check(ptr, size, align uint32) []byte {
	b := c.bytes()
	if ptr%align != 0 {
		trap("pointer %#x is not %d-byte aligned", ptr, align)
	}
	if uint64(ptr)+uint64(size) > uint64(len(b)) {
		trap("%d bytes at %#x are out of bounds of the %d-byte memory", size, ptr, len(b))
	}
	return b[ptr : ptr+size]
}

// alloc calls realloc(0, 0, align, size) and checks the result.
func (c *cx) alloc(size, align uint32) uint32 {
	if c.realloc == nil {
		trap("the canonical function has no realloc option")
	}
	res, err := c.realloc.Call(c.ctx, uint64(0), uint64(0), uint64(align), uint64(size))
	if err != nil {
		panic(err)
	}
	ptr := uint32(res[0])
	c.check(ptr, size, align)
	return ptr
}

// Loading from memory.

func (c *cx) load(ptr uint32, t *Type) Value {
	b := c.check(ptr, Size(t), Align(t))
	switch t.Kind {
	case Bool:
		return b[0] != 0
	case S8:
		return int8(b[0])
	case U8:
		return b[0]
	case S16:
		return int16(binary.LittleEndian.Uint16(b))
	case U16:
		return binary.LittleEndian.Uint16(b)
	case S32:
		return int32(binary.LittleEndian.Uint32(b))
	case U32:
		return binary.LittleEndian.Uint32(b)
	case S64:
		return int64(binary.LittleEndian.Uint64(b))
	case U64:
		return binary.LittleEndian.Uint64(b)
	case F32:
		return liftF32(binary.LittleEndian.Uint32(b))
	case F64:
		return liftF64(binary.LittleEndian.Uint64(b))
	case Char:
		return liftChar(binary.LittleEndian.Uint32(b))
	case String:
		return c.loadString(binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]))
	case List:
		return c.loadList(binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), t.Elem)
	case Record, Tuple:
		out := make([]Value, len(t.Fields))
		off := ptr
		for i, f := range t.Fields {
			off = alignTo(off, Align(f.Type))
			out[i] = c.load(off, f.Type)
			off += Size(f.Type)
		}
		return out
	case Variant, Enum, Option, Result:
		cs := cases(t)
		var d uint32
		switch discSize(len(cs)) {
		case 1:
			d = uint32(b[0])
		case 2:
			d = uint32(binary.LittleEndian.Uint16(b))
		default:
			d = binary.LittleEndian.Uint32(b)
		}
		if d >= uint32(len(cs)) {
			trap("%s discriminant %d out of range (%d cases)", t.Kind, d, len(cs))
		}
		if cs[d] == nil {
			return Case{Index: d}
		}
		return Case{Index: d, Value: c.load(ptr+payloadOffset(t), cs[d])}
	case Flags:
		var v uint32
		for i := range b {
			v |= uint32(b[i]) << (8 * i)
		}
		return v & flagsMask(len(t.Labels))
	case Own, Borrow:
		return c.liftHandle(binary.LittleEndian.Uint32(b), t)
	}
	trap("cannot load a %s", t.Kind)
	return nil
}

func flagsMask(n int) uint32 {
	if n >= 32 {
		return math.MaxUint32
	}
	return 1<<n - 1
}

var (
	canonicalNaN32 = math.Float32frombits(0x7fc00000)
	canonicalNaN64 = math.Float64frombits(0x7ff8000000000000)
)

func liftF32(bits uint32) float32 {
	f := math.Float32frombits(bits)
	if f != f {
		return canonicalNaN32
	}
	return f
}

func liftF64(bits uint64) float64 {
	f := math.Float64frombits(bits)
	if f != f {
		return canonicalNaN64
	}
	return f
}

func lowerF32(f float32) uint32 {
	if f != f {
		return 0x7fc00000
	}
	return math.Float32bits(f)
}

func lowerF64(f float64) uint64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return math.Float64bits(f)
}

func liftChar(i uint32) rune {
	if i >= 0x110000 || (i >= 0xd800 && i <= 0xdfff) {
		trap("%#x is not a Unicode scalar value", i)
	}
	return rune(i)
}

func (c *cx) loadString(ptr, tagged uint32) string {
	switch c.opts.Encoding {
	case UTF8:
		b := c.check(ptr, tagged, 1)
		if !utf8.Valid(b) {
			trap("string is not valid UTF-8")
		}
		return string(b)
	case UTF16:
		return decodeUTF16(c.check(ptr, mul(tagged, 2), 2))
	default: // latin1+utf16
		if tagged&(1<<31) != 0 {
			return decodeUTF16(c.check(ptr, mul(tagged&^(1<<31), 2), 2))
		}
		b := c.check(ptr, tagged, 2)
		r := make([]rune, len(b))
		for i, x := range b {
			r[i] = rune(x)
		}
		return string(r)
	}
}

func mul(n, size uint32) uint32 {
	p := uint64(n) * uint64(size)
	if p > math.MaxUint32 {
		trap("length %d overflows memory", n)
	}
	return uint32(p)
}

func decodeUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	for i := 0; i < len(u); i++ {
		switch {
		case u[i] >= 0xd800 && u[i] < 0xdc00:
			if i+1 >= len(u) || u[i+1] < 0xdc00 || u[i+1] > 0xdfff {
				trap("string is not valid UTF-16: unpaired surrogate")
			}
			i++
		case u[i] >= 0xdc00 && u[i] <= 0xdfff:
			trap("string is not valid UTF-16: unpaired surrogate")
		}
	}
	return string(utf16.Decode(u))
}

func (c *cx) loadList(ptr, n uint32, elem *Type) []Value {
	size := Size(elem)
	c.check(ptr, mul(n, size), Align(elem))
	if int64(n) > int64(c.elements) {
		trap("lifting a list of %d elements would exceed the %d list elements one call may lift (Config.MaxLiftedElements)", n, c.elements)
	}
	c.elements -= int(n)
	out := make([]Value, n)
	for i := range out {
		out[i] = c.load(ptr+uint32(i)*size, elem)
	}
	return out
}

// Storing into memory.

func (c *cx) store(v Value, t *Type, ptr uint32) {
	c.check(ptr, Size(t), Align(t))
	switch t.Kind {
	case Bool, S8, U8, S16, U16, S32, U32, Char, Enum:
		c.putInt(ptr, Size(t), uint64(c.coreI32(v, t)))
	case S64, U64:
		binary.LittleEndian.PutUint64(c.bytes()[ptr:], c.coreI64(v, t))
	case F32:
		binary.LittleEndian.PutUint32(c.bytes()[ptr:], lowerF32(as[float32](v, t)))
	case F64:
		binary.LittleEndian.PutUint64(c.bytes()[ptr:], lowerF64(as[float64](v, t)))
	case String:
		p, n := c.storeString(as[string](v, t))
		b := c.bytes()
		binary.LittleEndian.PutUint32(b[ptr:], p)
		binary.LittleEndian.PutUint32(b[ptr+4:], n)
	case List:
		p, n := c.storeList(as[[]Value](v, t), t.Elem)
		b := c.bytes()
		binary.LittleEndian.PutUint32(b[ptr:], p)
		binary.LittleEndian.PutUint32(b[ptr+4:], n)
	case Record, Tuple:
		fs := fieldsOf(v, t)
		off := ptr
		for i, f := range t.Fields {
			off = alignTo(off, Align(f.Type))
			c.store(fs[i], f.Type, off)
			off += Size(f.Type)
		}
	case Variant, Option, Result:
		cv, payload := caseOf(v, t)
		c.putInt(ptr, discSize(len(cases(t))), uint64(cv.Index))
		if payload != nil {
			c.store(cv.Value, payload, ptr+payloadOffset(t))
		}
	case Flags:
		c.putInt(ptr, Size(t), uint64(as[uint32](v, t)&flagsMask(len(t.Labels))))
	case Own, Borrow:
		c.putInt(ptr, 4, uint64(c.lowerHandle(as[Handle](v, t), t)))
	default:
		trap("cannot store a %s", t.Kind)
	}
}

func (c *cx) putInt(ptr, size uint32, v uint64) {
	b := c.bytes()[ptr:]
	switch size {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	}
}

// as converts a Go value to the representation of t, or traps: the host
// passed a value of the wrong shape.
func as[T any](v Value, t *Type) T {
	x, ok := v.(T)
	if !ok {
		var zero T
		panic(fmt.Errorf("component: a %s needs a Go %T, got %T", t, zero, v))
	}
	return x
}

func fieldsOf(v Value, t *Type) []Value {
	fs := as[[]Value](v, t)
	if len(fs) != len(t.Fields) {
		panic(fmt.Errorf("component: %s has %d fields, got %d values", t, len(t.Fields), len(fs)))
	}
	return fs
}

// caseOf checks a variant-like value and returns its payload type.
func caseOf(v Value, t *Type) (Case, *Type) {
	cv := as[Case](v, t)
	cs := cases(t)
	if cv.Index >= uint32(len(cs)) {
		panic(fmt.Errorf("component: case %d of %s out of range", cv.Index, t))
	}
	if cs[cv.Index] != nil && cv.Value == nil {
		panic(fmt.Errorf("component: case %d of %s needs a payload", cv.Index, t))
	}
	return cv, cs[cv.Index]
}

// coreI32 is the i32 a value of an i32-flattened scalar type lowers to.
func (c *cx) coreI32(v Value, t *Type) uint32 {
	switch t.Kind {
	case Bool:
		if as[bool](v, t) {
			return 1
		}
		return 0
	case S8:
		return uint32(int32(as[int8](v, t)))
	case U8:
		return uint32(as[uint8](v, t))
	case S16:
		return uint32(int32(as[int16](v, t)))
	case U16:
		return uint32(as[uint16](v, t))
	case S32:
		return uint32(as[int32](v, t))
	case U32:
		return as[uint32](v, t)
	case Char:
		r := as[rune](v, t)
		if r < 0 || r >= 0x110000 || (r >= 0xd800 && r <= 0xdfff) {
			panic(fmt.Errorf("component: %#x is not a Unicode scalar value", r))
		}
		return uint32(r)
	case Enum:
		cv := as[Case](v, t)
		if cv.Index >= uint32(len(t.Labels)) {
			panic(fmt.Errorf("component: enum case %d out of range", cv.Index))
		}
		return cv.Index
	}
	panic(fmt.Errorf("component: %s is not an i32 scalar", t))
}

func (c *cx) coreI64(v Value, t *Type) uint64 {
	if t.Kind == S64 {
		return uint64(as[int64](v, t))
	}
	return as[uint64](v, t)
}

func (c *cx) storeString(s string) (ptr, tagged uint32) {
	switch c.opts.Encoding {
	case UTF8:
		if len(s) > maxStringBytes {
			trap("string too long")
		}
		if !utf8.ValidString(s) {
			panic(fmt.Errorf("component: string is not valid UTF-8"))
		}
		ptr = c.alloc(uint32(len(s)), 1)
		copy(c.bytes()[ptr:], s)
		return ptr, uint32(len(s))
	case UTF16:
		u := utf16.Encode([]rune(s))
		return c.storeUTF16(u), uint32(len(u))
	default:
		rs := []rune(s)
		latin1 := true
		for _, r := range rs {
			if r > 0xff {
				latin1 = false
				break
			}
		}
		if !latin1 {
			u := utf16.Encode(rs)
			return c.storeUTF16(u), uint32(len(u)) | 1<<31
		}
		if len(rs) > maxStringBytes>>1 {
			trap("string too long")
		}
		ptr = c.alloc(uint32(len(rs)), 2)
		b := c.bytes()[ptr:]
		for i, r := range rs {
			b[i] = byte(r)
		}
		return ptr, uint32(len(rs))
	}
}

func (c *cx) storeUTF16(u []uint16) uint32 {
	if len(u) > maxStringBytes>>1 {
		trap("string too long")
	}
	ptr := c.alloc(uint32(2*len(u)), 2)
	b := c.bytes()[ptr:]
	for i, x := range u {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return ptr
}

func (c *cx) storeList(vs []Value, elem *Type) (ptr, n uint32) {
	size := Size(elem)
	total := uint64(len(vs)) * uint64(size)
	if total > math.MaxUint32 {
		trap("list too long")
	}
	ptr = c.alloc(uint32(total), Align(elem))
	for i, v := range vs {
		c.store(v, elem, ptr+uint32(i)*size)
	}
	return ptr, uint32(len(vs))
}

// Flat lifting and lowering.

// flatReader yields core values of a flattened value one by one, each
// reinterpreted from the core type it arrives as.
type flatReader struct {
	vals  []uint64
	types []abi.ValType
	i     int
}

func (r *flatReader) next(want abi.ValType) uint64 {
	v, have := r.vals[r.i], r.types[r.i]
	r.i++
	switch {
	case have == want:
		if have == abi.I32 || have == abi.F32 {
			return v & 0xffffffff
		}
		return v
	case have == abi.I32 || want == abi.I32 || want == abi.F32:
		return v & 0xffffffff
	}
	return v // i64 → i64/f64 carry the bits as they are
}

func (c *cx) liftFlat(r *flatReader, t *Type) Value {
	switch t.Kind {
	case Bool:
		return r.next(abi.I32) != 0
	case S8:
		return int8(r.next(abi.I32))
	case U8:
		return uint8(r.next(abi.I32))
	case S16:
		return int16(r.next(abi.I32))
	case U16:
		return uint16(r.next(abi.I32))
	case S32:
		return int32(uint32(r.next(abi.I32)))
	case U32:
		return uint32(r.next(abi.I32))
	case S64:
		return int64(r.next(abi.I64))
	case U64:
		return r.next(abi.I64)
	case F32:
		return liftF32(uint32(r.next(abi.F32)))
	case F64:
		return liftF64(r.next(abi.F64))
	case Char:
		return liftChar(uint32(r.next(abi.I32)))
	case String:
		p, n := uint32(r.next(abi.I32)), uint32(r.next(abi.I32))
		return c.loadString(p, n)
	case List:
		p, n := uint32(r.next(abi.I32)), uint32(r.next(abi.I32))
		return c.loadList(p, n, t.Elem)
	case Record, Tuple:
		out := make([]Value, len(t.Fields))
		for i, f := range t.Fields {
			out[i] = c.liftFlat(r, f.Type)
		}
		return out
	case Enum:
		d := uint32(r.next(abi.I32))
		if d >= uint32(len(t.Labels)) {
			trap("enum discriminant %d out of range (%d cases)", d, len(t.Labels))
		}
		return Case{Index: d}
	case Variant, Option, Result:
		cs := cases(t)
		d := uint32(r.next(abi.I32))
		if d >= uint32(len(cs)) {
			trap("%s discriminant %d out of range (%d cases)", t.Kind, d, len(cs))
		}
		joined := joinedPayload(cs)
		end := r.i + len(joined)
		var out Case
		out.Index = d
		if cs[d] != nil {
			// The case's own flattening is read out of the joined slots.
			sub := &flatReader{vals: r.vals[r.i:end], types: r.types[r.i:end]}
			out.Value = c.liftFlat(sub, cs[d])
		}
		r.i = end
		return out
	case Flags:
		v := uint32(r.next(abi.I32))
		return v & flagsMask(len(t.Labels))
	case Own, Borrow:
		return c.liftHandle(uint32(r.next(abi.I32)), t)
	}
	trap("cannot lift a %s", t.Kind)
	return nil
}

// lowerFlat appends v's flattening (as uint64 slots) to dst.
func (c *cx) lowerFlat(dst []uint64, v Value, t *Type) []uint64 {
	switch t.Kind {
	case Bool, S8, U8, S16, U16, S32, U32, Char, Enum:
		return append(dst, uint64(c.coreI32(v, t)))
	case S64, U64:
		return append(dst, c.coreI64(v, t))
	case F32:
		return append(dst, uint64(lowerF32(as[float32](v, t))))
	case F64:
		return append(dst, lowerF64(as[float64](v, t)))
	case String:
		p, n := c.storeString(as[string](v, t))
		return append(dst, uint64(p), uint64(n))
	case List:
		p, n := c.storeList(as[[]Value](v, t), t.Elem)
		return append(dst, uint64(p), uint64(n))
	case Record, Tuple:
		fs := fieldsOf(v, t)
		for i, f := range t.Fields {
			dst = c.lowerFlat(dst, fs[i], f.Type)
		}
		return dst
	case Variant, Option, Result:
		cv, payload := caseOf(v, t)
		joined := joinedPayload(cases(t))
		dst = append(dst, uint64(cv.Index))
		start := len(dst)
		if payload != nil {
			dst = c.lowerFlat(dst, cv.Value, payload)
			// A narrower payload in a wider joined slot: f32 bits widen to
			// i32/i64 as they are, f64 is already 64 bits.
		}
		for len(dst) < start+len(joined) {
			dst = append(dst, 0)
		}
		return dst
	case Flags:
		return append(dst, uint64(as[uint32](v, t)&flagsMask(len(t.Labels))))
	case Own, Borrow:
		return append(dst, uint64(c.lowerHandle(as[Handle](v, t), t)))
	}
	trap("cannot lower a %s", t.Kind)
	return nil
}
