package p2

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// The canonical-ABI lowering of the WASI 0.2 functions, written out by
// hand for these signatures: scalars flatten to i32/i64, handles are i32
// indexes into the caller's table, strings and lists are (pointer, length)
// in the caller's memory, and compound results go through a pointer the
// caller passes last. Guest pointers outside memory, misaligned result
// pointers, invalid UTF-8 and unknown handles trap, as the canonical ABI
// requires.

// Binding is a Host seen by one core instance: its memory (from
// abi.Caller) and the realloc that list and string results are allocated
// with (the canonical ABI's realloc option).
type Binding struct {
	h *Host
	// Realloc allocates size bytes aligned to align in the guest
	// (cabi_realloc with a zero old pointer and size). Functions that
	// return lists or strings trap while it is nil.
	Realloc func(ctx context.Context, align, size uint32) (uint32, error)
}

// Bind returns a binding of h for one core instance.
func (h *Host) Bind() *Binding { return &Binding{h: h} }

// lowered is one function in its flattened core signature: params and
// results spelled with 'i' for i32 and 'I' for i64.
type lowered struct {
	params, results string
	fn              func(c *call) error
}

// Interface splits an import module name such as "wasi:io/streams@0.2.3"
// into the interface ("wasi:io/streams") and reports whether it is a
// WASI 0.2 interface this package implements (any 0.2.x version: 0.2
// releases only add functions).
func Interface(module string) (string, bool) {
	iface, version, ok := strings.Cut(module, "@")
	if !ok || !strings.HasPrefix(version, "0.2.") {
		return "", false
	}
	_, known := interfaces[iface]
	return iface, known
}

// Interfaces lists the WASI 0.2 interfaces this package implements.
func Interfaces() []string {
	var names []string
	for n := range interfaces {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HostModule returns the functions of import module name, or false when
// it is not a WASI 0.2 interface implemented here.
func (b *Binding) HostModule(module string) (abi.HostModule, bool) {
	iface, ok := Interface(module)
	if !ok {
		return nil, false
	}
	return hostModule{b, interfaces[iface]}, true
}

// HostModules returns the providers for those of modules that are WASI
// 0.2 interfaces, keyed by the module names as given (for
// rtlib.Config.HostModules).
func (b *Binding) HostModules(modules []string) map[string]abi.HostModule {
	out := map[string]abi.HostModule{}
	for _, m := range modules {
		if hm, ok := b.HostModule(m); ok {
			out[m] = hm
		}
	}
	return out
}

type hostModule struct {
	b   *Binding
	fns map[string]lowered
}

func (m hostModule) HostFunc(name string) (abi.HostFunc, bool) {
	l, ok := m.fns[name]
	if !ok {
		return abi.HostFunc{}, false
	}
	b := m.b
	return abi.HostFunc{Params: valTypes(l.params), Results: valTypes(l.results),
		Fn: func(ctx context.Context, caller abi.Caller, stack []uint64) error {
			err := l.fn(&call{ctx: ctx, b: b, h: b.h, caller: caller, a: stack})
			if b.h.refused() && err == nil {
				err = ErrTableFull
			}
			return err
		}}, true
}

func valTypes(s string) []abi.ValType {
	ts := make([]abi.ValType, len(s))
	for i, c := range s {
		if c == 'I' {
			ts[i] = abi.I64
		} else {
			ts[i] = abi.I32
		}
	}
	return ts
}

// call is one host call: its arguments, then its results, in a.
type call struct {
	ctx    context.Context
	b      *Binding
	h      *Host
	caller abi.Caller
	a      []uint64
}

func (c *call) u32(i int) uint32 { return uint32(c.a[i]) }
func (c *call) u64(i int) uint64 { return c.a[i] }
func (c *call) ret(v uint64)     { c.a[0] = v }

// Trap errors of the lowering.
var (
	errBounds  = errors.New("wasi: pointer out of bounds")
	errAlign   = errors.New("wasi: misaligned pointer")
	errUTF8    = errors.New("wasi: invalid UTF-8 in a string argument")
	errRealloc = errors.New("wasi: the caller has no realloc for list results")
)

// bytes returns the n guest bytes at ptr.
func (c *call) bytes(ptr, n uint32) ([]byte, error) {
	m := c.caller.Memory()
	if end := uint64(ptr) + uint64(n); end > uint64(len(m)) {
		return nil, fmt.Errorf("%w: [%d, %d) in a memory of %d bytes", errBounds, ptr, end, len(m))
	}
	return m[ptr : ptr+n : ptr+n], nil
}

// str reads a string argument.
func (c *call) str(ptr, n uint32) (string, error) {
	b, err := c.bytes(ptr, n)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", errUTF8
	}
	return string(b), nil
}

// handles reads a list of i32 handles.
func (c *call) handles(ptr, n uint32) ([]uint32, error) {
	if ptr%4 != 0 {
		return nil, errAlign
	}
	b, err := c.bytes(ptr, 4*n)
	if err != nil {
		return nil, err
	}
	hs := make([]uint32, n)
	for i := range hs {
		hs[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return hs, nil
}

// alloc allocates size bytes in the guest and checks what realloc gave.
func (c *call) alloc(align, size uint32) (uint32, error) {
	if size == 0 {
		return align, nil // any aligned non-null pointer names an empty list
	}
	if c.b.Realloc == nil {
		return 0, errRealloc
	}
	p, err := c.b.Realloc(c.ctx, align, size)
	if err != nil {
		return 0, err
	}
	if p%align != 0 {
		return 0, fmt.Errorf("%w: realloc returned %#x for alignment %d", errAlign, p, align)
	}
	if _, err := c.bytes(p, size); err != nil {
		return 0, fmt.Errorf("realloc result: %w", err)
	}
	return p, nil
}

// list copies data into a new guest allocation and returns its pointer.
func (c *call) list(data []byte, align uint32) (uint32, error) {
	p, err := c.alloc(align, uint32(len(data)))
	if err != nil {
		return 0, err
	}
	b, _ := c.bytes(p, uint32(len(data)))
	copy(b, data)
	return p, nil
}

// strings lowers a list<string> (or, with pairs, list<tuple<string,
// string>>) and returns its pointer and length.
func (c *call) strings(ss []string, pairs bool) (uint32, uint32, error) {
	ptrs := make([]uint32, len(ss))
	for i, s := range ss {
		p, err := c.list([]byte(s), 1)
		if err != nil {
			return 0, 0, err
		}
		ptrs[i] = p
	}
	r := make(rec, 8*len(ss))
	for i, s := range ss {
		r.u32(8*i, ptrs[i])
		r.u32(8*i+4, uint32(len(s)))
	}
	p, err := c.list(r, 4)
	n := uint32(len(ss))
	if pairs {
		n /= 2
	}
	return p, n, err
}

// put writes the record r at the result pointer ptr (aligned to align).
func (c *call) put(ptr, align uint32, r rec) error {
	if ptr%align != 0 {
		return fmt.Errorf("%w: result pointer %#x, alignment %d", errAlign, ptr, align)
	}
	b, err := c.bytes(ptr, uint32(len(r)))
	if err != nil {
		return err
	}
	copy(b, r)
	return nil
}

// rec is a result record built in Go before it is copied to the guest.
type rec []byte

func (r rec) u8(off int, v uint8)   { r[off] = v }
func (r rec) u16(off int, v uint16) { binary.LittleEndian.PutUint16(r[off:], v) }
func (r rec) u32(off int, v uint32) { binary.LittleEndian.PutUint32(r[off:], v) }
func (r rec) u64(off int, v uint64) { binary.LittleEndian.PutUint64(r[off:], v) }

// interfaces maps each implemented interface to its lowered functions.
var interfaces = map[string]map[string]lowered{
	"wasi:io/error":                  ioErrorFuncs,
	"wasi:io/poll":                   pollFuncs,
	"wasi:io/streams":                streamFuncs,
	"wasi:clocks/monotonic-clock":    monotonicFuncs,
	"wasi:clocks/wall-clock":         wallFuncs,
	"wasi:random/random":             randomFuncs,
	"wasi:random/insecure":           insecureFuncs,
	"wasi:random/insecure-seed":      insecureSeedFuncs,
	"wasi:cli/environment":           environmentFuncs,
	"wasi:cli/exit":                  exitFuncs,
	"wasi:cli/stdin":                 stdinFuncs,
	"wasi:cli/stdout":                stdoutFuncs,
	"wasi:cli/stderr":                stderrFuncs,
	"wasi:cli/terminal-input":        terminalInputFuncs,
	"wasi:cli/terminal-output":       terminalOutputFuncs,
	"wasi:cli/terminal-stdin":        terminalStdinFuncs,
	"wasi:cli/terminal-stdout":       terminalStdoutFuncs,
	"wasi:cli/terminal-stderr":       terminalStderrFuncs,
	"wasi:filesystem/types":          filesystemFuncs,
	"wasi:filesystem/preopens":       preopensFuncs,
	"wasi:sockets/network":           networkFuncs,
	"wasi:sockets/instance-network":  instanceNetworkFuncs,
	"wasi:sockets/tcp-create-socket": tcpCreateFuncs,
	"wasi:sockets/tcp":               tcpFuncs,
}

var errEmptyPoll = errors.New("wasi: poll of an empty list")
