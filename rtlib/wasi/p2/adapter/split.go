package adapter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// componentPreamble starts every component binary (version 0x0d, layer 1).
var componentPreamble = []byte{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}

// IsComponent reports whether b starts with the component preamble.
func IsComponent(b []byte) bool { return bytes.HasPrefix(b, componentPreamble) }

// Split returns the application and adapter core modules of a command
// component made by adapting a preview1 module (`jco new app.wasm
// --wasi-command`, `wasm-tools component new --adapt`): the first core
// module imports only wasi_snapshot_preview1, the second exports
// wasi:cli/run. The remaining core modules of such a component only
// break the import cycle between the two (an indirect-call table and its
// fixup), which Command.Run does by itself. Anything else is refused:
// general components are the components package's.
func Split(component []byte) (app, adapterModule []byte, err error) {
	if !IsComponent(component) {
		return nil, nil, errors.New("adapter: not a component (bad preamble)")
	}
	var modules [][]byte
	for off := len(componentPreamble); off < len(component); {
		id := component[off]
		size, n := binary.Uvarint(component[off+1:])
		if n <= 0 || size > uint64(len(component)-off-1-n) {
			return nil, nil, fmt.Errorf("adapter: section at byte %d: bad size", off)
		}
		body := component[off+1+n : off+1+n+int(size)]
		if id == 1 { // a core module; nested components (id 4) only type the exports
			modules = append(modules, body)
		}
		off += 1 + n + int(size)
	}
	if len(modules) < 2 {
		return nil, nil, fmt.Errorf("adapter: %d core modules; an adapted preview1 command has the application and the adapter", len(modules))
	}
	if !bytes.Contains(modules[0], []byte("wasi_snapshot_preview1")) {
		return nil, nil, errors.New("adapter: the first core module does not import wasi_snapshot_preview1")
	}
	if !strings.Contains(string(modules[1]), runPrefix) {
		return nil, nil, errors.New("adapter: the second core module does not export wasi:cli/run")
	}
	return modules[0], modules[1], nil
}
