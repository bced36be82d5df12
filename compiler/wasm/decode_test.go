package wasm

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// header is the 8-byte preamble of every module.
const header = "\x00asm\x01\x00\x00\x00"

// sec builds a section with a correct size (contents under 128 bytes).
func sec(id byte, contents string) string {
	return string([]byte{id, byte(len(contents))}) + contents
}

// voidFunc is a type section with []→[] and a function section declaring
// one function of it.
const voidFunc = "\x01\x04\x01\x60\x00\x00" + "\x03\x02\x01\x00"

// code wraps one function body (locals and instructions) in a code section.
func code(body string) string {
	return sec(10, "\x01"+string([]byte{byte(len(body))})+body)
}

func TestLEB128(t *testing.T) {
	u32 := []struct {
		in   string
		want uint32
		msg  string
	}{
		{"\x00", 0, ""},
		{"\x7f", 127, ""},
		{"\x80\x01", 128, ""},
		{"\xff\xff\xff\xff\x0f", 0xFFFFFFFF, ""},
		{"\x80\x80\x80\x80\x00", 0, ""}, // overlong but within 5 bytes: allowed
		{"\xff\xff\xff\xff\x1f", 0, msgTooLarge},
		{"\x80\x80\x80\x80\x80\x00", 0, msgTooLong},
		{"\x80\x80", 0, msgEnd},
		{"", 0, msgEnd},
	}
	for _, c := range u32 {
		v, n, msg := leU32([]byte(c.in), 0)
		if msg != c.msg || (msg == "" && (v != c.want || n != len(c.in))) {
			t.Errorf("leU32(%q) = %d, %d, %q; want %d, %q", c.in, v, n, msg, c.want, c.msg)
		}
	}
	s32 := []struct {
		in   string
		want int32
		msg  string
	}{
		{"\x7f", -1, ""},
		{"\x3f", 63, ""},
		{"\xc0\x00", 64, ""},
		{"\x80\x80\x80\x80\x78", -1 << 31, ""},
		{"\xff\xff\xff\xff\x07", 1<<31 - 1, ""},
		{"\xff\xff\xff\xff\x7f", -1, ""},
		{"\x80\x80\x80\x80\x08", 0, msgTooLarge}, // sign bit set, upper bits clear
		{"\xff\xff\xff\xff\x4f", 0, msgTooLarge},
		{"\xff\xff\xff\xff\xff\x7f", 0, msgTooLong},
	}
	for _, c := range s32 {
		v, n, msg := leS32([]byte(c.in), 0)
		if msg != c.msg || (msg == "" && (v != c.want || n != len(c.in))) {
			t.Errorf("leS32(%q) = %d, %d, %q; want %d, %q", c.in, v, n, msg, c.want, c.msg)
		}
	}
	s64 := []struct {
		in   string
		want int64
		msg  string
	}{
		{"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", -1 << 63, ""},
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 1<<63 - 1, ""},
		{"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 0, msgTooLarge},
		{"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7e", 0, msgTooLarge},
		{"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 0, msgTooLong},
	}
	for _, c := range s64 {
		v, n, msg := leS64([]byte(c.in), 0)
		if msg != c.msg || (msg == "" && (v != c.want || n != len(c.in))) {
			t.Errorf("leS64(%q) = %d, %d, %q; want %d, %q", c.in, v, n, msg, c.want, c.msg)
		}
	}
	s33 := []struct {
		in   string
		want int64
		msg  string
	}{
		{"\x40", -64, ""},
		{"\xff\xff\xff\xff\x0f", 1<<32 - 1, ""},
		{"\x80\x80\x80\x80\x70", -1 << 32, ""},
		{"\x80\x80\x80\x80\x20", 0, msgTooLarge},
	}
	for _, c := range s33 {
		v, n, msg := leS33([]byte(c.in), 0)
		if msg != c.msg || (msg == "" && (v != c.want || n != len(c.in))) {
			t.Errorf("leS33(%q) = %d, %d, %q; want %d, %q", c.in, v, n, msg, c.want, c.msg)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name, bin, msg string
	}{
		{"empty", "", "unexpected end"},
		{"magic", "\x00asn\x01\x00\x00\x00", "magic header not detected"},
		{"version", "\x00asm\x02\x00\x00\x00", "unknown binary version"},
		{"section id", header + "\x0d\x00", "malformed section id"},
		{"order", header + "\x03\x01\x00" + "\x01\x01\x00", "unexpected content after last section"},
		{"duplicate", header + "\x01\x01\x00" + "\x01\x01\x00", "unexpected content after last section"},
		{"datacount before code", header + "\x0a\x01\x00" + "\x0c\x01\x00", "unexpected content after last section"},
		{"size too big", header + "\x01\x05\x00", "length out of bounds"},
		{"size mismatch", header + "\x01\x02\x00\x00", "section size mismatch"},
		{"short vector", header + "\x01\x01\x01", "unexpected end of section or function"},
		{"func without code", header + voidFunc, "function and code section have inconsistent lengths"},
		{"data count", header + "\x0c\x01\x01", "data count and data section have inconsistent lengths"},
		{"utf8", header + sec(0, "\x02\xc0\x80"), "malformed UTF-8 encoding"},
		{"import kind", header + sec(2, "\x01\x01m\x01n\x04\x00"), "malformed import kind"},
		{"mutability", header + sec(6, "\x01\x7f\x02\x41\x00\x0b"), "malformed mutability"},
		{"reference type", header + sec(4, "\x01\x7f\x00\x00"), "malformed reference type"},
		{"limits flag", header + sec(5, "\x01\x02\x00"), "integer too large"},
		{"too many locals", header + voidFunc + code("\x02\xff\xff\x01\x7f\xff\xff\x01\x7e\x0b"), "too many locals"},
		{"illegal opcode", header + voidFunc + code("\x00\xff\x0b"), "illegal opcode"},
		{"zero byte", header + voidFunc + code("\x00\x3f\x01\x1a\x0b"), "zero byte expected"},
		{"memop flags", header + voidFunc + code("\x00\x41\x00\x28\x20\x00\x1a\x0b"), "malformed memop flags"},
		{"missing end", header + voidFunc + code("\x00\x01"), "unexpected end of section or function"},
		{"bytes after end", header + voidFunc + code("\x00\x0b\x01"), "section size mismatch"},
		{"else outside if", header + voidFunc + code("\x00\x02\x40\x05\x0b\x0b"), "illegal opcode"},
		{"truncated immediate", header + voidFunc + code("\x00\x41"), "unexpected end of section or function"},
		{"i32 too large", header + voidFunc + code("\x00\x41\xff\xff\xff\xff\x4f\x1a\x0b"), "integer too large"},
		{"data count required", header + voidFunc + "\x05\x03\x01\x00\x00" + code("\x00\xfc\x09\x00\x0b") + sec(11, "\x01\x01\x00"),
			"data count section required"},
		{"elem kind", header + sec(9, "\x01\x08\x00"), "malformed elements segment kind"},
		{"data kind", header + sec(11, "\x01\x03\x00"), "malformed data segment kind"},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.bin))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want a Malformed error", c.name, err)
			continue
		}
		if e.Kind != Malformed || !strings.HasPrefix(e.Msg, c.msg) {
			t.Errorf("%s: got %s %q, want malformed %q", c.name, e.Kind, e.Msg, c.msg)
		}
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Kind: Invalid, Offset: 0x1a3, Func: 12, Msg: "type mismatch: expected i32, got f64"}
	if got, want := e.Error(), "func 12 at 0x1a3: type mismatch: expected i32, got f64"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = &Error{Kind: Malformed, Offset: 0x1f, Func: -1, Msg: "unexpected end"}
	if got, want := e.Error(), "at 0x1f: unexpected end"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err := Decode([]byte(header + voidFunc + code("\x00\x41\x00\x0b")))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Decode([]byte(header + voidFunc + code("\x00\x41\x00\x0b")))
	err = Validate(m)
	var ve *Error
	if !errors.As(err, &ve) || ve.Kind != Invalid || ve.Func != 0 || !strings.HasPrefix(ve.Msg, "type mismatch") {
		t.Errorf("got %v, want an Invalid type mismatch in func 0", err)
	}
}

// TestDecodeClaimedCounts checks that a count the input cannot back does
// not make Decode allocate for it.
func TestDecodeClaimedCounts(t *testing.T) {
	huge := "\xff\xff\xff\xff\x0f"
	inputs := []string{
		header + sec(1, huge),
		header + sec(2, huge),
		header + sec(3, huge),
		header + sec(9, huge),
		header + sec(10, huge),
		header + sec(11, huge),
		header + sec(1, "\x01\x60"+huge),
		header + voidFunc + code("\x00\x0e"+huge),
		header + voidFunc + code("\x01"+huge+"\x7f\x0b"),
		header + sec(0, "\x04name\x01\x06"+huge+"\x00"),
	}
	for _, in := range inputs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Decode([]byte(in))
		runtime.ReadMemStats(&after)
		// The broken name section is ignored; everything else must fail.
		if err == nil && (m.Names.Funcs != nil || !strings.Contains(in, "name")) {
			t.Errorf("%q: decoded without error", in)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%q: Decode allocated %d bytes", in, n)
		}
	}
}

// TestElemEncodings decodes the eight element segment forms.
func TestElemEncodings(t *testing.T) {
	offset := "\x41\x00\x0b"
	refFunc := "\xd2\x00\x0b"
	segs := []struct {
		enc   string
		mode  SegmentMode
		table uint32
		typ   ValType
	}{
		{"\x00" + offset + "\x01\x00", SegmentActive, 0, FuncRef},
		{"\x01\x00\x01\x00", SegmentPassive, 0, FuncRef},
		{"\x02\x01" + offset + "\x00\x01\x00", SegmentActive, 1, FuncRef},
		{"\x03\x00\x01\x00", SegmentDeclarative, 0, FuncRef},
		{"\x04" + offset + "\x01" + refFunc, SegmentActive, 0, FuncRef},
		{"\x05\x70\x01" + refFunc, SegmentPassive, 0, FuncRef},
		{"\x06\x01" + offset + "\x70\x01" + refFunc, SegmentActive, 1, FuncRef},
		{"\x07\x6f\x01\xd0\x6f\x0b", SegmentDeclarative, 0, ExternRef},
	}
	var elems string
	for _, s := range segs {
		elems += s.enc
	}
	tables := sec(4, "\x02\x70\x00\x01\x70\x00\x01")
	bin := header + voidFunc + tables + sec(9, string([]byte{byte(len(segs))})+elems) + code("\x00\x0b")
	m, err := Decode([]byte(bin))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Elems) != len(segs) {
		t.Fatalf("%d segments, want %d", len(m.Elems), len(segs))
	}
	for i, s := range segs {
		e := m.Elems[i]
		if e.Mode != s.mode || e.Table != s.table || e.Type != s.typ || len(e.Init) != 1 {
			t.Errorf("segment %d: got %+v", i, e)
			continue
		}
		want := OpRefFunc
		if s.typ == ExternRef {
			want = OpRefNull
		}
		if in := e.Init[0].Instrs; len(in) != 1 || in[0].Op != want || in[0].Index != 0 {
			t.Errorf("segment %d: item %+v, want one %s", i, in, want)
		}
		if s.mode == SegmentActive && (len(e.Offset.Instrs) != 1 || e.Offset.Instrs[0].Op != OpI32Const) {
			t.Errorf("segment %d: offset %+v", i, e.Offset)
		}
	}
	if err := Validate(m); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestNameSection(t *testing.T) {
	names := "\x00\x04\x03mod" + // module name
		"\x01\x05\x01\x00\x02fn" + // function 0 is "fn"
		"\x02\x06\x01\x00\x01\x00\x01x" // local 0 of function 0 is "x"
	bin := header + voidFunc + code("\x00\x0b") + sec(0, "\x04name"+names)
	m, err := Decode([]byte(bin))
	if err != nil {
		t.Fatal(err)
	}
	if m.Names.Module != "mod" || m.Names.Funcs[0] != "fn" || m.Names.Locals[0][0] != "x" {
		t.Errorf("names: %+v", m.Names)
	}
	// A broken name section is ignored, not an error.
	m, err = Decode([]byte(header + sec(0, "\x04name\x01\x05\x01")))
	if err != nil || m.Names.Funcs != nil {
		t.Errorf("broken name section: %v, %+v", err, m.Names)
	}
	// Other custom sections are kept.
	m, err = Decode([]byte(header + sec(0, "\x03abcxyz")))
	if err != nil || len(m.Customs) != 1 || m.Customs[0].Name != "abc" || string(m.Customs[0].Data) != "xyz" {
		t.Errorf("custom section: %v, %+v", err, m.Customs)
	}
}
