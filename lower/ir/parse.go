package ir

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Parse reads functions in the text form (see print.go). The result's
// Module.Wasm is nil; the verifier then skips checks that need the module.
func Parse(src string) (*Module, error) {
	p := &parser{lines: strings.Split(src, "\n")}
	m := &Module{}
	for {
		toks, ok := p.next()
		if !ok {
			return m, nil
		}
		f, err := p.function(toks)
		if err != nil {
			return nil, err
		}
		m.Funcs = append(m.Funcs, f)
	}
}

type parser struct {
	lines []string
	line  int // 1-based number of the line last returned by next
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.line, fmt.Sprintf(format, args...))
}

// next returns the tokens of the next non-empty line.
func (p *parser) next() ([]string, bool) {
	for p.line < len(p.lines) {
		p.line++
		if toks := lex(p.lines[p.line-1]); len(toks) > 0 {
			return toks, true
		}
	}
	return nil, false
}

// lex splits a line into tokens: punctuation ( ) , : = { } and "->",
// quoted strings, and words. A ";" ends the line.
func lex(line string) []string {
	var toks []string
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ';':
			return toks
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '-' && i+1 < len(line) && line[i+1] == '>':
			toks = append(toks, "->")
			i += 2
		case strings.IndexByte("(),:={}", c) >= 0:
			toks = append(toks, line[i:i+1])
			i++
		case c == '"':
			j := i + 1
			for j < len(line) && line[j] != '"' {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			toks = append(toks, line[i:min(j+1, len(line))])
			i = j + 1
		default:
			j := i
			for j < len(line) && strings.IndexByte(" \t\r;(),:={}\"", line[j]) < 0 && !(line[j] == '-' && j+1 < len(line) && line[j+1] == '>') {
				j++
			}
			toks = append(toks, line[i:j])
			i = j
		}
	}
	return toks
}

type funcParser struct {
	*parser
	f       *Func
	blocks  map[int]*Block
	defined map[int]bool // blocks whose label has been seen
}

func (p *parser) function(toks []string) (*Func, error) {
	if len(toks) < 2 || toks[0] != "func" || !strings.HasPrefix(toks[1], "f") {
		return nil, p.errorf("expected func fN, got %q", strings.Join(toks, " "))
	}
	idx, err := strconv.ParseUint(toks[1][1:], 10, 32)
	if err != nil {
		return nil, p.errorf("bad function index %q", toks[1])
	}
	f := &Func{Index: uint32(idx)}
	rest := toks[2:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], `"`) {
		if f.Name, err = strconv.Unquote(rest[0]); err != nil {
			return nil, p.errorf("bad function name %s", rest[0])
		}
		rest = rest[1:]
	}
	if f.Sig.Params, rest, err = p.typeList(rest); err != nil {
		return nil, err
	}
	if len(rest) == 0 || rest[0] != "->" {
		return nil, p.errorf("expected -> after parameter types")
	}
	if f.Sig.Results, rest, err = p.typeList(rest[1:]); err != nil {
		return nil, err
	}
	if len(rest) != 1 || rest[0] != "{" {
		return nil, p.errorf("expected { at the end of the function header")
	}
	fp := &funcParser{parser: p, f: f, blocks: map[int]*Block{}, defined: map[int]bool{}}
	var cur *Block
	for {
		toks, ok := p.next()
		if !ok {
			return nil, p.errorf("missing } at the end of f%d", f.Index)
		}
		switch {
		case toks[0] == "}":
			for id := range fp.blocks {
				if !fp.defined[id] {
					return nil, p.errorf("block b%d is used but not defined", id)
				}
			}
			return f, nil
		case toks[len(toks)-1] == ":" && strings.HasPrefix(toks[0], "b"):
			if cur, err = fp.blockHeader(toks); err != nil {
				return nil, err
			}
		default:
			if cur == nil {
				return nil, p.errorf("instruction before the first block label")
			}
			in, err := fp.instr(toks)
			if err != nil {
				return nil, err
			}
			cur.Instrs = append(cur.Instrs, in)
		}
	}
}

func parseType(s string) (Type, bool) {
	for _, t := range []Type{I32, I64, F32, F64, V128, FuncRef, ExternRef} {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

// typeList parses "(t, t, ...)".
func (p *parser) typeList(toks []string) ([]Type, []string, error) {
	if len(toks) == 0 || toks[0] != "(" {
		return nil, nil, p.errorf("expected a type list")
	}
	var ts []Type
	for i := 1; i < len(toks); i++ {
		switch toks[i] {
		case ")":
			return ts, toks[i+1:], nil
		case ",":
		default:
			t, ok := parseType(toks[i])
			if !ok {
				return nil, nil, p.errorf("unknown type %q", toks[i])
			}
			ts = append(ts, t)
		}
	}
	return nil, nil, p.errorf("unterminated type list")
}

func (fp *funcParser) block(tok string) (*Block, error) {
	id, err := strconv.Atoi(strings.TrimPrefix(tok, "b"))
	if err != nil || !strings.HasPrefix(tok, "b") || id < 0 {
		return nil, fp.errorf("bad block name %q", tok)
	}
	b := fp.blocks[id]
	if b == nil {
		b = &Block{ID: id}
		fp.blocks[id] = b
	}
	return b, nil
}

// maxValues bounds value numbers in the text form, so that a stray huge
// number cannot make the parser allocate a huge type table.
const maxValues = 1 << 24

func (fp *funcParser) value(tok string) (Value, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(tok, "v"), 10, 32)
	if err != nil || !strings.HasPrefix(tok, "v") {
		return 0, fp.errorf("bad value name %q", tok)
	}
	if n >= maxValues {
		return 0, fp.errorf("value number %d too large (limit %d)", n, maxValues)
	}
	return Value(n), nil
}

// def parses "vN : type" at toks and records the type.
func (fp *funcParser) def(toks []string) (Value, []string, error) {
	if len(toks) < 3 || toks[1] != ":" {
		return 0, nil, fp.errorf("expected vN:type")
	}
	v, err := fp.value(toks[0])
	if err != nil {
		return 0, nil, err
	}
	t, ok := parseType(toks[2])
	if !ok {
		return 0, nil, fp.errorf("unknown type %q", toks[2])
	}
	for int(v) >= len(fp.f.Types) {
		fp.f.Types = append(fp.f.Types, 0)
	}
	if fp.f.Types[v] != 0 {
		return 0, nil, fp.errorf("v%d defined twice", v)
	}
	fp.f.Types[v] = t
	return v, toks[3:], nil
}

func (fp *funcParser) blockHeader(toks []string) (*Block, error) {
	b, err := fp.block(toks[0])
	if err != nil {
		return nil, err
	}
	if fp.defined[b.ID] {
		return nil, fp.errorf("block b%d defined twice", b.ID)
	}
	fp.defined[b.ID] = true
	fp.f.Blocks = append(fp.f.Blocks, b)
	rest := toks[1 : len(toks)-1]
	if len(rest) == 0 {
		return b, nil
	}
	if rest[0] != "(" || rest[len(rest)-1] != ")" {
		return nil, fp.errorf("bad block header")
	}
	rest = rest[1 : len(rest)-1]
	for len(rest) > 0 {
		var v Value
		if v, rest, err = fp.def(rest); err != nil {
			return nil, err
		}
		b.Params = append(b.Params, v)
		if len(rest) > 0 {
			if rest[0] != "," {
				return nil, fp.errorf("expected , between block parameters")
			}
			rest = rest[1:]
		}
	}
	return b, nil
}

func (fp *funcParser) instr(toks []string) (*Instr, error) {
	in := &Instr{}
	if i := indexOf(toks, "="); i > 0 && len(toks) > 1 && toks[1] == ":" {
		rest := toks[:i]
		for len(rest) > 0 {
			v, r, err := fp.def(rest)
			if err != nil {
				return nil, err
			}
			in.Results = append(in.Results, v)
			rest = r
			if len(rest) > 0 {
				if rest[0] != "," {
					return nil, fp.errorf("expected , between results")
				}
				rest = rest[1:]
			}
		}
		toks = toks[i+1:]
	}
	if len(toks) == 0 {
		return nil, fp.errorf("missing op name")
	}
	op, ok := OpByName(toks[0])
	if !ok {
		return nil, fp.errorf("unknown op %q", toks[0])
	}
	in.Op = op
	info := op.Info()
	rest := toks[1:]
	// Immediates: bare constant or key=value, before any operand.
	imms := map[string]string{}
	for len(rest) > 0 && !isOperand(rest[0]) {
		if len(rest) >= 3 && rest[1] == "=" {
			imms[rest[0]] = rest[2]
			rest = rest[3:]
		} else {
			imms[""] = rest[0]
			rest = rest[1:]
		}
	}
	for _, imm := range info.Imms {
		s, ok := imms[immKeys[imm]]
		if !ok {
			return nil, fp.errorf("%s: missing immediate %q", info.Name, immKeys[imm])
		}
		delete(imms, immKeys[imm])
		if err := setImm(info, in, imm, s); err != nil {
			return nil, fp.errorf("%s: %v", info.Name, err)
		}
	}
	for k := range imms {
		return nil, fp.errorf("%s: unexpected immediate %q", info.Name, k)
	}
	// Operands: values, then successor edges.
	for len(rest) > 0 {
		tok := rest[0]
		rest = rest[1:]
		switch {
		case strings.HasPrefix(tok, "v"):
			if len(in.Succs) > 0 {
				return nil, fp.errorf("value operand after a successor")
			}
			v, err := fp.value(tok)
			if err != nil {
				return nil, err
			}
			in.Args = append(in.Args, v)
		case strings.HasPrefix(tok, "b"):
			b, err := fp.block(tok)
			if err != nil {
				return nil, err
			}
			bc := &BlockCall{Block: b}
			if len(rest) > 0 && rest[0] == "(" {
				end := indexOf(rest, ")")
				if end < 0 {
					return nil, fp.errorf("unterminated block arguments")
				}
				for _, t := range rest[1:end] {
					if t == "," {
						continue
					}
					v, err := fp.value(t)
					if err != nil {
						return nil, err
					}
					bc.Args = append(bc.Args, v)
				}
				rest = rest[end+1:]
			}
			in.Succs = append(in.Succs, bc)
		default:
			return nil, fp.errorf("unexpected %q", tok)
		}
		if len(rest) > 0 {
			if rest[0] != "," {
				return nil, fp.errorf("expected , between operands, got %q", rest[0])
			}
			rest = rest[1:]
		}
	}
	return in, nil
}

func indexOf(toks []string, s string) int {
	for i, t := range toks {
		if t == s {
			return i
		}
	}
	return -1
}

func isOperand(tok string) bool {
	if len(tok) < 2 || (tok[0] != 'v' && tok[0] != 'b') {
		return false
	}
	_, err := strconv.ParseUint(tok[1:], 10, 32)
	return err == nil
}

func parseU128(s string) (lo, hi uint64, err error) {
	n, ok := new(big.Int).SetString(s, 0)
	if !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return 0, 0, fmt.Errorf("bad 128-bit value %q", s)
	}
	mask := new(big.Int).SetUint64(^uint64(0))
	lo = new(big.Int).And(n, mask).Uint64()
	hi = new(big.Int).Rsh(n, 64).Uint64()
	return lo, hi, nil
}

func setImm(info *OpInfo, in *Instr, imm Imm, s string) error {
	var err error
	switch imm {
	case ImmValue:
		switch info.Results[0] {
		case I32:
			var n int64
			n, err = strconv.ParseInt(s, 0, 32)
			in.Const = uint64(uint32(n))
		case I64:
			var n int64
			n, err = strconv.ParseInt(s, 0, 64)
			in.Const = uint64(n)
		case F32:
			in.Const, err = strconv.ParseUint(s, 0, 32)
		case F64:
			in.Const, err = strconv.ParseUint(s, 0, 64)
		default:
			in.Const, in.ConstHi, err = parseU128(s)
		}
	case ImmLanes:
		in.Const, in.ConstHi, err = parseU128(s)
	case ImmLane:
		var n uint64
		n, err = strconv.ParseUint(s, 10, 8)
		in.Lane = uint8(n)
	case ImmOffset:
		var n uint64
		n, err = strconv.ParseUint(s, 10, 32)
		in.Offset = uint32(n)
	case ImmAlign:
		var n uint64
		n, err = strconv.ParseUint(s, 10, 8)
		in.Align = uint8(n)
	case ImmExtent:
		in.Const, err = strconv.ParseUint(s, 10, 64)
	case ImmTable2:
		var n uint64
		n, err = strconv.ParseUint(s, 10, 32)
		in.Index2 = uint32(n)
	case ImmRefType:
		t, ok := parseType(s)
		if !ok || !t.IsRef() {
			return fmt.Errorf("bad reference type %q", s)
		}
		in.Type = t
	case ImmTrap:
		for c := abi.TrapNone + 1; c.Valid(); c++ {
			if TrapName(c) == s {
				in.Trap = c
				return nil
			}
		}
		return fmt.Errorf("unknown trap %q", s)
	default:
		var n uint64
		n, err = strconv.ParseUint(s, 10, 32)
		in.Index = uint32(n)
	}
	if err != nil {
		return fmt.Errorf("bad %s immediate %q", immName(imm), s)
	}
	return nil
}

func immName(imm Imm) string {
	if imm == ImmValue {
		return "constant"
	}
	return immKeys[imm]
}
