package component

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WAVE is the WebAssembly Value Encoding, the text form of component
// values: `true`, `42`, `nan`, `'x'`, `"text"`, `[1, 2]`, `(1, "a")`,
// `{x: 1, y: 2}`, `case(payload)`, `some(3)`, `none`, `ok("…")`,
// `err(1)`, flags as `{a, c}`.

// FormatWAVE renders v, a value of type t, in WAVE.
func FormatWAVE(v Value, t *Type) string {
	var b strings.Builder
	formatWAVE(&b, v, t)
	return b.String()
}

func formatWAVE(b *strings.Builder, v Value, t *Type) {
	switch t.Kind {
	case Bool:
		b.WriteString(strconv.FormatBool(v.(bool)))
	case S8, S16, S32, S64, U8, U16, U32, U64:
		fmt.Fprint(b, v)
	case F32:
		b.WriteString(formatFloat(float64(v.(float32)), 32))
	case F64:
		b.WriteString(formatFloat(v.(float64), 64))
	case Char:
		b.WriteString(quote(string(v.(rune)), '\''))
	case String:
		b.WriteString(quote(v.(string), '"'))
	case List:
		b.WriteByte('[')
		for i, x := range v.([]Value) {
			if i > 0 {
				b.WriteString(", ")
			}
			formatWAVE(b, x, t.Elem)
		}
		b.WriteByte(']')
	case Tuple:
		b.WriteByte('(')
		for i, x := range v.([]Value) {
			if i > 0 {
				b.WriteString(", ")
			}
			formatWAVE(b, x, t.Fields[i].Type)
		}
		b.WriteByte(')')
	case Record:
		b.WriteByte('{')
		for i, x := range v.([]Value) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(label(t.Fields[i].Name) + ": ")
			formatWAVE(b, x, t.Fields[i].Type)
		}
		b.WriteByte('}')
	case Variant, Enum, Option, Result:
		c := v.(Case)
		b.WriteString(caseName(t, c.Index))
		if p := cases(t)[c.Index]; p != nil {
			b.WriteByte('(')
			formatWAVE(b, c.Value, p)
			b.WriteByte(')')
		}
	case Flags:
		b.WriteByte('{')
		n := 0
		for i, l := range t.Labels {
			if v.(uint32)&(1<<i) != 0 {
				if n > 0 {
					b.WriteString(", ")
				}
				b.WriteString(label(l))
				n++
			}
		}
		b.WriteByte('}')
	case Own, Borrow:
		fmt.Fprintf(b, "%s<resource%d>(%d)", t.Kind, t.Resource, v.(Handle).Rep)
	}
}

// keywords are labels WAVE writes with a % prefix.
var keywords = map[string]bool{"true": true, "false": true, "some": true, "none": true, "ok": true, "err": true, "inf": true, "nan": true}

func label(l string) string {
	if keywords[l] {
		return "%" + l
	}
	return l
}

func caseName(t *Type, i uint32) string {
	switch t.Kind {
	case Option:
		return [...]string{"none", "some"}[i]
	case Result:
		return [...]string{"ok", "err"}[i]
	case Enum:
		return label(t.Labels[i])
	}
	return label(t.Fields[i].Name)
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

func quote(s string, q byte) string {
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"', '\'':
			if byte(r) == q {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u{%x}`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte(q)
	return b.String()
}

// ParseWAVE parses a WAVE value of type t.
func ParseWAVE(s string, t *Type) (Value, error) {
	p := &waveParser{s: s}
	v, err := p.value(t, 0)
	if err == nil {
		p.space()
		if p.i < len(p.s) {
			err = p.errorf("unexpected %q after the value", p.s[p.i:])
		}
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

type waveParser struct {
	s string
	i int
}

func (p *waveParser) errorf(format string, args ...any) error {
	return fmt.Errorf("WAVE at %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *waveParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *waveParser) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *waveParser) expect(c byte) error {
	if !p.eat(c) {
		return p.errorf("expected %q", c)
	}
	return nil
}

// word reads a label or number token.
func (p *waveParser) word() string {
	p.space()
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '%' {
		p.i++
		start++
	}
	for p.i < len(p.s) && (isWordByte(p.s[p.i])) {
		p.i++
	}
	return p.s[start:p.i]
}

func isWordByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

const maxWAVEDepth = 100

func (p *waveParser) value(t *Type, depth int) (Value, error) {
	if depth > maxWAVEDepth {
		return nil, p.errorf("nested too deeply")
	}
	switch t.Kind {
	case Bool:
		switch w := p.word(); w {
		case "true":
			return true, nil
		case "false":
			return false, nil
		default:
			return nil, p.errorf("expected a bool, got %q", w)
		}
	case S8, S16, S32, S64:
		w := p.word()
		bits := map[Kind]int{S8: 8, S16: 16, S32: 32, S64: 64}[t.Kind]
		n, err := strconv.ParseInt(w, 10, bits)
		if err != nil {
			return nil, p.errorf("bad %s %q", t.Kind, w)
		}
		return map[Kind]func(int64) Value{S8: func(n int64) Value { return int8(n) }, S16: func(n int64) Value { return int16(n) },
			S32: func(n int64) Value { return int32(n) }, S64: func(n int64) Value { return n }}[t.Kind](n), nil
	case U8, U16, U32, U64:
		w := p.word()
		bits := map[Kind]int{U8: 8, U16: 16, U32: 32, U64: 64}[t.Kind]
		n, err := strconv.ParseUint(w, 10, bits)
		if err != nil {
			return nil, p.errorf("bad %s %q", t.Kind, w)
		}
		return map[Kind]func(uint64) Value{U8: func(n uint64) Value { return uint8(n) }, U16: func(n uint64) Value { return uint16(n) },
			U32: func(n uint64) Value { return uint32(n) }, U64: func(n uint64) Value { return n }}[t.Kind](n), nil
	case F32, F64:
		w := p.word()
		var f float64
		switch w {
		case "nan":
			f = math.NaN()
		case "inf":
			f = math.Inf(1)
		case "-inf":
			f = math.Inf(-1)
		default:
			var err error
			if f, err = strconv.ParseFloat(w, map[Kind]int{F32: 32, F64: 64}[t.Kind]); err != nil {
				return nil, p.errorf("bad %s %q", t.Kind, w)
			}
		}
		if t.Kind == F32 {
			return float32(f), nil
		}
		return f, nil
	case Char:
		s, err := p.quoted('\'')
		if err != nil {
			return nil, err
		}
		if utf8.RuneCountInString(s) != 1 {
			return nil, p.errorf("a char holds one character, got %q", s)
		}
		r, _ := utf8.DecodeRuneInString(s)
		return r, nil
	case String:
		return p.quoted('"')
	case List:
		return p.seq('[', ']', func(int) *Type { return t.Elem }, -1, depth)
	case Tuple:
		return p.seq('(', ')', func(i int) *Type { return t.Fields[i].Type }, len(t.Fields), depth)
	case Record:
		return p.record(t, depth)
	case Flags:
		return p.flags(t)
	case Variant, Enum, Option, Result:
		return p.variant(t, depth)
	}
	return nil, p.errorf("values of type %s cannot be written in WAVE", t)
}

func (p *waveParser) quoted(q byte) (string, error) {
	if !p.eat(q) {
		return "", p.errorf("expected %c", q)
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case q:
			return b.String(), nil
		case '\\':
			if p.i >= len(p.s) {
				return "", p.errorf("unterminated escape")
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '\'':
				b.WriteByte(e)
			case 'u':
				end := strings.IndexByte(p.s[p.i:], '}')
				if !strings.HasPrefix(p.s[p.i:], "{") || end < 0 {
					return "", p.errorf("bad \\u escape")
				}
				n, err := strconv.ParseUint(p.s[p.i+1:p.i+end], 16, 32)
				if err != nil || n >= 0x110000 || (n >= 0xd800 && n <= 0xdfff) {
					return "", p.errorf("bad \\u escape")
				}
				b.WriteRune(rune(n))
				p.i += end + 1
			default:
				return "", p.errorf("unknown escape \\%c", e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorf("unterminated %c", q)
}

func (p *waveParser) seq(open, close byte, elem func(int) *Type, n int, depth int) (Value, error) {
	if err := p.expect(open); err != nil {
		return nil, err
	}
	out := []Value{}
	for !p.eat(close) {
		if len(out) > 0 {
			if err := p.expect(','); err != nil {
				return nil, err
			}
			if p.eat(close) {
				break
			}
		}
		if n >= 0 && len(out) == n {
			return nil, p.errorf("too many elements (%d)", n)
		}
		v, err := p.value(elem(len(out)), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if n >= 0 && len(out) != n {
		return nil, p.errorf("expected %d elements, got %d", n, len(out))
	}
	return out, nil
}

func (p *waveParser) record(t *Type, depth int) (Value, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	out := make([]Value, len(t.Fields))
	set := 0
	for !p.eat('}') {
		if set > 0 {
			if err := p.expect(','); err != nil {
				return nil, err
			}
			if p.eat('}') {
				break
			}
		}
		name := p.word()
		k := -1
		for i, f := range t.Fields {
			if f.Name == name {
				k = i
			}
		}
		if k < 0 || out[k] != nil {
			return nil, p.errorf("unknown or repeated field %q", name)
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.value(t.Fields[k].Type, depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = v
		set++
	}
	for i, f := range t.Fields {
		if out[i] == nil {
			if f.Type.Kind != Option {
				return nil, p.errorf("field %q is missing", f.Name)
			}
			out[i] = None()
		}
	}
	return out, nil
}

func (p *waveParser) flags(t *Type) (Value, error) {
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	var v uint32
	for first := true; !p.eat('}'); first = false {
		if !first {
			if err := p.expect(','); err != nil {
				return nil, err
			}
		}
		name := p.word()
		k := -1
		for i, l := range t.Labels {
			if l == name {
				k = i
			}
		}
		if k < 0 {
			return nil, p.errorf("unknown flag %q", name)
		}
		v |= 1 << k
	}
	return v, nil
}

func (p *waveParser) variant(t *Type, depth int) (Value, error) {
	name := p.word()
	cs := cases(t)
	for i := range cs {
		if caseName(t, uint32(i)) != name && label(name) != caseName(t, uint32(i)) {
			continue
		}
		if cs[i] == nil {
			return Case{Index: uint32(i)}, nil
		}
		if err := p.expect('('); err != nil {
			return nil, err
		}
		v, err := p.value(cs[i], depth+1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		return Case{Index: uint32(i), Value: v}, nil
	}
	return nil, p.errorf("%q is not a case of %s", name, t)
}
