package llvm

import (
	"strconv"
)

// This file writes LLVM's textual IR directly: values are (type, operand
// text) pairs, and each block appends its instructions to a byte buffer
// as they are built. See doc.go for why this replaced github.com/llir/llvm.
//
// Local values are named %v<n> and blocks by label, so the text is valid
// in any order of definition (LLVM requires unnamed %<n> values to be
// numbered in textual order, which blocks filled out of order would
// break).

// value is an SSA value or constant operand: its type and how an operand
// spells it (a local %v<id> when lit is empty).
type value struct {
	t   *llType
	id  int32
	lit string
}

// Type returns v's type.
func (v value) Type() *llType { return v.t }

// valid reports whether v holds a value (the zero value does not).
func (v value) valid() bool { return v.t != nil }

func appendRef(dst []byte, v value) []byte {
	if v.lit != "" {
		return append(dst, v.lit...)
	}
	dst = append(dst, "%v"...)
	return strconv.AppendInt(dst, int64(v.id), 10)
}

func appendTyped(dst []byte, v value) []byte {
	dst = append(dst, v.t.str...)
	dst = append(dst, ' ')
	return appendRef(dst, v)
}

// Constants.

func constInt(t *llType, x int64) value { return value{t: t, lit: strconv.FormatInt(x, 10)} }
func i32c(v int64) value                { return constInt(tI32, int64(int32(v))) }
func i64c(v int64) value                { return constInt(tI64, v) }
func u32c(v uint32) value               { return i32c(int64(v)) }

var falseC = value{t: tI1, lit: "false"}

// bitsConst is the float or double with the given bits, exactly (NaN
// payloads included), as a constant bitcast of the integer.
func bitsConst(t *llType, bits int64) value {
	it := i64c(bits)
	if t == tFloat {
		it = i32c(bits)
	}
	return value{t: t, lit: "bitcast (" + it.t.str + " " + it.lit + " to " + t.str + ")"}
}

// vecConst is the vector constant of type t with the given lanes.
func vecConst(t *llType, elems ...value) value {
	b := []byte{'<'}
	for i, e := range elems {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendTyped(b, e)
	}
	return value{t: t, lit: string(append(b, '>'))}
}

func zeroOf(t *llType) value  { return value{t: t, lit: "zeroinitializer"} }
func undefOf(t *llType) value { return value{t: t, lit: "undef"} }

// mdString is a metadata string operand (!"…") for intrinsics.
func mdString(s string) value { return value{t: tMetadata, lit: "!\"" + s + "\""} }

// block is a basic block under construction. Phis are kept apart because
// their incoming values arrive with the branches into the block; the
// terminator is kept apart because values hoisted into the entry block
// are appended after its branch was written.
type block struct {
	fn    *function
	label string
	phis  []*phi
	body  []byte
	term  []byte
}

type phi struct {
	v    value
	incs []incoming
}

type incoming struct {
	v    value
	from *block
}

// function is a function declared or defined in one LLVM module.
type function struct {
	name     string
	sig      *llType // function type
	params   []value
	vmctx    bool // the first parameter is a VMContext: record its attributes
	external bool // an intrinsic: declared without attributes
	noinline bool // a frame-checked body: never inlined into its thunk
	defined  bool
	blocks   []*block
	allocas  []*slotArea
	nextID   int32
	nextAnon int
}

// slotArea is an entry-block alloca of count i64 slots; count may grow
// until the function is written.
type slotArea struct {
	v     value
	count uint64
}

// ref is the function as a call operand.
func (f *function) ref() value { return value{t: ptrTo(f.sig), lit: "@" + f.name} }

func (f *function) newLocal(t *llType) value {
	v := value{t: t, id: f.nextID}
	f.nextID++
	return v
}

// NewBlock appends a block; an empty label gets a fresh one.
func (f *function) NewBlock(label string) *block {
	if label == "" {
		label = "c" + strconv.Itoa(f.nextAnon)
		f.nextAnon++
	}
	b := &block{fn: f, label: label}
	f.blocks = append(f.blocks, b)
	return b
}

// slots allocates an area of n i64 slots in the entry block (a static
// alloca) and returns its i64* address.
func (f *function) slots(n uint64) *slotArea {
	a := &slotArea{v: f.newLocal(ptrTo(tI64)), count: n}
	f.allocas = append(f.allocas, a)
	return a
}

// Instructions. Each appends one line to the block and returns its result.

// begin starts an instruction with a result of type t.
func (b *block) begin(t *llType) value {
	v := b.fn.newLocal(t)
	b.body = append(b.body, "\t%v"...)
	b.body = strconv.AppendInt(b.body, int64(v.id), 10)
	b.body = append(b.body, " = "...)
	return v
}

func (b *block) binop(op string, x, y value) value {
	v := b.begin(x.t)
	b.body = append(b.body, op...)
	b.body = append(b.body, ' ')
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, ", "...)
	b.body = appendRef(b.body, y)
	b.body = append(b.body, '\n')
	return v
}

func (b *block) NewAdd(x, y value) value  { return b.binop("add", x, y) }
func (b *block) NewSub(x, y value) value  { return b.binop("sub", x, y) }
func (b *block) NewMul(x, y value) value  { return b.binop("mul", x, y) }
func (b *block) NewSDiv(x, y value) value { return b.binop("sdiv", x, y) }
func (b *block) NewUDiv(x, y value) value { return b.binop("udiv", x, y) }
func (b *block) NewSRem(x, y value) value { return b.binop("srem", x, y) }
func (b *block) NewURem(x, y value) value { return b.binop("urem", x, y) }
func (b *block) NewAnd(x, y value) value  { return b.binop("and", x, y) }
func (b *block) NewOr(x, y value) value   { return b.binop("or", x, y) }
func (b *block) NewXor(x, y value) value  { return b.binop("xor", x, y) }
func (b *block) NewShl(x, y value) value  { return b.binop("shl", x, y) }
func (b *block) NewLShr(x, y value) value { return b.binop("lshr", x, y) }
func (b *block) NewAShr(x, y value) value { return b.binop("ashr", x, y) }

func (b *block) NewFNeg(x value) value {
	v := b.begin(x.t)
	b.body = append(b.body, "fneg "...)
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, '\n')
	return v
}

func (b *block) cast(op string, x value, to *llType) value {
	v := b.begin(to)
	b.body = append(b.body, op...)
	b.body = append(b.body, ' ')
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, " to "...)
	b.body = append(b.body, to.str...)
	b.body = append(b.body, '\n')
	return v
}

func (b *block) NewZExt(x value, to *llType) value     { return b.cast("zext", x, to) }
func (b *block) NewSExt(x value, to *llType) value     { return b.cast("sext", x, to) }
func (b *block) NewTrunc(x value, to *llType) value    { return b.cast("trunc", x, to) }
func (b *block) NewBitCast(x value, to *llType) value  { return b.cast("bitcast", x, to) }
func (b *block) NewIntToPtr(x value, to *llType) value { return b.cast("inttoptr", x, to) }
func (b *block) NewPtrToInt(x value, to *llType) value { return b.cast("ptrtoint", x, to) }
func (b *block) NewFPToSI(x value, to *llType) value   { return b.cast("fptosi", x, to) }
func (b *block) NewFPToUI(x value, to *llType) value   { return b.cast("fptoui", x, to) }
func (b *block) NewSIToFP(x value, to *llType) value   { return b.cast("sitofp", x, to) }
func (b *block) NewUIToFP(x value, to *llType) value   { return b.cast("uitofp", x, to) }

// boolOf is i1, or <n x i1> for a vector of n lanes.
func boolOf(t *llType) *llType {
	if t.kind == kindVector {
		return vecType(t.n, tI1)
	}
	return tI1
}

// NewICmp and NewFCmp compare with an LLVM predicate ("eq", "ult", "oeq"…).
func (b *block) NewICmp(pred string, x, y value) value { return b.compare("icmp ", pred, x, y) }
func (b *block) NewFCmp(pred string, x, y value) value { return b.compare("fcmp ", pred, x, y) }

func (b *block) compare(op, pred string, x, y value) value {
	v := b.begin(boolOf(x.t))
	b.body = append(b.body, op...)
	b.body = append(b.body, pred...)
	b.body = append(b.body, ' ')
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, ", "...)
	b.body = appendRef(b.body, y)
	b.body = append(b.body, '\n')
	return v
}

func (b *block) NewSelect(cond, x, y value) value {
	v := b.begin(x.t)
	b.body = append(b.body, "select "...)
	b.body = appendTyped(b.body, cond)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, y)
	b.body = append(b.body, '\n')
	return v
}

// NewGetElementPtr is base + idx elements of elem (never inbounds: see
// doc.go); the result points to elem.
func (b *block) NewGetElementPtr(elem *llType, base, idx value) value {
	v := b.begin(ptrTo(elem))
	b.body = append(b.body, "getelementptr "...)
	b.body = append(b.body, elem.str...)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, base)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, idx)
	b.body = append(b.body, '\n')
	return v
}

// Metadata attachments of loads and stores, as written after the
// alignment (the numbers are the module's metadata nodes; see module.go).
const (
	attachState     = ", !tbaa !" + mdStateTBAA
	attachMem       = ", !tbaa !" + mdMemTBAA
	attachInvariant = ", !invariant.load !" + mdEmpty
)

// load reads a t at p. attach holds the metadata attachments.
func (b *block) load(t *llType, p value, align int, volatile bool, attach string) value {
	v := b.begin(t)
	b.body = append(b.body, "load "...)
	if volatile {
		b.body = append(b.body, "volatile "...)
	}
	b.body = append(b.body, t.str...)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, p)
	b.body = append(b.body, ", align "...)
	b.body = strconv.AppendInt(b.body, int64(align), 10)
	b.body = append(b.body, attach...)
	b.body = append(b.body, '\n')
	return v
}

func (b *block) store(x, p value, align int, attach string) {
	b.body = append(b.body, "\tstore "...)
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, p)
	b.body = append(b.body, ", align "...)
	b.body = strconv.AppendInt(b.body, int64(align), 10)
	b.body = append(b.body, attach...)
	b.body = append(b.body, '\n')
}

func (b *block) NewExtractElement(vec, idx value) value {
	v := b.begin(vec.t.elem)
	b.body = append(b.body, "extractelement "...)
	b.body = appendTyped(b.body, vec)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, idx)
	b.body = append(b.body, '\n')
	return v
}

func (b *block) NewInsertElement(vec, elem, idx value) value {
	v := b.begin(vec.t)
	b.body = append(b.body, "insertelement "...)
	b.body = appendTyped(b.body, vec)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, elem)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, idx)
	b.body = append(b.body, '\n')
	return v
}

// NewShuffleVector picks lanes of x and y by mask (a constant <n x i32>).
func (b *block) NewShuffleVector(x, y, mask value) value {
	v := b.begin(vecType(mask.t.n, x.t.elem))
	b.body = append(b.body, "shufflevector "...)
	b.body = appendTyped(b.body, x)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, y)
	b.body = append(b.body, ", "...)
	b.body = appendTyped(b.body, mask)
	b.body = append(b.body, '\n')
	return v
}

// NewCall calls callee (a pointer to a function type) with args.
func (b *block) NewCall(callee value, args ...value) value {
	return b.callAttrs("", callee, args...)
}

// callAttrs is NewCall with call-site function attributes ("cold"…).
func (b *block) callAttrs(attrs string, callee value, args ...value) value {
	ret := callee.t.elem.ret
	var v value
	if ret == tVoid {
		b.body = append(b.body, '\t')
	} else {
		v = b.begin(ret)
	}
	b.body = append(b.body, "call "...)
	b.body = append(b.body, ret.str...)
	b.body = append(b.body, ' ')
	b.body = appendRef(b.body, callee)
	b.body = append(b.body, '(')
	for i, a := range args {
		if i > 0 {
			b.body = append(b.body, ", "...)
		}
		b.body = appendTyped(b.body, a)
	}
	b.body = append(b.body, ')')
	if attrs != "" {
		b.body = append(b.body, ' ')
		b.body = append(b.body, attrs...)
	}
	b.body = append(b.body, '\n')
	return v
}

// NewPhi adds a phi of type t; incoming values come with addIncoming.
func (b *block) NewPhi(t *llType) *phi {
	p := &phi{v: b.fn.newLocal(t)}
	b.phis = append(b.phis, p)
	return p
}

func (p *phi) addIncoming(v value, from *block) { p.incs = append(p.incs, incoming{v, from}) }

// Terminators.

func (b *block) NewBr(target *block) {
	b.term = append(append(append(b.term[:0], "\tbr label %"...), target.label...), '\n')
}

func (b *block) NewCondBr(cond value, then, els *block) {
	t := append(b.term[:0], "\tbr "...)
	t = appendTyped(t, cond)
	t = append(append(t, ", label %"...), then.label...)
	t = append(append(t, ", label %"...), els.label...)
	b.term = append(t, '\n')
}

// NewSwitch branches on x (i32): case i goes to cases[i], others to def.
func (b *block) NewSwitch(x value, def *block, cases []*block) {
	t := append(b.term[:0], "\tswitch "...)
	t = appendTyped(t, x)
	t = append(append(t, ", label %"...), def.label...)
	t = append(t, " [\n"...)
	for i, c := range cases {
		t = append(t, "\t\ti32 "...)
		t = strconv.AppendInt(t, int64(int32(i)), 10)
		t = append(append(t, ", label %"...), c.label...)
		t = append(t, '\n')
	}
	b.term = append(t, "\t]\n"...)
}

// NewRet returns v, or nothing when v is not valid.
func (b *block) NewRet(v value) {
	t := append(b.term[:0], "\tret "...)
	if v.valid() {
		t = appendTyped(t, v)
	} else {
		t = append(t, "void"...)
	}
	b.term = append(t, '\n')
}

func (b *block) NewUnreachable() { b.term = append(b.term[:0], "\tunreachable\n"...) }

// Writing functions.

// appendHeader writes the function's signature after define or declare:
// return type, name, parameters (named %v<i> when named) and attributes.
func (m *moduleBuilder) appendHeader(dst []byte, f *function, named bool) []byte {
	if !f.external {
		dst = append(dst, "dso_local hidden "...)
	}
	dst = append(dst, f.sig.ret.str...)
	dst = append(dst, " @"...)
	dst = append(dst, f.name...)
	dst = append(dst, '(')
	for i, p := range f.sig.params {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, p.str...)
		if i == 0 && f.vmctx {
			dst = append(dst, m.vmctxAttrs...)
		}
		if named {
			dst = append(dst, " %v"...)
			dst = strconv.AppendInt(dst, int64(i), 10)
		}
	}
	dst = append(dst, ')')
	if !f.external {
		dst = append(dst, " #0"...)
	}
	if f.noinline && named {
		dst = append(dst, " noinline"...)
	}
	return dst
}

// define writes f's definition to the module text and releases its
// blocks.
func (m *moduleBuilder) define(f *function) {
	f.defined = true
	out := append(m.out, "define "...)
	out = m.appendHeader(out, f, true)
	out = append(out, " {\n"...)
	for i, b := range f.blocks {
		out = append(out, b.label...)
		out = append(out, ":\n"...)
		if i == 0 {
			for _, a := range f.allocas {
				out = append(out, "\t%v"...)
				out = strconv.AppendInt(out, int64(a.v.id), 10)
				out = append(out, " = alloca i64, i64 "...)
				out = strconv.AppendUint(out, a.count, 10)
				out = append(out, ", align 16\n"...)
			}
		}
		for _, p := range b.phis {
			out = append(out, "\t%v"...)
			out = strconv.AppendInt(out, int64(p.v.id), 10)
			out = append(out, " = phi "...)
			out = append(out, p.v.t.str...)
			for k, in := range p.incs {
				if k > 0 {
					out = append(out, ',')
				}
				out = append(out, " [ "...)
				out = appendRef(out, in.v)
				out = append(out, ", %"...)
				out = append(out, in.from.label...)
				out = append(out, " ]"...)
			}
			out = append(out, '\n')
		}
		out = append(out, b.body...)
		out = append(out, b.term...)
	}
	m.out = append(out, "}\n\n"...)
	f.blocks, f.allocas = nil, nil
}
