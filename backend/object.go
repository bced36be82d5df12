package backend

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// Section is one of the object's loadable sections.
type Section uint8

// The loadable sections. Code goes to Text; constants, data-segment bytes
// and element contents a back end wants PC-relative access to go to
// Rodata. The metadata section is written from Object.Meta.
const (
	Text Section = iota + 1
	Rodata
)

func (s Section) String() string {
	switch s {
	case Text:
		return ".text"
	case Rodata:
		return ".rodata"
	}
	return fmt.Sprintf("section(%d)", uint8(s))
}

// Symbol is a named place in a section.
type Symbol struct {
	Name    string
	Section Section
	Offset  uint64 // from the start of the section
	Size    uint64
	// Local symbols are visible only inside the object (constants,
	// labels); the others are global with hidden visibility. Symbols in
	// Text are functions, in Rodata data objects.
	Local bool
}

// Reloc asks the loader to patch Section at Offset with a reference to
// Symbol plus Addend, computed as Type (an elf.R_X86_64_* or
// elf.R_AARCH64_* number) says. Symbol is a Symbol of the object, a
// section (".text" or ".rodata", meaning its start) or one of
// abi.RuntimeSymbols; Type must be one abi.RelocSize accepts.
type Reloc struct {
	Section Section
	Offset  uint64
	Type    uint32
	Symbol  string
	Addend  int64
}

// Object is an ELF64 relocatable object being assembled by a back end:
// machine code and constants with their symbols and relocations, and the
// module's metadata. Encode checks it and writes the file the loader
// reads (see docs/object-format.md).
type Object struct {
	Arch   abi.Arch
	Text   []byte
	Rodata []byte
	// Meta is written to abi.MetaSection. Every function, trampoline and
	// import-stub symbol it names must be a global symbol in Text.
	Meta    *abi.Meta
	Symbols []Symbol
	Relocs  []Reloc
}

// Section indices of an encoded object, in file order.
const (
	shText = 1 + iota
	shRodata
	shMeta
	shRelaText
	shRelaRodata
	shSymtab
	shStrtab
	shShstrtab
	shCount
)

const (
	ehdrSize = 64
	shdrSize = 64
	symSize  = 24
	relaSize = 24
)

// Encode checks o and returns it as an ELF64 relocatable object.
func (o *Object) Encode() ([]byte, error) {
	machine := o.Arch.Machine()
	if machine == elf.EM_NONE {
		return nil, fmt.Errorf("object: unknown architecture %v", o.Arch)
	}
	if o.Meta == nil {
		return nil, fmt.Errorf("object: no metadata")
	}
	if o.Meta.Arch != o.Arch {
		return nil, fmt.Errorf("object: metadata is for %v, object for %v", o.Meta.Arch, o.Arch)
	}
	sectionSize := func(s Section) (uint64, bool) {
		switch s {
		case Text:
			return uint64(len(o.Text)), true
		case Rodata:
			return uint64(len(o.Rodata)), true
		}
		return 0, false
	}

	// Symbols: null, the two section symbols, locals, then globals.
	nameBytes := 1
	for _, s := range o.Symbols {
		nameBytes += len(s.Name) + 1
	}
	strtab := make([]byte, 1, nameBytes)
	symtab := make([]byte, 3*symSize, (3+len(o.Symbols))*symSize)
	putSym := func(name string, info byte, other byte, shndx uint16, value, size uint64) {
		var e [symSize]byte
		if name != "" {
			binary.LittleEndian.PutUint32(e[0:], uint32(len(strtab)))
			strtab = append(append(strtab, name...), 0)
		}
		e[4], e[5] = info, other
		binary.LittleEndian.PutUint16(e[6:], shndx)
		binary.LittleEndian.PutUint64(e[8:], value)
		binary.LittleEndian.PutUint64(e[16:], size)
		symtab = append(symtab, e[:]...)
	}
	for i, sh := range []uint16{shText, shRodata} {
		e := symtab[(1+i)*symSize:]
		e[4] = byte(elf.ST_INFO(elf.STB_LOCAL, elf.STT_SECTION))
		binary.LittleEndian.PutUint16(e[6:], sh)
	}
	index := make(map[string]uint32, 2+len(o.Symbols))
	index[Text.String()], index[Rodata.String()] = 1, 2
	ordered := slices.Clone(o.Symbols)
	slices.SortStableFunc(ordered, func(a, b Symbol) int {
		if a.Local == b.Local {
			return 0
		}
		if a.Local {
			return -1
		}
		return 1
	})
	firstGlobal := uint32(3)
	for _, s := range ordered {
		if s.Local {
			firstGlobal++
		}
	}
	for i, s := range ordered {
		if s.Name == "" {
			return nil, fmt.Errorf("object: symbol %d has no name", i)
		}
		if _, dup := index[s.Name]; dup || slices.Contains(abi.RuntimeSymbols, s.Name) {
			return nil, fmt.Errorf("object: symbol %q defined twice or shadows a runtime symbol", s.Name)
		}
		size, ok := sectionSize(s.Section)
		if !ok {
			return nil, fmt.Errorf("object: symbol %q in unknown section %v", s.Name, s.Section)
		}
		if s.Offset > size || s.Size > size-s.Offset {
			return nil, fmt.Errorf("object: symbol %q [%#x, +%#x) lies outside %v (%#x bytes)", s.Name, s.Offset, s.Size, s.Section, size)
		}
		typ, bind, vis := elf.STT_OBJECT, elf.STB_GLOBAL, elf.STV_HIDDEN
		if s.Section == Text {
			typ = elf.STT_FUNC
		}
		if s.Local {
			bind, vis = elf.STB_LOCAL, elf.STV_DEFAULT
		}
		sh := uint16(shText)
		if s.Section == Rodata {
			sh = shRodata
		}
		index[s.Name] = uint32(3 + i)
		putSym(s.Name, byte(elf.ST_INFO(bind, typ)), byte(vis), sh, s.Offset, s.Size)
	}
	for _, name := range metaSymbols(o.Meta) {
		i, ok := index[name]
		if !ok || i < 3 || ordered[i-3].Section != Text || ordered[i-3].Local {
			return nil, fmt.Errorf("object: the metadata names %q, which is not a global symbol in .text", name)
		}
	}

	// Relocations; runtime symbols become undefined globals on first use.
	var rela [2][]byte
	for i, r := range o.Relocs {
		size, ok := sectionSize(r.Section)
		if !ok {
			return nil, fmt.Errorf("object: relocation %d in unknown section %v", i, r.Section)
		}
		n, ok := abi.RelocSize(o.Arch, r.Type)
		if !ok {
			return nil, fmt.Errorf("object: relocation %d: type %s is not accepted by the loader", i, abi.RelocName(o.Arch, r.Type))
		}
		if r.Offset > size || uint64(n) > size-r.Offset {
			return nil, fmt.Errorf("object: relocation %d at %#x patches past the end of %v", i, r.Offset, r.Section)
		}
		sym, ok := index[r.Symbol]
		if !ok {
			if !slices.Contains(abi.RuntimeSymbols, r.Symbol) {
				return nil, fmt.Errorf("object: relocation %d refers to %q, which is neither defined in the object nor a runtime symbol", i, r.Symbol)
			}
			sym = uint32(len(symtab) / symSize)
			index[r.Symbol] = sym
			putSym(r.Symbol, byte(elf.ST_INFO(elf.STB_GLOBAL, elf.STT_NOTYPE)), byte(elf.STV_DEFAULT), uint16(elf.SHN_UNDEF), 0, 0)
		}
		var e [relaSize]byte
		binary.LittleEndian.PutUint64(e[0:], r.Offset)
		binary.LittleEndian.PutUint64(e[8:], uint64(sym)<<32|uint64(r.Type))
		binary.LittleEndian.PutUint64(e[16:], uint64(r.Addend))
		rela[r.Section-Text] = append(rela[r.Section-Text], e[:]...)
	}

	type section struct {
		name           string
		typ            elf.SectionType
		flags          elf.SectionFlag
		data           []byte
		link, info     uint32
		align, entsize uint64
	}
	infoLink := elf.SHF_INFO_LINK
	sections := [shCount]section{
		shText:       {name: ".text", typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, data: o.Text, align: 16},
		shRodata:     {name: ".rodata", typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC, data: o.Rodata, align: 16},
		shMeta:       {name: abi.MetaSection, typ: elf.SHT_PROGBITS, data: o.Meta.Encode(), align: 8},
		shRelaText:   {name: ".rela.text", typ: elf.SHT_RELA, flags: infoLink, data: rela[0], link: shSymtab, info: shText, align: 8, entsize: relaSize},
		shRelaRodata: {name: ".rela.rodata", typ: elf.SHT_RELA, flags: infoLink, data: rela[1], link: shSymtab, info: shRodata, align: 8, entsize: relaSize},
		shSymtab:     {name: ".symtab", typ: elf.SHT_SYMTAB, data: symtab, link: shStrtab, info: firstGlobal, align: 8, entsize: symSize},
		shStrtab:     {name: ".strtab", typ: elf.SHT_STRTAB, data: strtab, align: 1},
		shShstrtab:   {name: ".shstrtab", typ: elf.SHT_STRTAB, align: 1},
	}
	shstrtab := []byte{0}
	names := make([]uint32, shCount)
	for i := 1; i < shCount; i++ {
		names[i] = uint32(len(shstrtab))
		shstrtab = append(append(shstrtab, sections[i].name...), 0)
	}
	sections[shShstrtab].data = shstrtab

	total := uint64(ehdrSize)
	for i := 1; i < shCount; i++ {
		total = (total+sections[i].align-1)&^(sections[i].align-1) + uint64(len(sections[i].data))
	}
	total = (total+7)&^7 + shCount*shdrSize
	// The spare capacity lets the driver's sealer (rtlib/seal.Output)
	// append its section and new section table in place.
	out := make([]byte, ehdrSize, total+sealRoom)
	offsets := make([]uint64, shCount)
	for i := 1; i < shCount; i++ {
		s := &sections[i]
		for uint64(len(out))%s.align != 0 {
			out = append(out, 0)
		}
		offsets[i] = uint64(len(out))
		out = append(out, s.data...)
	}
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	shoff := uint64(len(out))
	out = append(out, make([]byte, shdrSize)...) // the null section
	for i := 1; i < shCount; i++ {
		s := &sections[i]
		var h [shdrSize]byte
		le := binary.LittleEndian
		le.PutUint32(h[0:], names[i])
		le.PutUint32(h[4:], uint32(s.typ))
		le.PutUint64(h[8:], uint64(s.flags))
		le.PutUint64(h[24:], offsets[i])
		le.PutUint64(h[32:], uint64(len(s.data)))
		le.PutUint32(h[40:], s.link)
		le.PutUint32(h[44:], s.info)
		le.PutUint64(h[48:], s.align)
		le.PutUint64(h[56:], s.entsize)
		out = append(out, h[:]...)
	}

	le := binary.LittleEndian
	copy(out, elf.ELFMAG)
	out[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	out[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	out[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	out[elf.EI_OSABI] = byte(elf.ELFOSABI_NONE)
	le.PutUint16(out[16:], uint16(elf.ET_REL))
	le.PutUint16(out[18:], uint16(machine))
	le.PutUint32(out[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(out[40:], shoff)
	le.PutUint16(out[52:], ehdrSize)
	le.PutUint16(out[58:], shdrSize)
	le.PutUint16(out[60:], shCount)
	le.PutUint16(out[62:], shShstrtab)
	return out, nil
}

// sealRoom is the spare capacity Encode leaves after the object: more
// than the seal section and section table rtlib/seal appends to an
// object of this writer's few sections.
const sealRoom = 8 << 10

// metaSymbols lists the code symbols m names: functions, entry
// trampolines and import stubs.
func metaSymbols(m *abi.Meta) []string {
	var out []string
	for _, f := range m.Funcs {
		out = append(out, f.Symbol)
	}
	for _, t := range m.Types {
		if t.EntrySymbol != "" {
			out = append(out, t.EntrySymbol)
		}
	}
	for _, im := range m.Imports {
		if im.Kind == abi.ExternFunc {
			out = append(out, im.StubSymbol)
		}
	}
	return out
}
