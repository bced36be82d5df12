package rtlib

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// elfEdit locates the parts of an object that the tamper tests change.
type elfEdit struct {
	t   *testing.T
	obj []byte
	f   *elf.File
}

func newELFEdit(t *testing.T, obj []byte) *elfEdit {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	return &elfEdit{t, bytes.Clone(obj), f}
}

// sectionHeader returns the file offset of section i's header.
func (e *elfEdit) sectionHeader(i int) int {
	shoff := binary.LittleEndian.Uint64(e.obj[0x28:])
	return int(shoff) + 64*i
}

// relaText returns the index of the relocation section of .text.
func (e *elfEdit) relaText() int {
	for i, s := range e.f.Sections {
		if s.Type == elf.SHT_RELA && e.f.Sections[s.Info].Name == ".text" {
			return i
		}
	}
	e.t.Fatal("object has no .rela.text")
	return 0
}

// firstLocalReloc returns the file offset of the first relocation of
// .text against a symbol defined in the object (not a GOT relocation).
func (e *elfEdit) firstLocalReloc() int {
	rs := e.f.Sections[e.relaText()]
	syms, _ := e.f.Symbols()
	for off := rs.Offset; off < rs.Offset+rs.Size; off += 24 {
		info := binary.LittleEndian.Uint64(e.obj[off+8:])
		if s := syms[info>>32-1]; s.Section != elf.SHN_UNDEF && !abi.RelocUsesGOT(archOf(e.f.Machine), uint32(info)) {
			return int(off)
		}
	}
	e.t.Fatal("no relocation against a defined symbol")
	return 0
}

// resealed seals a tampered copy of a sealed object anew (anyone can
// seal an object, so the loader's structural checks must hold for sealed
// objects too). The seal is the last section: dropping it from the
// section count leaves the object as it was before sealing.
func resealed(t *testing.T, obj []byte) []byte {
	t.Helper()
	out := sealAgain(obj)
	if out == nil {
		t.Fatal("cannot seal the object again")
	}
	return out
}

// sealAgain is resealed for any input: an object without a seal as its
// last section is sealed; nil if sealing fails.
func sealAgain(obj []byte) (sealed []byte) {
	defer func() {
		if recover() != nil { // debug/elf on hostile input
			sealed = nil
		}
	}()
	raw := bytes.Clone(obj)
	if f, err := elf.NewFile(bytes.NewReader(obj)); err == nil && len(f.Sections) > 1 && f.Sections[len(f.Sections)-1].Name == seal.Section {
		binary.LittleEndian.PutUint16(raw[0x3c:], uint16(len(f.Sections)-1))
	}
	out, err := seal.Seal(raw)
	if err != nil {
		return nil
	}
	return out
}

// TestRelocationTampers checks that the loader refuses relocations that
// would make code reach outside the object or run unrelocated. Before
// these checks a ±1 MiB addend made the host fault, and a relocation
// section with target 0 or out of range was skipped.
func TestRelocationTampers(t *testing.T) {
	obj := craftedObject(t) // the back ends' own objects have no relocations yet
	addend := func(delta int64) []byte {
		e := newELFEdit(t, obj)
		off := e.firstLocalReloc() + 16
		binary.LittleEndian.PutUint64(e.obj[off:], uint64(int64(binary.LittleEndian.Uint64(e.obj[off:]))+delta))
		return e.obj
	}
	info := func(v uint32) []byte {
		e := newELFEdit(t, obj)
		binary.LittleEndian.PutUint32(e.obj[e.sectionHeader(e.relaText())+44:], v)
		return e.obj
	}
	// The first exported function's symbol moved to the end of .text.
	symbolAtEnd := func() []byte {
		e := newELFEdit(t, obj)
		syms, _ := e.f.Symbols()
		st := e.f.Section(".symtab")
		for i, s := range syms {
			if s.Name == metaOf(t, obj).Funcs[0].Symbol {
				off := st.Offset + uint64(i+1)*24 + 8
				binary.LittleEndian.PutUint64(e.obj[off:], e.f.Sections[s.Section].Size)
				return e.obj
			}
		}
		t.Fatal("function symbol not found")
		return nil
	}
	cases := map[string]struct {
		obj  []byte
		want string
	}{
		"addend +1 MiB":          {addend(1 << 20), "lies outside its section"},
		"addend -1 MiB":          {addend(-1 << 20), "lies outside its section"},
		"sh_info 0":              {info(0), "target section 0 does not exist"},
		"sh_info out of range":   {info(999), "target section 999 does not exist"},
		"symbol at end of .text": {symbolAtEnd(), "lies outside its section"},
	}
	for name, c := range cases {
		m, err := Load(resealed(t, c.obj))
		if err == nil {
			m.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.want)
		}
	}
}
