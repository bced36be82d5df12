package component

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"runtime"

	"github.com/wasmaot/wasmaot/compiler"
	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// Compile compiles a component binary into one component object: every
// core module through the ordinary pipeline, plus the flattened instance
// graph (see rtlib/component.Load).
func Compile(ctx context.Context, bin []byte, opts compiler.Options) ([]byte, error) {
	c, err := Parse(bin)
	if err != nil {
		return nil, err
	}
	g, mods, err := c.Flatten()
	if err != nil {
		return nil, err
	}
	objs := make([][]byte, len(mods))
	for i, m := range mods {
		if objs[i], err = compiler.CompileContext(ctx, m.Bytes, opts); err != nil {
			return nil, fmt.Errorf("core module %d (at %#x): %w", i, m.Offset, err)
		}
	}
	arch := opts.Target
	if arch == "" {
		arch = runtime.GOARCH
	}
	return writeObject(arch, g.Encode(), objs)
}

// writeObject writes the ELF container: a null section, the graph, the
// module objects, then the section name table.
func writeObject(arch string, graph []byte, objs [][]byte) ([]byte, error) {
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if machine == 0 {
		return nil, fmt.Errorf("unknown target %q", arch)
	}
	type sec struct {
		name string
		data []byte
		typ  elf.SectionType
	}
	secs := []sec{{rt.GraphSection, graph, elf.SHT_PROGBITS}}
	for i, o := range objs {
		secs = append(secs, sec{fmt.Sprintf("%s%d", rt.ModuleSection, i), o, elf.SHT_PROGBITS})
	}
	strtab := []byte{0}
	nameOff := make([]int, len(secs)+1)
	for i, s := range secs {
		nameOff[i] = len(strtab)
		strtab = append(append(strtab, s.name...), 0)
	}
	nameOff[len(secs)] = len(strtab)
	strtab = append(append(strtab, ".shstrtab"...), 0)
	secs = append(secs, sec{".shstrtab", strtab, elf.SHT_STRTAB})

	out := make([]byte, 64)
	offs := make([]int, len(secs))
	for i, s := range secs {
		for len(out)%16 != 0 {
			out = append(out, 0)
		}
		offs[i] = len(out)
		out = append(out, s.data...)
	}
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	shoff := len(out)
	out = append(out, make([]byte, 64)...) // the null section header
	le := binary.LittleEndian
	for i, s := range secs {
		var h [64]byte
		le.PutUint32(h[0:], uint32(nameOff[i]))
		le.PutUint32(h[4:], uint32(s.typ))
		le.PutUint64(h[24:], uint64(offs[i]))
		le.PutUint64(h[32:], uint64(len(s.data)))
		le.PutUint64(h[48:], 16)
		out = append(out, h[:]...)
	}
	copy(out, []byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)})
	le.PutUint16(out[16:], uint16(elf.ET_REL))
	le.PutUint16(out[18:], uint16(machine))
	le.PutUint32(out[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(out[40:], uint64(shoff))
	le.PutUint16(out[52:], 64)                  // e_ehsize
	le.PutUint16(out[58:], 64)                  // e_shentsize
	le.PutUint16(out[60:], uint16(len(secs)+1)) // e_shnum
	le.PutUint16(out[62:], uint16(len(secs)))   // e_shstrndx
	return out, nil
}
