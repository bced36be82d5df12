package backend

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"
)

// Disassemble writes the code of every function symbol of an object (any
// back end's, amd64 or arm64) to w: a header per symbol, then one line
// per instruction with its offset in the function, its bytes, its text in
// GNU syntax (x86) or ARM syntax (arm64), and the relocation applied there,
// if any, by symbol name. Relocations are not applied, so call and
// PC-relative targets read as 0 and the annotation names them. It is
// `wasmaot compile --dump=asm` and the form native golden tests use.
func Disassemble(obj []byte, w io.Writer) error {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		return err
	}
	syms, err := f.Symbols()
	if err != nil {
		return err
	}
	type fn struct {
		name        string
		sec         elf.SectionIndex
		value, size uint64
	}
	var funcs []fn
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Section != elf.SHN_UNDEF && int(s.Section) < len(f.Sections) {
			funcs = append(funcs, fn{s.Name, s.Section, s.Value, s.Size})
		}
	}
	sort.Slice(funcs, func(i, j int) bool {
		if funcs[i].sec != funcs[j].sec {
			return funcs[i].sec < funcs[j].sec
		}
		return funcs[i].value < funcs[j].value
	})
	relocs, err := relocsBySection(f, syms)
	if err != nil {
		return err
	}
	for _, s := range funcs {
		data, err := f.Sections[s.sec].Data()
		if err != nil {
			return err
		}
		if s.value+s.size > uint64(len(data)) {
			return fmt.Errorf("%s: symbol extends past its section", s.name)
		}
		fmt.Fprintf(w, "%s: ; %d bytes\n", s.name, s.size)
		code := data[s.value : s.value+s.size]
		for pc := 0; pc < len(code); {
			text, n := decode(f.Machine, code[pc:])
			line := fmt.Sprintf("  %4x:  %-24x %s", pc, code[pc:pc+n], text)
			for off := s.value + uint64(pc); off < s.value+uint64(pc+n); off++ {
				if r, ok := relocs[s.sec][off]; ok {
					line += "  ; " + r
				}
			}
			fmt.Fprintln(w, line)
			pc += n
		}
	}
	return nil
}

// decode returns the text and length of the instruction at the start of
// code; undecodable bytes are shown as data.
func decode(m elf.Machine, code []byte) (string, int) {
	if m == elf.EM_AARCH64 {
		if len(code) < 4 {
			return fmt.Sprintf(".byte %x", code), len(code)
		}
		inst, err := arm64asm.Decode(code)
		if err != nil {
			return fmt.Sprintf(".inst %#08x", binary.LittleEndian.Uint32(code)), 4
		}
		return inst.String(), 4
	}
	inst, err := x86asm.Decode(code, 64)
	if err != nil || inst.Len == 0 {
		return fmt.Sprintf(".byte %#02x", code[0]), 1
	}
	return x86asm.GNUSyntax(inst, 0, nil), inst.Len
}

// relocsBySection describes each relocation of an allocated section by
// offset: "R_X86_64_PLT32 wasm_func_3-4".
func relocsBySection(f *elf.File, syms []elf.Symbol) (map[elf.SectionIndex]map[uint64]string, error) {
	out := map[elf.SectionIndex]map[uint64]string{}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_RELA || int(s.Info) >= len(f.Sections) {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return nil, err
		}
		target := elf.SectionIndex(s.Info)
		if out[target] == nil {
			out[target] = map[uint64]string{}
		}
		for i := 0; i+24 <= len(data); i += 24 {
			off := binary.LittleEndian.Uint64(data[i:])
			info := binary.LittleEndian.Uint64(data[i+8:])
			addend := int64(binary.LittleEndian.Uint64(data[i+16:]))
			name := "?"
			if sym := int(info >> 32); sym >= 1 && sym <= len(syms) {
				name = syms[sym-1].Name
				if name == "" && int(syms[sym-1].Section) < len(f.Sections) {
					name = f.Sections[syms[sym-1].Section].Name
				}
			}
			typ := elf.R_X86_64(uint32(info)).String()
			if f.Machine == elf.EM_AARCH64 {
				typ = elf.R_AARCH64(uint32(info)).String()
			}
			desc := typ + " " + name
			if addend != 0 {
				desc += fmt.Sprintf("%+d", addend)
			}
			out[target][off] = desc
		}
	}
	return out, nil
}
