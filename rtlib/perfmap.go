package rtlib

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// WritePerfMap writes the address range and name of every compiled wasm
// function of m in the perf map format ("START SIZE NAME" in hex, one per
// line), which lets Linux perf and other sampling profilers attribute
// samples in code that is not backed by a file. The names are
// "wasm:MODULE:FUNC" with the name section's names where the object has
// them, "wasm:MODULE:func<i>" otherwise. The addresses stay valid until m
// is closed and its last instance is gone.
func (m *Module) WritePerfMap(w io.Writer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.img == nil {
		return fmt.Errorf("rtlib: module is closed")
	}
	mod := m.meta.ModuleName
	if mod == "" {
		mod = "module"
	}
	bw := bufio.NewWriter(w)
	for _, f := range m.img.funcs {
		name := m.names[f.index]
		if name == "" {
			name = fmt.Sprintf("func%d", f.index)
		}
		fmt.Fprintf(bw, "%x %x wasm:%s:%s\n", f.start, f.end-f.start, perfMapName(mod), perfMapName(name))
	}
	return bw.Flush()
}

// perfMapName keeps a name on one line (the format ends a record there).
func perfMapName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// AppendPerfMap appends m's functions to /tmp/perf-PID.map, the file perf
// reads for the process PID (wasmaot run --perf-map).
func (m *Module) AppendPerfMap() error {
	f, err := os.OpenFile(fmt.Sprintf("/tmp/perf-%d.map", os.Getpid()), os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	if err := m.WritePerfMap(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
