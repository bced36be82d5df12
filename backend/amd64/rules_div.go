package amd64

import (
	"math/bits"

	"github.com/wasmaot/wasmaot/lower/ir"
)

// Division by a constant without a divide instruction (the IR has
// already trapped on a zero divisor, so c is not 0):
//
//   - unsigned by 2^k: shr by k, or and with 2^k-1 for the remainder;
//   - unsigned by any other c: the quotient is the high half of a
//     multiply by a precomputed reciprocal (Granlund and Montgomery); the
//     remainder is n - q*c;
//   - signed by 2^k (k >= 1, c positive): an arithmetic shift of n
//     biased by 2^k-1 when n is negative, so the quotient rounds toward
//     zero; the remainder is n minus the biased value with its low k
//     bits cleared.
//
// Other signed divisors take idiv.

// divideByConst emits in (a div or rem by the constant c) and reports
// whether it could.
func (g *gen) divideByConst(in *ir.Instr, w, signed, rem bool, c uint64) bool {
	nbits := 32
	if !w {
		c = uint64(uint32(c))
	} else {
		nbits = 64
	}
	pow2 := c&(c-1) == 0
	k := bits.TrailingZeros64(c)
	switch {
	case signed && (!pow2 || k == 0 || k >= nbits-1 || rem && k > 31):
		return false
	case !signed && pow2 && rem && w && k > 31:
		return false
	}
	v := in.Results[0]
	d := g.out(v)
	n := g.use(in.Args[0], tmpR)
	switch {
	case signed:
		// t = n + ((n >>s nbits-1) >>u nbits-k): n, plus 2^k-1 if negative
		g.a.MovRR(w, tmpC, n)
		g.a.ShiftI(SAR, w, tmpC, uint8(nbits-1))
		g.a.ShiftI(SHR, w, tmpC, uint8(nbits-k))
		g.a.ALURR(ADD, w, tmpC, n)
		if !rem {
			g.a.ShiftI(SAR, w, tmpC, uint8(k))
			g.set(v, tmpC)
			return true
		}
		g.a.ALURI(AND, w, tmpC, int32(-1)<<k)
		g.a.MovRR(w, d, n)
		g.a.ALURR(SUB, w, d, tmpC)
	case pow2 && rem:
		g.a.MovRR(w, d, n)
		g.a.ALURI(AND, w, d, int32(uint32(c-1)))
	case pow2:
		g.a.MovRR(w, d, n)
		if k > 0 {
			g.a.ShiftI(SHR, w, d, uint8(k))
		}
	default:
		q := g.unsignedQuotient(in.Args[0], n, w, c)
		if !rem {
			g.set(v, q)
			return true
		}
		if c <= 1<<31-1 || !w {
			g.a.ImulRRI(w, q, q, int32(uint32(c)))
		} else {
			g.a.MovImm(tmpA, c)
			g.a.ImulRR(w, q, tmpA)
		}
		g.a.MovRR(w, d, n)
		g.a.ALURR(SUB, w, d, q)
	}
	g.finish(v, d)
	return true
}

// reciprocal64 finds a 64-bit multiplier for the unsigned 64-bit
// division by c (not a power of two): q = mulhi(n>>z, m) >> s. With c =
// c'*2^z (c' odd), l = ceil(log2 c'), s = l-1 and m = floor(2^(64+s)/c')+1
// = (2^(64+s)+e)/c', the quotient is exact when e <= 2^(s+z): the error
// (n>>z)*e/(c'*2^(64+s)) < 2^(64-z)*2^(s+z)/(c'*2^(64+s)) = 1/c'. That
// always holds for even c (e < c' <= 2^l); for odd c only for some.
func reciprocal64(c uint64) (m uint64, z, s int, ok bool) {
	z = bits.TrailingZeros64(c)
	c >>= z
	s = bits.Len64(c-1) - 1
	q, _ := bits.Div64(uint64(1)<<s, 0, c) // floor(2^(64+s)/c); 2^s < c
	m = q + 1
	hi, lo := bits.Mul64(m, c) // 2^(64+s) + e
	if hi != uint64(1)<<s || lo > uint64(1)<<(s+z) {
		return 0, 0, 0, false
	}
	return m, z, s, true
}

// unsignedQuotient computes n / c for c >= 3 not a power of two and
// returns the register holding it (tmpD or tmpC); n is in register n (not
// RAX, RCX or RDX), value x.
//
// i32: with m = ceil(2^64/c), the high half of n*m is the quotient (its
// error n*(m*c-2^64)/(c*2^64) < 2^32*c/(c*2^64) stays below 1/c).
// i64: a 64-bit multiplier when there is one (reciprocal64), else with
// l = ceil(log2 c) and m = floor(2^64*(2^l-c)/c)+1, t = mulhi(n, m) and
// q = (t + (n-t)/2) >> (l-1) (the 65-bit multiplier 2^64+m split so that
// nothing overflows).
func (g *gen) unsignedQuotient(x ir.Value, n Reg, w bool, c uint64) Reg {
	if !w {
		if !g.zext[x] {
			g.a.MovRR(false, tmpR, n)
			n = tmpR
		}
		m, _ := bits.Div64(1, 0, c) // floor(2^64/c), c does not divide 2^64
		g.a.MovImm(tmpA, m+1)
		g.a.UnaryR(MUL, true, n)
		return tmpD
	}
	if m, z, s, ok := reciprocal64(c); ok {
		if z > 0 {
			g.a.MovRR(true, tmpC, n)
			g.a.ShiftI(SHR, true, tmpC, uint8(z))
			n = tmpC
		}
		g.a.MovImm(tmpA, m)
		g.a.UnaryR(MUL, true, n)
		if s > 0 {
			g.a.ShiftI(SHR, true, tmpD, uint8(s))
		}
		return tmpD
	}
	l := bits.Len64(c - 1)
	quo, _ := bits.Div64(uint64(1)<<l-c, 0, c) // 2^l-c < c: no overflow
	g.a.MovImm(tmpA, quo+1)
	g.a.UnaryR(MUL, true, n)
	g.a.MovRR(true, tmpC, n)
	g.a.ALURR(SUB, true, tmpC, tmpD)
	g.a.ShiftI(SHR, true, tmpC, 1)
	g.a.ALURR(ADD, true, tmpC, tmpD)
	g.a.ShiftI(SHR, true, tmpC, uint8(l-1))
	return tmpC
}
