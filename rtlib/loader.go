package rtlib

import (
	"bytes"
	"crypto/ed25519"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/abi"
	"github.com/wasmaot/wasmaot/rtlib/seal"
)

// image is an object's allocatable sections mapped into memory: code
// read+execute, everything else read-only, never writable and executable
// at once.
type image struct {
	mem  []byte
	base uint64
}

// funcRange maps a code address range to a wasm function index.
type funcRange struct {
	start, end uint64
	index      int
}

// loadedImage is the result of mapping and linking an object.
type loadedImage struct {
	image
	meta   *abi.Meta
	symbol map[string]uint64 // defined function symbols → address
	funcs  []funcRange       // sorted by start
}

// maxObjectSize bounds what Load accepts; maxZeroSection bounds a
// zero-filled (SHT_NOBITS) section, which costs no file bytes.
const (
	maxObjectSize  = 1 << 30
	maxZeroSection = 16 << 20
)

// ReadMeta returns the metadata of a wasmaot object for any architecture,
// without mapping or linking it (what `wasmaot inspect` shows). It checks
// the ELF header and that the metadata agrees with it.
func ReadMeta(obj []byte) (*abi.Meta, error) {
	_, meta, err := parseObject(obj)
	return meta, err
}

// parseObject parses an object's ELF header and metadata and checks that
// they agree; it does not look at the host.
func parseObject(obj []byte) (f *elf.File, meta *abi.Meta, err error) {
	if len(obj) > maxObjectSize {
		return nil, nil, fmt.Errorf("object too large (%d bytes)", len(obj))
	}
	// debug/elf returns errors for malformed input; the recover is a last
	// line of defence so that a parser bug cannot crash an embedder.
	defer func() {
		if r := recover(); r != nil {
			f, meta, err = nil, nil, fmt.Errorf("malformed ELF object: %v", r)
		}
	}()
	f, err = elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, nil, fmt.Errorf("not a valid ELF object: %w", err)
	}
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB || f.Type != elf.ET_REL {
		return nil, nil, errors.New("not a 64-bit little-endian relocatable ELF object")
	}
	var arch abi.Arch
	switch f.Machine {
	case elf.EM_X86_64:
		arch = abi.ArchAMD64
	case elf.EM_AARCH64:
		arch = abi.ArchARM64
	default:
		return nil, nil, fmt.Errorf("object is for machine %v, not amd64 or arm64", f.Machine)
	}
	ms := f.Section(abi.MetaSection)
	if ms == nil || ms.Type == elf.SHT_NOBITS {
		return nil, nil, fmt.Errorf("object has no %s section (not produced by wasmaot)", abi.MetaSection)
	}
	metaBytes, err := sectionData(ms, obj)
	if err != nil {
		return nil, nil, err
	}
	meta, err = abi.DecodeMeta(metaBytes)
	if err != nil {
		return nil, nil, err
	}
	if meta.Arch != arch {
		return nil, nil, fmt.Errorf("object metadata says %v but its ELF machine is %v", meta.Arch, arch)
	}
	return f, meta, nil
}

// CanRun reports why this runtime on this machine cannot run an object
// with the given metadata (architecture, bounds mode, CPU features), or nil.
func CanRun(meta *abi.Meta) error {
	if meta.Arch != hostArch {
		return fmt.Errorf("object is compiled for %v; this runtime runs %v", meta.Arch, hostArch)
	}
	if meta.Bounds != abi.BoundsExplicit {
		return errors.New("object uses guard-page bounds checks, which this runtime does not support")
	}
	if missing := missingFeatures(meta.Features); len(missing) > 0 {
		return fmt.Errorf("object requires CPU features this machine lacks: %v", missing)
	}
	return nil
}

// loadObject checks an object's seal (and signature by key, if key is
// not nil), then parses, checks, maps and relocates it. Nothing is mapped
// before the seal has been checked.
func loadObject(obj []byte, key ed25519.PublicKey) (li *loadedImage, err error) {
	if len(obj) > maxObjectSize {
		return nil, fmt.Errorf("object too large (%d bytes)", len(obj))
	}
	if err := seal.Check(obj, key); err != nil {
		return nil, err
	}
	f, meta, err := parseObject(obj)
	if err != nil {
		return nil, err
	}
	// Relocation reads the ELF again; the same last line of defence.
	defer func() {
		if r := recover(); r != nil {
			li, err = nil, fmt.Errorf("malformed ELF object: %v", r)
		}
	}()
	if err := CanRun(meta); err != nil {
		return nil, err
	}
	l := linker{f: f, obj: obj, meta: meta}
	return l.link()
}

// sectionData returns a section's bytes, checked against the file size.
func sectionData(s *elf.Section, obj []byte) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		return nil, nil
	}
	if s.Offset > uint64(len(obj)) || s.Size > uint64(len(obj))-s.Offset {
		return nil, fmt.Errorf("section %s extends beyond the end of the object", s.Name)
	}
	return obj[s.Offset : s.Offset+s.Size], nil
}

type linker struct {
	f      *elf.File
	obj    []byte
	meta   *abi.Meta
	offset map[int]uint64 // section index → offset in the image
	syms   []elf.Symbol
	got    map[int]uint64 // symbol index → GOT slot offset in the image
	// stubs holds, per undefined (runtime) symbol, the image offset of a
	// jump stub in the code pages: the runtime's code is out of reach of
	// 32-bit and 26-bit PC-relative relocations, the stub is not.
	stubs map[int]uint64
}

// runtimeStubSize is the size of a jump stub to a runtime symbol.
const runtimeStubSize = 16

func (l *linker) link() (*loadedImage, error) {
	syms, err := l.f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("reading symbols: %w", err)
	}
	l.syms = syms
	relocs, err := l.readRelocs()
	if err != nil {
		return nil, err
	}
	// Lay out: executable sections, then a page boundary, then the rest
	// and the GOT.
	l.offset = map[int]uint64{}
	var size, codeSize uint64
	for pass := 0; pass < 2; pass++ {
		for i, s := range l.f.Sections {
			exec := s.Flags&elf.SHF_EXECINSTR != 0
			if s.Flags&elf.SHF_ALLOC == 0 || s.Size == 0 || exec != (pass == 0) {
				continue
			}
			align := max(s.Addralign, 1)
			if align > pageSize || align&(align-1) != 0 {
				return nil, fmt.Errorf("section %s has unsupported alignment %d", s.Name, s.Addralign)
			}
			if s.Size > maxObjectSize || (s.Type == elf.SHT_NOBITS && s.Size > maxZeroSection) {
				return nil, fmt.Errorf("section %s too large (%d bytes)", s.Name, s.Size)
			}
			size = (size + align - 1) &^ (align - 1)
			l.offset[i] = size
			size += s.Size
		}
		if pass == 0 {
			size = (size + runtimeStubSize - 1) &^ (runtimeStubSize - 1)
			l.stubs = map[int]uint64{}
			for _, r := range relocs {
				if _, ok := l.stubs[r.symIndex]; !ok && l.syms[r.symIndex].Section == elf.SHN_UNDEF {
					l.stubs[r.symIndex] = size
					size += runtimeStubSize
				}
			}
			size = (size + pageSize - 1) &^ (pageSize - 1)
			codeSize = size
		}
	}
	size = (size + 7) &^ 7
	l.got = map[int]uint64{}
	for _, r := range relocs {
		if abi.RelocUsesGOT(l.meta.Arch, r.typ) {
			if _, ok := l.got[r.symIndex]; !ok {
				l.got[r.symIndex] = size
				size += 8
			}
		}
	}
	if size == 0 {
		return nil, errors.New("object has no code")
	}
	size = (size + pageSize - 1) &^ (pageSize - 1)
	// Code and data: two mappings once protected.
	if err := grantMappings(2); err != nil {
		return nil, err
	}
	// MAP_POPULATE: every page is written below, and faulting them in one
	// by one costs several times more.
	mem, err := mmap(int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mapping code: %w", err)
	}
	li := &loadedImage{image: image{mem: mem, base: uint64(uintptr(unsafe.Pointer(&mem[0])))}, meta: l.meta}
	if err := l.fill(li, relocs); err != nil {
		unmap(mem)
		return nil, err
	}
	if codeSize < size {
		if err := mprotect(mem[codeSize:], unix.PROT_READ); err != nil {
			unmap(mem)
			return nil, fmt.Errorf("protecting data: %w", err)
		}
	}
	if codeSize > 0 {
		flushICache(mem[:codeSize])
		if err := mprotect(mem[:codeSize], unix.PROT_READ|unix.PROT_EXEC); err != nil {
			unmap(mem)
			return nil, fmt.Errorf("protecting code: %w", err)
		}
	}
	return li, nil
}

// rawReloc is a relocation as read from the object.
type rawReloc struct {
	section  int // the section patched
	off      uint64
	typ      uint32
	symIndex int // index into l.syms
	addend   int64
}

func (l *linker) readRelocs() ([]rawReloc, error) {
	n := 0
	for _, s := range l.f.Sections {
		if s.Type == elf.SHT_RELA && s.Size <= maxObjectSize {
			n += int(s.Size / 24)
		}
	}
	out := make([]rawReloc, 0, n)
	for _, s := range l.f.Sections {
		if s.Type == elf.SHT_REL {
			return nil, fmt.Errorf("section %s: SHT_REL relocations are not supported", s.Name)
		}
		if s.Type != elf.SHT_RELA {
			continue
		}
		// A relocation section naming no valid section would leave its
		// target unrelocated.
		if s.Info == 0 || uint64(s.Info) >= uint64(len(l.f.Sections)) {
			return nil, fmt.Errorf("section %s: relocation target section %d does not exist", s.Name, s.Info)
		}
		target := l.f.Sections[s.Info]
		if target.Flags&elf.SHF_ALLOC == 0 {
			continue // debug info
		}
		data, err := sectionData(s, l.obj)
		if err != nil {
			return nil, err
		}
		if len(data)%24 != 0 {
			return nil, fmt.Errorf("section %s: size not a multiple of the entry size", s.Name)
		}
		for i := 0; i < len(data); i += 24 {
			off := binary.LittleEndian.Uint64(data[i:])
			info := binary.LittleEndian.Uint64(data[i+8:])
			r := rawReloc{section: int(s.Info), off: off, typ: uint32(info), addend: int64(binary.LittleEndian.Uint64(data[i+16:]))}
			sym := info >> 32
			if sym == 0 || sym > uint64(len(l.syms)) {
				return nil, fmt.Errorf("section %s: relocation %d has bad symbol index %d", s.Name, i/24, sym)
			}
			r.symIndex = int(sym - 1) // debug/elf drops the null symbol
			size, ok := abi.RelocSize(l.meta.Arch, r.typ)
			if !ok {
				return nil, fmt.Errorf("section %s: unsupported relocation type %s", s.Name, abi.RelocName(l.meta.Arch, r.typ))
			}
			if off > target.Size || uint64(size) > target.Size-off || target.Type == elf.SHT_NOBITS {
				return nil, fmt.Errorf("section %s: relocation at %#x outside section %s", s.Name, off, target.Name)
			}
			if err := l.checkReferent(r); err != nil {
				return nil, fmt.Errorf("section %s: relocation %d at %#x: %w", s.Name, i/24, off, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// checkReferent checks that what relocation r refers to, symbol plus
// addend, lies inside the section the symbol lives in (a jump stub for a
// runtime symbol), so that no relocation can make code reach outside the
// object. A PC-relative x86-64 relocation's addend also subtracts the
// distance from the patched field to the end of its instruction (4 to 8
// bytes), which the lower bound allows for. GOT relocations refer to the
// symbol's slot, which the loader builds, so only the symbol is checked.
func (l *linker) checkReferent(r rawReloc) error {
	sym := l.syms[r.symIndex]
	var size uint64
	switch {
	case sym.Section == elf.SHN_UNDEF:
		size = 0 // the stub's entry
	case sym.Section >= elf.SHN_LORESERVE:
		return fmt.Errorf("symbol %q is in special section %#x", sym.Name, sym.Section)
	case int(sym.Section) >= len(l.f.Sections):
		return fmt.Errorf("symbol %q is in section %d, which does not exist", sym.Name, sym.Section)
	default:
		sec := l.f.Sections[sym.Section]
		if sec.Flags&elf.SHF_ALLOC == 0 {
			return fmt.Errorf("symbol %q is in section %s, which is not loaded", sym.Name, sec.Name)
		}
		size = sec.Size
		if sym.Value >= size {
			return fmt.Errorf("symbol %q lies outside its section %s", sym.Name, sec.Name)
		}
	}
	if abi.RelocUsesGOT(l.meta.Arch, r.typ) {
		return nil
	}
	lo, hi := int64(0), int64(size-sym.Value)
	if l.f.Machine == elf.EM_X86_64 && pcRelative(r.typ) {
		lo = -8
		// A jump table in data holds target-minus-table differences: the
		// entry at table+k has addend target+k, so its addend may pass
		// the target's section end by up to the entry's own offset.
		if l.f.Sections[r.section].Flags&elf.SHF_EXECINSTR == 0 {
			hi += int64(r.off)
		}
	}
	if r.addend < lo-int64(sym.Value) || r.addend > hi {
		return fmt.Errorf("symbol %q%+d lies outside its section", sym.Name, r.addend)
	}
	return nil
}

// pcRelative reports whether an x86-64 relocation type is PC-relative.
func pcRelative(typ uint32) bool {
	switch elf.R_X86_64(typ) {
	case elf.R_X86_64_PC32, elf.R_X86_64_PLT32, elf.R_X86_64_PC64:
		return true
	}
	return false
}

// symbolAddr resolves symbol index i to an address.
func (l *linker) symbolAddr(li *loadedImage, i int) (uint64, error) {
	s := l.syms[i]
	switch {
	case s.Section == elf.SHN_UNDEF:
		if stub, ok := l.stubs[i]; ok {
			return li.base + stub, nil
		}
		return 0, fmt.Errorf("undefined symbol %q is not referenced by a relocation", s.Name)
	case s.Section == elf.SHN_ABS:
		return s.Value, nil
	case s.Section >= elf.SHN_LORESERVE:
		return 0, fmt.Errorf("symbol %q in unsupported section %#x", s.Name, s.Section)
	}
	off, ok := l.offset[int(s.Section)]
	if !ok {
		return 0, fmt.Errorf("symbol %q is in a section that is not loaded", s.Name)
	}
	if sec := l.f.Sections[s.Section]; s.Value >= sec.Size {
		return 0, fmt.Errorf("symbol %q lies outside its section", s.Name)
	}
	return li.base + off + s.Value, nil
}

func (l *linker) fill(li *loadedImage, relocs []rawReloc) error {
	for si, off := range l.stubs {
		name := l.syms[si].Name
		target, ok := runtimeSymbol(name)
		if !ok {
			return fmt.Errorf("object references undefined symbol %q, which the runtime does not provide", name)
		}
		writeJumpStub(l.f.Machine, li.mem[off:off+runtimeStubSize], target)
	}
	for i, off := range l.offset {
		data, err := sectionData(l.f.Sections[i], l.obj)
		if err != nil {
			return err
		}
		copy(li.mem[off:], data)
	}
	for si, slot := range l.got {
		addr, err := l.symbolAddr(li, si)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint64(li.mem[slot:], addr)
	}
	for _, rr := range relocs {
		secOff, ok := l.offset[rr.section]
		if !ok {
			continue // relocations of an empty section
		}
		addr, err := l.symbolAddr(li, rr.symIndex)
		if err != nil {
			return err
		}
		r := reloc{typ: rr.typ, off: secOff + rr.off, sym: addr, addend: rr.addend, name: l.syms[rr.symIndex].Name}
		if slot, ok := l.got[rr.symIndex]; ok {
			r.got = li.base + slot
		}
		if err := applyReloc(l.f.Machine, li.mem, li.base, r); err != nil {
			return err
		}
	}
	return l.resolveFuncs(li)
}

// resolveFuncs maps the metadata's symbol names to code addresses and
// builds the trap lookup table.
func (l *linker) resolveFuncs(li *loadedImage) error {
	li.symbol = make(map[string]uint64, len(l.meta.Funcs)+len(l.meta.Types)+len(l.meta.Imports))
	type fsym struct{ addr, size uint64 }
	bySymbol := make(map[string]fsym, len(l.syms))
	for i, s := range l.syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE {
			continue
		}
		if l.f.Sections[s.Section].Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		addr, err := l.symbolAddr(li, i)
		if err != nil {
			return err
		}
		bySymbol[s.Name] = fsym{addr, s.Size}
	}
	// what describes the symbol's role for the error; it is formatted only
	// on failure.
	need := func(name string, what string, arg any) (uint64, error) {
		s, ok := bySymbol[name]
		if !ok {
			return 0, fmt.Errorf(what+": symbol %q is not a function defined in the object", arg, name)
		}
		li.symbol[name] = s.addr
		return s.addr, nil
	}
	imported := l.meta.NumImported(abi.ExternFunc)
	for i, fn := range l.meta.Funcs {
		addr, err := need(fn.Symbol, "function %d", imported+i)
		if err != nil {
			return err
		}
		li.funcs = append(li.funcs, funcRange{addr, addr + max(bySymbol[fn.Symbol].size, 1), imported + i})
	}
	for t, ty := range l.meta.Types {
		if ty.EntrySymbol != "" {
			if _, err := need(ty.EntrySymbol, "type %d trampoline", t); err != nil {
				return err
			}
		}
	}
	for _, im := range l.meta.Imports {
		if im.Kind == abi.ExternFunc {
			if _, err := need(im.StubSymbol, "import %s", im.Module+"."+im.Name); err != nil {
				return err
			}
		}
	}
	sort.Slice(li.funcs, func(i, j int) bool { return li.funcs[i].start < li.funcs[j].start })
	return nil
}

// funcAt returns the wasm function whose code contains pc, or -1.
func (li *loadedImage) funcAt(pc uint64) int {
	i := sort.Search(len(li.funcs), func(i int) bool { return li.funcs[i].end > pc })
	if i < len(li.funcs) && li.funcs[i].start <= pc {
		return li.funcs[i].index
	}
	return -1
}

func (li *loadedImage) unmap() { unmap(li.mem) }

// LoadFile reads and loads an object file.
func LoadFile(path string) (*Module, error) {
	obj, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Load(obj)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// runtimeSymbol returns the address of an allow-listed runtime symbol.
func runtimeSymbol(name string) (uint64, bool) {
	if !slices.Contains(abi.RuntimeSymbols, name) {
		return 0, false
	}
	addrs := nativeAddresses()
	switch name {
	case "memcpy", "memmove":
		return uint64(addrs[abi.NumBuiltins]), true
	case "memset":
		return uint64(addrs[abi.NumBuiltins+1]), true
	}
	return 0, false
}

// writeJumpStub writes an absolute jump to target.
func writeJumpStub(m elf.Machine, stub []byte, target uint64) {
	le := binary.LittleEndian
	if m == elf.EM_AARCH64 {
		le.PutUint32(stub[0:], 0x58000050) // ldr x16, .+8
		le.PutUint32(stub[4:], 0xd61f0200) // br x16
		le.PutUint64(stub[8:], target)
		return
	}
	copy(stub, []byte{0xff, 0x25, 0, 0, 0, 0}) // jmp *0(%rip): the next 8 bytes
	le.PutUint64(stub[6:], target)
}
