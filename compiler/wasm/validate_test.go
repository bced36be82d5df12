package wasm

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// validate decodes bin, which must be well-formed, and validates it.
func validate(t *testing.T, bin string) error {
	t.Helper()
	m, err := Decode([]byte(bin))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return Validate(m)
}

// oneFunc is a module with one []→[] function with the given body, after
// the given sections between the function and code sections.
func oneFunc(middle, body string) string {
	return header + voidFunc + middle + code(body)
}

func TestValidateErrors(t *testing.T) {
	mem := sec(5, "\x01\x00\x01")
	cases := []struct {
		name, bin, msg string
	}{
		{"stack", oneFunc("", "\x00\x41\x00\x0b"), "type mismatch"},
		{"operand type", oneFunc("", "\x00\x41\x00\x42\x00\x6a\x1a\x0b"), "type mismatch"},
		{"unknown local", oneFunc("", "\x00\x20\x00\x1a\x0b"), "unknown local"},
		{"unknown label", oneFunc("", "\x00\x0c\x01\x0b"), "unknown label"},
		{"unknown function", oneFunc("", "\x00\x10\x05\x0b"), "unknown function"},
		{"unknown memory", oneFunc("", "\x00\x41\x00\x28\x02\x00\x1a\x0b"), "unknown memory"},
		{"alignment", oneFunc(mem, "\x00\x41\x00\x28\x03\x00\x1a\x0b"), "alignment must not be larger than natural"},
		{"lane", oneFunc("", "\x00\xfd\x0c"+strings.Repeat("\x00", 16)+"\xfd\x15\x10\x1a\x0b"), "invalid lane index"},
		{"shuffle lane", oneFunc("", "\x00\xfd\x0c"+strings.Repeat("\x00", 16)+"\xfd\x0c"+strings.Repeat("\x00", 16)+
			"\xfd\x0d"+strings.Repeat("\x20", 16)+"\x1a\x0b"), "invalid lane index"},
		{"undeclared ref", oneFunc("", "\x00\xd2\x00\x1a\x0b"), "undeclared function reference"},
		{"if without else", oneFunc("", "\x00\x41\x01\x04\x7f\x41\x01\x0b\x1a\x0b"), "type mismatch"},
		{"select reference", oneFunc("", "\x00\xd0\x70\xd0\x70\x41\x00\x1b\x1a\x0b"), "type mismatch"},
		{"br_table arity", oneFunc("", "\x00\x02\x7f\x41\x00\x41\x00\x0e\x01\x00\x01\x0b\x1a\x0b"), "type mismatch"},
		{"immutable global", oneFunc(sec(6, "\x01\x7f\x00\x41\x00\x0b"), "\x00\x41\x00\x24\x00\x0b"), "global is immutable"},
		{"global init refers to a definition", header + sec(6, "\x02\x7f\x00\x41\x00\x0b\x7f\x00\x23\x00\x0b"), "unknown global"},
		{"mutable import in init", header + sec(2, "\x01\x01m\x01g\x03\x7f\x01") + sec(6, "\x01\x7f\x00\x23\x00\x0b"),
			"constant expression required"},
		{"non-constant init", header + sec(6, "\x01\x7f\x00\x41\x00\x41\x00\x6a\x0b"), "constant expression required"},
		{"init type", header + sec(6, "\x01\x7f\x00\x42\x00\x0b"), "type mismatch"},
		{"two memories", header + sec(5, "\x02\x00\x00\x00\x00"), "multiple memories"},
		{"memory size", header + sec(5, "\x01\x00\x81\x80\x04"), "memory size must be at most 65536 pages (4GiB)"},
		{"limits order", header + sec(4, "\x01\x70\x01\x02\x01"), "size minimum must not be greater than maximum"},
		{"duplicate export", oneFunc(sec(7, "\x02\x01a\x00\x00\x01a\x00\x00"), "\x00\x0b"),
			"duplicate export name"},
		{"start type", header + "\x01\x05\x01\x60\x01\x7f\x00" + "\x03\x02\x01\x00" + sec(8, "\x00") + code("\x00\x0b"), "start function"},
		{"table elem type", oneFunc(sec(4, "\x01\x6f\x00\x00"), "\x00\x41\x00\x11\x00\x00\x0b"), "type mismatch"},
		{"unknown data", oneFunc(mem+sec(12, "\x00"), "\x00\xfc\x09\x00\x0b") + sec(11, "\x00"), "unknown data segment"},
		{"select arity", oneFunc("", "\x00\x41\x00\x41\x00\x41\x00\x1c\x02\x7f\x7f\x1a\x0b"), "invalid result arity"},
	}
	for _, c := range cases {
		err := validate(t, c.bin)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want an Invalid error", c.name, err)
			continue
		}
		if e.Kind != Invalid || !strings.HasPrefix(e.Msg, c.msg) {
			t.Errorf("%s: got %s %q, want invalid %q", c.name, e.Kind, e.Msg, c.msg)
		}
		// Every error points into the module, past the 8-byte header.
		if e.Offset < 8 || int(e.Offset) >= len(c.bin) {
			t.Errorf("%s: offset %#x is outside the module's sections (%d bytes)", c.name, e.Offset, len(c.bin))
		}
	}
	// The duplicate is reported at its own export entry.
	bin := oneFunc(sec(7, "\x02\x01a\x00\x00\x01a\x00\x00"), "\x00\x0b")
	var e *Error
	if err := validate(t, bin); !errors.As(err, &e) || e.Offset != uint32(strings.LastIndex(bin, "\x01a\x00\x00")) {
		t.Errorf("duplicate export: got %v, want it at the second entry (%#x)", err, strings.LastIndex(bin, "\x01a\x00\x00"))
	}
}

func TestValidateAccepts(t *testing.T) {
	multi := header + "\x01\x0a\x02\x60\x00\x00\x60\x01\x7f\x02\x7f\x7f" + "\x03\x02\x01\x00"
	cases := []struct{ name, bin string }{
		{"unreachable is polymorphic", oneFunc("", "\x00\x00\x6a\x1a\x1b\x1a\x0b")},
		{"br_table in unreachable code", oneFunc("", "\x00\x02\x7f\x00\x0e\x01\x00\x00\x0b\x1a\x0b")},
		{"multi-value block", multi + code("\x00\x41\x01\x02\x01\x41\x02\x0b\x1a\x1a\x0b")},
		{"declared by export", oneFunc(sec(7, "\x01\x01f\x00\x00"), "\x00\xd2\x00\x1a\x0b")},
		{"declared by element", oneFunc(sec(9, "\x01\x03\x00\x01\x00"), "\x00\xd2\x00\x1a\x0b")},
		{"global.get of imported constant", header + sec(2, "\x01\x01m\x01g\x03\x7f\x00") + sec(6, "\x01\x7f\x00\x23\x00\x0b")},
		{"many locals", oneFunc("", "\x02\xd0\x0f\x7f\x01\x7e\x20\xd0\x0f\x50\x1a\x0b")},
	}
	for _, c := range cases {
		if err := validate(t, c.bin); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestInstrReader(t *testing.T) {
	// br_table 0 0 0; br_table 0 0; end
	body := []byte("\x0e\x02\x00\x00\x00\x0e\x01\x00\x00\x0b")
	r := NewInstrReader(body, 100)
	var in Instr
	if err := r.Next(&in); err != nil || in.Op != OpBrTable || len(in.Targets) != 3 || in.Offset != 100 {
		t.Fatalf("first: %v %+v", err, in)
	}
	first := &in.Targets[0]
	if err := r.Next(&in); err != nil || len(in.Targets) != 2 || &in.Targets[0] != first {
		t.Errorf("second br_table did not reuse the Targets array: %v %+v", err, in)
	}
	if err := r.Next(&in); err != nil || in.Op != OpEnd || len(in.Targets) != 0 || in.Offset != 109 {
		t.Errorf("end: %v %+v", err, in)
	}
	if err := r.Next(&in); err != io.EOF {
		t.Errorf("after the end: %v, want io.EOF", err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		r := InstrReader{body: body}
		for r.Next(&in) == nil {
		}
	})
	if allocs != 0 {
		t.Errorf("reading allocated %v times", allocs)
	}
}

func TestModuleLookups(t *testing.T) {
	types := "\x01\x09\x02\x60\x00\x00\x60\x01\x7f\x01\x7f"
	imports := sec(2, "\x04"+
		"\x01m\x01f\x00\x01"+ // func 0: type 1
		"\x01m\x01g\x03\x7e\x00"+ // global 0: i64
		"\x01m\x01t\x01\x6f\x00\x02"+ // table 0: externref
		"\x01m\x01m\x02\x00\x01") // memory 0
	funcs := "\x03\x02\x01\x00" // func 1: type 0
	tables := sec(4, "\x01\x70\x00\x00")
	globals := sec(6, "\x01\x7d\x01\x43\x00\x00\x00\x00\x0b")
	exports := sec(7, "\x01\x03run\x00\x01")
	bin := header + types + imports + funcs + tables + globals + exports + code("\x00\x0b")
	m, err := Decode([]byte(bin))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(m); err != nil {
		t.Fatal(err)
	}
	if m.NumFuncs() != 2 || m.FuncTypeOf(0) != &m.Types[1] || m.FuncTypeOf(1) != &m.Types[0] || m.FuncTypeOf(2) != nil {
		t.Error("FuncTypeOf")
	}
	if g := m.GlobalTypeOf(0); g == nil || g.Type != I64 {
		t.Error("GlobalTypeOf(0)")
	}
	if g := m.GlobalTypeOf(1); g == nil || g.Type != F32 || !g.Mutable {
		t.Error("GlobalTypeOf(1)")
	}
	if tt := m.TableTypeOf(1); tt == nil || tt.Elem != FuncRef || m.TableTypeOf(0).Elem != ExternRef || m.TableTypeOf(2) != nil {
		t.Error("TableTypeOf")
	}
	if mt := m.MemoryTypeOf(0); mt == nil || mt.Limits.Min != 1 || m.MemoryTypeOf(1) != nil {
		t.Error("MemoryTypeOf")
	}
	if idx, ok := m.ExportedFunc("run"); !ok || idx != 1 {
		t.Error("ExportedFunc")
	}
	if _, ok := m.ExportedFunc("missing"); ok {
		t.Error("ExportedFunc found a missing export")
	}
	if p, r := m.BlockSig(BlockType{Kind: BlockIndex, Index: 1}); len(p) != 1 || len(r) != 1 || r[0] != I32 {
		t.Error("BlockSig(type 1)")
	}
	if p, r := m.BlockSig(BlockType{Kind: BlockValue, Value: V128}); p != nil || len(r) != 1 || r[0] != V128 {
		t.Error("BlockSig(v128)")
	}
}

// TestValidateBodiesInParallel checks a module whose bodies are checked on
// several goroutines: a valid one passes, and with invalid bodies the
// error is the one of the lowest function index, as checking in order
// gives, wherever the bad bodies are.
func TestValidateBodiesInParallel(t *testing.T) {
	defer func(n int) { parallelBodyBytes = n }(parallelBodyBytes)
	parallelBodyBytes = 0
	uleb := func(n int) string {
		var b []byte
		for {
			c := byte(n & 0x7f)
			n >>= 7
			if n == 0 {
				return string(append(b, c))
			}
			b = append(b, c|0x80)
		}
	}
	section := func(id byte, contents string) string { return string([]byte{id}) + uleb(len(contents)) + contents }
	const n = 300
	good := "\x00" + strings.Repeat("\x41\x01\x1a", 20) + "\x0b" // (i32.const 1; drop)* 20
	module := func(bad map[int]string) string {
		bodies := uleb(n)
		for i := range n {
			body := good
			if b, ok := bad[i]; ok {
				body = b
			}
			bodies += uleb(len(body)) + body
		}
		return header + section(1, "\x01\x60\x00\x00") + section(3, uleb(n)+strings.Repeat("\x00", n)) + section(10, bodies)
	}
	if err := validate(t, module(nil)); err != nil {
		t.Fatalf("valid module: %v", err)
	}
	mismatch := "\x00\x41\x00\x0b"      // leaves an i32: type mismatch
	unknownLocal := "\x00\x20\x00\x1a\x0b" // local.get 0 of none
	for _, first := range []int{0, 1, 150, 299} {
		bad := map[int]string{first: unknownLocal}
		for k := first + 1; k < n; k += 7 {
			bad[k] = mismatch
		}
		err := validate(t, module(bad))
		var e *Error
		if !errors.As(err, &e) || e.Func != first || !strings.Contains(err.Error(), "unknown local") {
			t.Errorf("first bad body %d: got %v", first, err)
		}
	}
}
