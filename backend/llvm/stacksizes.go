package llvm

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// frameSizes reads the .stack_sizes sections that `llc -stack-size-section`
// writes into an ELF relocatable object and returns each function's frame
// size in bytes (what its prologue subtracts from the stack pointer, plus
// the return address), keyed by symbol name.
//
// Each entry is the function's address, an 8-byte field left zero and
// filled by an absolute relocation against the function's section, followed
// by the size as ULEB128.
func frameSizes(obj []byte) (map[string]uint64, error) {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("llvm: reading stack sizes: %w", err)
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("llvm: reading stack sizes: %w", err)
	}
	funcs := map[codeAddr]string{}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			funcs[codeAddr{s.Section, s.Value}] = s.Name
		}
	}
	out := map[string]uint64{}
	for i, sec := range f.Sections {
		if sec.Name != ".stack_sizes" {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			return nil, fmt.Errorf("llvm: reading stack sizes: %w", err)
		}
		addrs, err := stackSizeAddrs(f, syms, elf.SectionIndex(i))
		if err != nil {
			return nil, err
		}
		for off := 0; off < len(data); {
			if off+8 > len(data) {
				return nil, fmt.Errorf("llvm: truncated .stack_sizes entry at %#x", off)
			}
			target, ok := addrs[uint64(off)]
			if !ok {
				return nil, fmt.Errorf("llvm: .stack_sizes entry at %#x has no relocation", off)
			}
			size, n := binary.Uvarint(data[off+8:])
			if n <= 0 {
				return nil, fmt.Errorf("llvm: bad .stack_sizes size at %#x", off+8)
			}
			name, ok := funcs[target]
			if !ok {
				return nil, fmt.Errorf("llvm: .stack_sizes entry at %#x names no function", off)
			}
			out[name] = size
			off += 8 + n
		}
	}
	return out, nil
}

// codeAddr is a place in an object's code: a section and an offset in it.
type codeAddr struct {
	sec    elf.SectionIndex
	offset uint64
}

// stackSizeAddrs maps each relocated offset in .stack_sizes section ss to
// the place it points at.
func stackSizeAddrs(f *elf.File, syms []elf.Symbol, ss elf.SectionIndex) (map[uint64]codeAddr, error) {
	out := map[uint64]codeAddr{}
	for _, rs := range f.Sections {
		if rs.Type != elf.SHT_RELA || elf.SectionIndex(rs.Info) != ss {
			continue
		}
		data, err := rs.Data()
		if err != nil {
			return nil, fmt.Errorf("llvm: reading stack sizes: %w", err)
		}
		for len(data) >= 24 {
			off := binary.LittleEndian.Uint64(data)
			info := binary.LittleEndian.Uint64(data[8:])
			addend := int64(binary.LittleEndian.Uint64(data[16:]))
			data = data[24:]
			// Symbol indices count the null symbol, which Symbols omits.
			idx := int(info >> 32)
			if idx < 1 || idx > len(syms) {
				return nil, fmt.Errorf("llvm: .stack_sizes relocation names symbol %d", idx)
			}
			s := syms[idx-1]
			out[off] = codeAddr{s.Section, s.Value + uint64(addend)}
		}
	}
	return out, nil
}
