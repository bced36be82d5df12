package wat

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

var (
	errSyntax = errors.New("malformed number")
	errRange  = errors.New("constant out of range")
)

// digits validates a run of decimal or hexadecimal digits in which '_' may
// only separate two digits, and returns it without the underscores.
func digits(s string, hex bool) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	prevDigit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			if !prevDigit || i+1 == len(s) {
				return "", false
			}
			prevDigit = false
			continue
		case '0' <= c && c <= '9', hex && hexVal(c) >= 0:
			prevDigit = true
		default:
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// parseNat parses an unsigned literal (decimal or 0x-hexadecimal, with
// underscores) into a uint64, reporting syntax errors and overflow.
func parseNat(s string) (uint64, error) {
	base := uint64(10)
	hex := strings.HasPrefix(s, "0x")
	if hex {
		s, base = s[2:], 16
	}
	d, ok := digits(s, hex)
	if !ok {
		return 0, errSyntax
	}
	var v uint64
	for i := 0; i < len(d); i++ {
		hi, lo := bits.Mul64(v, base)
		lo2, carry := bits.Add64(lo, uint64(hexVal(d[i])), 0)
		if hi != 0 || carry != 0 {
			return 0, errRange
		}
		v = lo2
	}
	return v, nil
}

// ParseU32 parses an unsigned 32-bit literal such as an index, a limit or
// a memarg offset.
func ParseU32(s string) (uint32, error) {
	v, err := parseNat(s)
	if err != nil {
		return 0, err
	}
	if v > math.MaxUint32 {
		return 0, errRange
	}
	return uint32(v), nil
}

// ParseInt parses an integer literal for an i32 (size 32) or i64 (size
// 64) constant and returns its two's-complement bits, zero-extended. The
// literal may be signed or unsigned: -2^(size-1) ≤ value < 2^size.
func ParseInt(s string, size int) (uint64, error) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	v, err := parseNat(s)
	if err != nil {
		return 0, err
	}
	limit := uint64(math.MaxUint64) // largest magnitude allowed
	if size == 32 {
		limit = math.MaxUint32
	}
	if neg {
		limit = 1 << (size - 1)
	}
	if v > limit {
		return 0, errRange
	}
	if neg {
		v = -v
	}
	if size == 32 {
		v &= math.MaxUint32
	}
	return v, nil
}

// ParseF32 parses a float literal and returns the bits of the nearest
// float32 (round to nearest, ties to even).
func ParseF32(s string) (uint32, error) {
	v, err := parseFloat(s, 32)
	return uint32(v), err
}

// ParseF64 parses a float literal and returns the bits of the nearest float64.
func ParseF64(s string) (uint64, error) {
	return parseFloat(s, 64)
}

func parseFloat(s string, size int) (uint64, error) {
	mantBits, expBits := 52, 11
	if size == 32 {
		mantBits, expBits = 23, 8
	}
	signBit := uint64(1) << (size - 1)
	expMask := (uint64(1)<<expBits - 1) << mantBits
	var sign uint64
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		if body[0] == '-' {
			sign = signBit
		}
		body = body[1:]
	}
	switch {
	case body == "inf":
		return sign | expMask, nil
	case body == "nan":
		return sign | expMask | 1<<(mantBits-1), nil
	case strings.HasPrefix(body, "nan:0x"):
		payload, err := parseNat(body[4:])
		if err != nil || payload == 0 || payload >= 1<<mantBits {
			if err == errSyntax {
				return 0, err
			}
			return 0, errRange
		}
		return sign | expMask | payload, nil
	}
	goText, ok := floatSyntax(body)
	if !ok {
		return 0, errSyntax
	}
	if sign != 0 {
		goText = "-" + goText
	}
	f, err := strconv.ParseFloat(goText, size)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && numErr.Err == strconv.ErrRange {
			return 0, errRange
		}
		return 0, errSyntax
	}
	if size == 32 {
		return uint64(math.Float32bits(float32(f))), nil
	}
	return math.Float64bits(f), nil
}

// floatSyntax checks an unsigned decimal or hexadecimal float literal
// against the text-format grammar and rewrites it in the syntax
// strconv.ParseFloat accepts (no underscores, hex always with an exponent).
func floatSyntax(s string) (string, bool) {
	hex := strings.HasPrefix(s, "0x")
	if hex {
		s = s[2:]
	}
	expChars := "eE"
	if hex {
		expChars = "pP"
	}
	mant, exp := s, ""
	hasExp := false
	if i := strings.IndexAny(s, expChars); i >= 0 {
		mant, exp, hasExp = s[:i], s[i+1:], true
	}
	intPart, frac := mant, ""
	hasDot := false
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, frac, hasDot = mant[:i], mant[i+1:], true
	}
	ip, ok := digits(intPart, hex)
	if !ok {
		return "", false
	}
	out := ip
	if hasDot {
		out += "."
		if frac != "" {
			fp, ok := digits(frac, hex)
			if !ok {
				return "", false
			}
			out += fp
		}
	}
	if hex {
		out = "0x" + out
	}
	if hasExp {
		expSign := ""
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			expSign, exp = exp[:1], exp[1:]
		}
		ep, ok := digits(exp, false)
		if !ok {
			return "", false
		}
		out += expChars[:1] + expSign + ep
	} else if hex {
		out += "p0"
	}
	return out, true
}
