package wat

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a position in the source text, both 1-based. Columns count bytes.
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Error is a text-format error at a source position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func errorf(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// NodeKind classifies a Node.
type NodeKind uint8

// Node kinds. Keyword, Reserved and ID follow the specification's token
// classes: a keyword starts with a lowercase letter, an identifier with $,
// and any other run of identifier characters (numbers included) is Reserved.
const (
	List NodeKind = iota
	Keyword
	Reserved
	ID
	String
)

// Node is an S-expression: a parenthesised list or one token.
type Node struct {
	Kind NodeKind
	Pos  Pos
	// Text is the token's source text; for String, its decoded bytes.
	Text string
	List []*Node // children of a List
}

// Head returns the keyword a list starts with, or "".
func (n *Node) Head() string {
	if n.Kind == List && len(n.List) > 0 && n.List[0].Kind == Keyword {
		return n.List[0].Text
	}
	return ""
}

// IsAtom reports whether n is a token with the given kind and text.
func (n *Node) IsAtom(kind NodeKind, text string) bool {
	return n.Kind == kind && n.Text == text
}

func (n *Node) describe() string {
	switch n.Kind {
	case List:
		if h := n.Head(); h != "" {
			return "(" + h + " …)"
		}
		return "list"
	case String:
		return "string"
	}
	return n.Text
}

// MaxNesting bounds how deeply lists may nest, so that the recursive
// translation of folded instructions cannot exhaust the goroutine stack.
const MaxNesting = 20000

// ReadAll splits src into top-level S-expressions. It checks the lexical
// rules of the text format: balanced parentheses and block comments,
// string escapes, and tokens separated by white space or parentheses.
func ReadAll(src []byte) ([]*Node, error) {
	lx := lexer{src: src, line: 1, lineStart: 0}
	root := &Node{Kind: List}
	stack := []*Node{root}
	for {
		if err := lx.skipSpace(); err != nil {
			return nil, err
		}
		if lx.pos >= len(src) {
			break
		}
		p := lx.position()
		switch src[lx.pos] {
		case '(':
			lx.pos++
			if len(stack) > MaxNesting {
				return nil, errorf(p, "parentheses nested more than %d deep", MaxNesting)
			}
			n := &Node{Kind: List, Pos: p}
			top := stack[len(stack)-1]
			top.List = append(top.List, n)
			stack = append(stack, n)
		case ')':
			lx.pos++
			if len(stack) == 1 {
				return nil, errorf(p, "unexpected token \")\"")
			}
			stack = stack[:len(stack)-1]
		default:
			n, err := lx.token()
			if err != nil {
				return nil, err
			}
			top := stack[len(stack)-1]
			top.List = append(top.List, n)
		}
	}
	if len(stack) > 1 {
		return nil, errorf(stack[len(stack)-1].Pos, "unclosed parenthesis (unexpected end of input)")
	}
	return root.List, nil
}

type lexer struct {
	src       []byte
	pos       int
	line      int
	lineStart int
}

func (lx *lexer) position() Pos {
	return Pos{Line: lx.line, Col: lx.pos - lx.lineStart + 1}
}

func (lx *lexer) newline() {
	lx.line++
	lx.lineStart = lx.pos
}

// skipSpace skips white space, line comments and (nested) block comments.
func (lx *lexer) skipSpace() error {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			lx.pos++
		case c == '\n':
			lx.pos++
			lx.newline()
		case c == ';' && lx.pos+1 < len(src) && src[lx.pos+1] == ';':
			for lx.pos < len(src) && src[lx.pos] != '\n' && src[lx.pos] != '\r' { // a line comment ends at LF or CR
				lx.pos++
			}
		case c == '(' && lx.pos+1 < len(src) && src[lx.pos+1] == ';':
			if err := lx.blockComment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

func (lx *lexer) blockComment() error {
	start := lx.position()
	src := lx.src
	lx.pos += 2
	depth := 1
	for depth > 0 {
		if lx.pos >= len(src) {
			return errorf(start, "unclosed block comment")
		}
		switch {
		case src[lx.pos] == '\n':
			lx.pos++
			lx.newline()
		case src[lx.pos] == '(' && lx.pos+1 < len(src) && src[lx.pos+1] == ';':
			lx.pos += 2
			depth++
		case src[lx.pos] == ';' && lx.pos+1 < len(src) && src[lx.pos+1] == ')':
			lx.pos += 2
			depth--
		default:
			lx.pos++
		}
	}
	return nil
}

// isIDChar reports whether c may appear in keywords, identifiers and numbers.
func isIDChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-./:<=>?@\\^_`|~", c) >= 0
}

// token reads one token. A token extends to the next white space,
// parenthesis or comment; a run that glues a string to other characters is
// a single malformed token, as the specification requires.
func (lx *lexer) token() (*Node, error) {
	p := lx.position()
	src := lx.src
	start := lx.pos
	glued := false // the run contains a string literal next to other characters
	valid := true
	for lx.pos < len(src) && !lx.atDelimiter() {
		c := src[lx.pos]
		if c != '"' {
			if !isIDChar(c) {
				valid = false
			}
			lx.pos++
			continue
		}
		strStart := lx.pos
		s, err := lx.stringLit()
		if err != nil {
			return nil, err
		}
		if strStart == start && (lx.pos >= len(src) || lx.atDelimiter()) {
			return &Node{Kind: String, Pos: p, Text: string(s)}, nil
		}
		glued = true
	}
	if lx.pos == start {
		return nil, errorf(p, "unexpected character %q", src[start])
	}
	text := string(src[start:lx.pos])
	if glued || !valid {
		// Not a token of the grammar; it is rejected where it is used.
		if !utf8.ValidString(text) {
			return nil, errorf(p, "malformed UTF-8 encoding")
		}
		return &Node{Kind: Reserved, Pos: p, Text: text}, nil
	}
	kind := Reserved
	switch c := text[0]; {
	case c == '$' && len(text) > 1:
		kind = ID
	case 'a' <= c && c <= 'z':
		kind = Keyword
	}
	return &Node{Kind: kind, Pos: p, Text: text}, nil
}

// atDelimiter reports whether a token ends at lx.pos.
func (lx *lexer) atDelimiter() bool {
	switch lx.src[lx.pos] {
	case ' ', '\t', '\n', '\r', '(', ')', ';':
		return true
	}
	return false
}

// stringLit reads a string literal at lx.pos and returns its bytes.
func (lx *lexer) stringLit() ([]byte, error) {
	p := lx.position()
	src := lx.src
	lx.pos++ // opening quote
	var out []byte
	for {
		if lx.pos >= len(src) {
			return nil, errorf(p, "unclosed string")
		}
		c := src[lx.pos]
		switch {
		case c == '"':
			lx.pos++
			return out, nil
		case c == '\n':
			return nil, errorf(lx.position(), "unclosed string (newline in string)")
		case c < 0x20 || c == 0x7F:
			return nil, errorf(lx.position(), "illegal control character in string")
		case c == '\\':
			b, err := lx.escape()
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		case c < 0x80:
			out = append(out, c)
			lx.pos++
		default:
			r, size := utf8.DecodeRune(src[lx.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, errorf(lx.position(), "malformed UTF-8 encoding")
			}
			out = append(out, src[lx.pos:lx.pos+size]...)
			lx.pos += size
		}
	}
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// escape decodes one escape sequence at lx.pos (at the backslash).
func (lx *lexer) escape() ([]byte, error) {
	p := lx.position()
	src := lx.src
	if lx.pos+1 >= len(src) {
		return nil, errorf(p, "unclosed string")
	}
	c := src[lx.pos+1]
	lx.pos += 2
	switch c {
	case 'n':
		return []byte{'\n'}, nil
	case 't':
		return []byte{'\t'}, nil
	case 'r':
		return []byte{'\r'}, nil
	case '"', '\'', '\\':
		return []byte{c}, nil
	case 'u':
		if lx.pos >= len(src) || src[lx.pos] != '{' {
			return nil, errorf(p, "illegal escape: \\u must be followed by {hex}")
		}
		lx.pos++
		var r rune
		digits := 0
		prevUnderscore := false
		for lx.pos < len(src) && src[lx.pos] != '}' {
			ch := src[lx.pos]
			switch {
			case ch == '_' && digits > 0 && !prevUnderscore:
				prevUnderscore = true
			case hexVal(ch) >= 0:
				if r > 0x10FFFF {
					return nil, errorf(p, "illegal escape: code point out of range")
				}
				r = r*16 + rune(hexVal(ch))
				digits++
				prevUnderscore = false
			default:
				return nil, errorf(p, "illegal escape: bad digit in \\u{…}")
			}
			lx.pos++
		}
		if lx.pos >= len(src) || digits == 0 || prevUnderscore {
			return nil, errorf(p, "illegal escape: malformed \\u{…}")
		}
		lx.pos++
		if r > 0x10FFFF || (r >= 0xD800 && r < 0xE000) {
			return nil, errorf(p, "illegal escape: \\u{%x} is not a Unicode scalar value", r)
		}
		return utf8.AppendRune(nil, r), nil
	}
	if lx.pos < len(src) && hexVal(c) >= 0 && hexVal(src[lx.pos]) >= 0 {
		b := byte(hexVal(c)*16 + hexVal(src[lx.pos]))
		lx.pos++
		return []byte{b}, nil
	}
	return nil, errorf(p, "illegal escape \"\\%c\"", c)
}
