package rtlib

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// The test objects are what users get: WebAssembly text modules in
// testdata compiled in the test process by wasmaot's native back end
// (backend/amd64 or backend/arm64), for the test binary's architecture
// unless a test asks for another. No LLVM tool is involved, so the tests
// also run on a device without one (make unit-arm64 runs them under qemu).
//
// A few tests need what no back end emits: fuel metering and calls of
// the runtime's memmove and memset (craftedObject in crafted_test.go), or
// a call of a symbol the runtime lacks. Those objects are native objects
// edited in Go (decodeObject, editObject): their other functions stay as
// compiled.

// testdataWat returns testdata/name with the lines between the markers
// ";; region:begin" and ";; region:end" replaced by repl, when region is
// not empty (variants of a module share its functions).
func testdataWat(t testing.TB, name, region, repl string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	if region == "" {
		return s
	}
	begin, end := ";; "+region+":begin\n", ";; "+region+":end\n"
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("testdata/%s has no region %q", name, region)
	}
	return s[:i] + repl + "\n" + s[j+len(end):]
}

type compiled struct {
	once sync.Once
	obj  []byte
	err  error
}

// nativeObjects caches compiled objects by architecture and source.
var nativeObjects sync.Map // string → *compiled

// nativeObject compiles the module text src for arch with the native back
// end, once per test binary.
func nativeObject(t testing.TB, src string, arch abi.Arch) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(src))
	v, _ := nativeObjects.LoadOrStore(arch.String()+string(sum[:]), &compiled{})
	c := v.(*compiled)
	c.once.Do(func() {
		var wasmBytes []byte
		if wasmBytes, c.err = wat.Parse([]byte(src)); c.err != nil {
			return
		}
		c.obj, c.err = compiler.Compile(wasmBytes, compiler.Options{
			Target: arch.String(), Backend: "native", OptLevel: compiler.DefaultOptLevel})
	})
	if c.err != nil {
		t.Fatalf("compiling a test module for %v: %v", arch, c.err)
	}
	return c.obj
}

// metaOf returns the metadata of a test object.
func metaOf(t testing.TB, obj []byte) *abi.Meta {
	t.Helper()
	m, err := ReadMeta(obj)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// funcSymbol returns the symbol of the defined function meta exports as
// name.
func funcSymbol(t testing.TB, meta *abi.Meta, name string) string {
	t.Helper()
	imported := 0
	for _, im := range meta.Imports {
		if im.Kind == abi.ExternFunc {
			imported++
		}
	}
	for _, x := range meta.Exports {
		if x.Name == name && x.Kind == abi.ExternFunc && int(x.Index) >= imported {
			return meta.Funcs[int(x.Index)-imported].Symbol
		}
	}
	t.Fatalf("no defined function is exported as %s", name)
	return ""
}

// decodeObject reads a native object back into the form the back ends
// build (backend.Object), so that a test can change it and encode it
// again with the same writer. The seal is dropped.
func decodeObject(t testing.TB, obj []byte) *backend.Object {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	data := func(name string) []byte {
		s := f.Section(name)
		if s == nil {
			return nil
		}
		b, err := s.Data()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	meta, err := abi.DecodeMeta(data(abi.MetaSection))
	if err != nil {
		t.Fatal(err)
	}
	o := &backend.Object{Arch: meta.Arch, Meta: meta, Text: data(".text"), Rodata: data(".rodata")}
	sections := map[elf.SectionIndex]backend.Section{}
	for i, s := range f.Sections {
		switch s.Name {
		case ".text":
			sections[elf.SectionIndex(i)] = backend.Text
		case ".rodata":
			sections[elf.SectionIndex(i)] = backend.Rodata
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_SECTION || s.Section == elf.SHN_UNDEF {
			continue
		}
		sec, ok := sections[s.Section]
		if !ok {
			t.Fatalf("symbol %s in section %d", s.Name, s.Section)
		}
		o.Symbols = append(o.Symbols, backend.Symbol{Name: s.Name, Section: sec, Offset: s.Value, Size: s.Size,
			Local: elf.ST_BIND(s.Info) == elf.STB_LOCAL})
	}
	for _, rs := range f.Sections {
		if rs.Type != elf.SHT_RELA {
			continue
		}
		b, err := rs.Data()
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+24 <= len(b); off += 24 {
			info := binary.LittleEndian.Uint64(b[off+8:])
			s := syms[info>>32-1]
			name := s.Name
			if elf.ST_TYPE(s.Info) == elf.STT_SECTION {
				name = sections[s.Section].String()
			}
			o.Relocs = append(o.Relocs, backend.Reloc{Section: sections[elf.SectionIndex(rs.Info)],
				Offset: binary.LittleEndian.Uint64(b[off:]), Type: uint32(info),
				Symbol: name, Addend: int64(binary.LittleEndian.Uint64(b[off+16:]))})
		}
	}
	return o
}

// encodeObject writes o and seals it, as the compiler driver does.
func encodeObject(t testing.TB, o *backend.Object) []byte {
	t.Helper()
	obj, err := o.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return sealed(t, obj)
}

func sealed(t testing.TB, obj []byte) []byte {
	t.Helper()
	obj, err := seal.Seal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// symbol returns the named symbol of o.
func symbol(t testing.TB, o *backend.Object, name string) *backend.Symbol {
	t.Helper()
	for i := range o.Symbols {
		if o.Symbols[i].Name == name {
			return &o.Symbols[i]
		}
	}
	t.Fatalf("object has no symbol %s", name)
	return nil
}

// replaceFunc gives the function at symbol name new machine code (with
// relocations at offsets inside code): the code is appended to .text and
// the symbol moved to it, and the old body starts with a jump to the
// symbol (a relocation against it), for the direct calls the back end
// resolved when it compiled the module.
func replaceFunc(t testing.TB, o *backend.Object, name string, code []byte, relocs []backend.Reloc) {
	t.Helper()
	s := symbol(t, o, name)
	old := s.Offset
	jump := []byte{0xe9, 0, 0, 0, 0} // jmp rel32
	jumpReloc := backend.Reloc{Section: backend.Text, Offset: old + 1, Type: uint32(elf.R_X86_64_PC32), Symbol: name, Addend: -4}
	pad := byte(0xcc) // int3
	if o.Arch == abi.ArchARM64 {
		jump = binary.LittleEndian.AppendUint32(nil, 0x14000000) // b
		jumpReloc = backend.Reloc{Section: backend.Text, Offset: old, Type: uint32(elf.R_AARCH64_JUMP26), Symbol: name}
		pad = 0 // udf #0
	}
	if s.Size < uint64(len(jump)) {
		t.Fatalf("%s is %d bytes, too short for a jump", name, s.Size)
	}
	for _, r := range o.Relocs {
		if r.Section == backend.Text && r.Offset < old+uint64(len(jump)) && r.Offset+8 > old {
			t.Fatalf("%s starts with a relocation; cannot put a jump there", name)
		}
	}
	copy(o.Text[old:], jump)
	o.Relocs = append(o.Relocs, jumpReloc)
	for len(o.Text)%16 != 0 {
		o.Text = append(o.Text, pad)
	}
	at := uint64(len(o.Text))
	o.Text = append(o.Text, code...)
	for _, r := range relocs {
		r.Section, r.Offset = backend.Text, at+r.Offset
		o.Relocs = append(o.Relocs, r)
	}
	s.Offset, s.Size = at, uint64(len(code))
}

// renameUndefined renames an undefined symbol of an unsealed object in
// its string table (the new name may not be longer).
func renameUndefined(t testing.TB, obj []byte, from, to string) []byte {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	st := f.Section(".strtab")
	i := bytes.Index(obj[st.Offset:st.Offset+st.Size], []byte("\x00"+from+"\x00"))
	if i < 0 || len(to) > len(from) {
		t.Fatalf("cannot rename %s to %s", from, to)
	}
	out := bytes.Clone(obj)
	at := int(st.Offset) + i + 1
	copy(out[at:at+len(from)], make([]byte, len(from)))
	copy(out[at:], to)
	return out
}
