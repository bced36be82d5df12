package p2

import (
	"encoding/binary"
	"io"
	"strings"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// wasi:cli, wasi:clocks and wasi:random.

var environmentFuncs = map[string]lowered{
	"get-environment": {"i", "", func(c *call) error {
		var kv []string
		for _, e := range c.h.env {
			k, v, _ := strings.Cut(e, "=")
			kv = append(kv, k, v)
		}
		return c.stringsResult(kv, true)
	}},
	"get-arguments": {"i", "", func(c *call) error { return c.stringsResult(c.h.args, false) }},
	// initial-cwd: none; a guest's relative paths have no ambient base.
	"initial-cwd": {"i", "", func(c *call) error { return c.put(c.u32(0), 4, make(rec, 12)) }},
}

func (c *call) stringsResult(ss []string, pairs bool) error {
	p, n, err := c.strings(ss, pairs)
	if err != nil {
		return err
	}
	r := make(rec, 8)
	r.u32(0, p)
	r.u32(4, n)
	return c.put(c.u32(0), 4, r)
}

// exit ends the calling instance with *wasi.ExitError: WASI 0.2's exit
// carries success (0) or failure (1); exit-with-code a status byte.
var exitFuncs = map[string]lowered{
	"exit": {"i", "", func(c *call) error {
		if c.u32(0) == 0 {
			return &wasi.ExitError{Code: 0}
		}
		return &wasi.ExitError{Code: 1}
	}},
	"exit-with-code": {"i", "", func(c *call) error { return &wasi.ExitError{Code: uint32(uint8(c.u32(0)))} }},
}

var stdinFuncs = map[string]lowered{
	"get-stdin": {"", "i", func(c *call) error { c.ret(uint64(c.h.add(c.h.stdin))); return nil }},
}

var stdoutFuncs = map[string]lowered{
	"get-stdout": {"", "i", func(c *call) error { c.ret(uint64(c.h.add(c.h.stdout))); return nil }},
}

var stderrFuncs = map[string]lowered{
	"get-stderr": {"", "i", func(c *call) error { c.ret(uint64(c.h.add(c.h.stderr))); return nil }},
}

type terminalInput struct{}
type terminalOutput struct{}

// terminal returns option<own<terminal-*>>: some when the stream is a
// host terminal.
func terminal(is bool, v any) func(c *call) error {
	return func(c *call) error {
		r := make(rec, 8)
		if is {
			r.u8(0, 1)
			r.u32(4, c.h.add(v))
		}
		return c.put(c.u32(0), 4, r)
	}
}

var terminalInputFuncs = map[string]lowered{"[resource-drop]terminal-input": {"i", "", dropFn[*terminalInput]}}
var terminalOutputFuncs = map[string]lowered{"[resource-drop]terminal-output": {"i", "", dropFn[*terminalOutput]}}
var terminalStdinFuncs = map[string]lowered{
	"get-terminal-stdin": {"i", "", func(c *call) error { return terminal(c.h.stdin.terminal, &terminalInput{})(c) }},
}
var terminalStdoutFuncs = map[string]lowered{
	"get-terminal-stdout": {"i", "", func(c *call) error { return terminal(c.h.stdout.terminal, &terminalOutput{})(c) }},
}
var terminalStderrFuncs = map[string]lowered{
	"get-terminal-stderr": {"i", "", func(c *call) error { return terminal(c.h.stderr.terminal, &terminalOutput{})(c) }},
}

var monotonicFuncs = map[string]lowered{
	"now":        {"", "I", func(c *call) error { c.ret(uint64(c.h.monotonic())); return nil }},
	"resolution": {"", "I", func(c *call) error { c.ret(1); return nil }},
	"subscribe-instant": {"I", "i", func(c *call) error {
		c.ret(uint64(c.h.add(&pollable{clock: true, deadline: int64(c.u64(0))})))
		return nil
	}},
	"subscribe-duration": {"I", "i", func(c *call) error {
		d := int64(min(c.u64(0), 1<<62))
		c.ret(uint64(c.h.add(&pollable{clock: true, deadline: c.h.monotonic() + d})))
		return nil
	}},
}

// datetime writes a wall-clock datetime {seconds u64, nanoseconds u32}.
func datetime(sec int64, nsec int32) rec {
	r := make(rec, 16)
	r.u64(0, uint64(sec))
	r.u32(8, uint32(nsec))
	return r
}

var wallFuncs = map[string]lowered{
	"now": {"i", "", func(c *call) error {
		t := c.h.now()
		return c.put(c.u32(0), 8, datetime(t.Unix(), int32(t.Nanosecond())))
	}},
	"resolution": {"i", "", func(c *call) error { return c.put(c.u32(0), 8, datetime(0, 1)) }},
}

func (c *call) randomBytes(n uint64) ([]byte, error) {
	b := make([]byte, min(n, maxRead))
	if _, err := io.ReadFull(c.h.random, b); err != nil {
		return nil, err
	}
	return b, nil
}

func randomBytesFn(c *call) error {
	b, err := c.randomBytes(c.u64(0))
	if err != nil {
		return err
	}
	p, err := c.list(b, 1)
	if err != nil {
		return err
	}
	r := make(rec, 8)
	r.u32(0, p)
	r.u32(4, uint32(len(b)))
	return c.put(c.u32(1), 4, r)
}

func randomU64Fn(c *call) error {
	b, err := c.randomBytes(8)
	if err == nil {
		c.ret(binary.LittleEndian.Uint64(b))
	}
	return err
}

var randomFuncs = map[string]lowered{
	"get-random-bytes": {"Ii", "", randomBytesFn},
	"get-random-u64":   {"", "I", randomU64Fn},
}

var insecureFuncs = map[string]lowered{
	"get-insecure-random-bytes": {"Ii", "", randomBytesFn},
	"get-insecure-random-u64":   {"", "I", randomU64Fn},
}

var insecureSeedFuncs = map[string]lowered{
	"insecure-seed": {"i", "", func(c *call) error {
		b, err := c.randomBytes(16)
		if err != nil {
			return err
		}
		return c.put(c.u32(0), 8, b)
	}},
}
