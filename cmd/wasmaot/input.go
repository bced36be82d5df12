package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wat"
)

// maxInputSize bounds what wasmaot reads from one input file.
const maxInputSize = 1 << 30

var wasmMagic = []byte("\x00asm")

// readModule reads a .wasm or .wat file and returns its binary encoding.
// Text is recognised by content, not by extension: anything that does not
// start with the wasm magic is parsed as text.
func readModule(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if info.Size() > maxInputSize {
		return nil, fmt.Errorf("%s: file too large (%d bytes)", path, info.Size())
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(src, wasmMagic) {
		return src, nil
	}
	if isELF(src) {
		return nil, fmt.Errorf("%s: is a compiled object, not a WebAssembly module", path)
	}
	bin, err := wat.Parse(src)
	if err != nil {
		if !strings.HasSuffix(path, ".wat") && !strings.HasSuffix(path, ".wast") {
			return nil, fmt.Errorf("%s: neither a WebAssembly binary (no \\0asm header) nor valid text: %w", path, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return bin, nil
}

func isELF(b []byte) bool { return bytes.HasPrefix(b, []byte("\x7fELF")) }

// loadModule reads, decodes and validates a module.
func loadModule(path string) ([]byte, *wasm.Module, error) {
	bin, err := readModule(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := wasm.Validate(m); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return bin, m, nil
}
