// Package p2 is the host side of WASI 0.2 (wasi:cli/command and the
// interfaces it pulls in: wasi:cli, wasi:io, wasi:clocks, wasi:random,
// wasi:filesystem and wasi:sockets for TCP on granted listeners), with the
// capability model of preview1 (package wasi): nothing is ambient, paths
// never leave the directory descriptor they are resolved in (the same
// resolution code as preview1), read-only preopens refuse every mutation,
// and a call's context (deadline, interrupt) wakes a guest blocked in I/O.
//
// A Host is one nanoprocess's view of the world: its resource table holds
// the handles (descriptors, streams, pollables, sockets) it was given or
// opened. Handles are indexes into that table only; another Host cannot
// name them. Grant moves a resource a parent holds into a child's table,
// which is how delegation hands a dependency exactly one stream or one
// directory.
//
// Bind exposes a Host to core wasm as the canonical-ABI lowering of the
// WASI 0.2 functions (import modules such as "wasi:io/streams@0.2.3",
// fields such as "[method]output-stream.write"): what the core modules
// inside a component, such as the preview1 adapter, import. The engine
// supplies memory through abi.Caller and list results are allocated in
// the guest through the binding's Realloc.
package p2

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// Config lists the capabilities granted to one nanoprocess. The fields
// mean what they mean in wasi.Config.
type Config struct {
	// Args are the guest's arguments, program name first.
	Args []string
	// Env holds "KEY=VALUE" entries; nothing else is visible.
	Env []string
	// Stdin, Stdout and Stderr back wasi:cli/stdin, stdout and stderr. A
	// nil Stdin reads as empty; nil Stdout or Stderr discard output.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Preopens are the directories wasi:filesystem/preopens returns, then
	// Roots.
	Preopens []wasi.Preopen
	// Roots are directories granted as already open roots (a parent
	// handing a child a directory beneath one of its own). New takes
	// them over: Close closes them, also when New fails.
	Roots []Root
	// Listeners are the only addresses a TCP socket may bind and listen
	// on: binding the address of a granted listener adopts it. Connecting
	// out is refused. Close closes them.
	Listeners []net.Listener
	// Now replaces the wall clock (tests); nil means time.Now.
	Now func() time.Time
	// Monotonic replaces the monotonic clock in nanoseconds; nil counts
	// from New.
	Monotonic func() int64
	// Random replaces the source of wasi:random; nil means crypto/rand.
	Random io.Reader
}

// Root is a directory granted as an open os.Root.
type Root struct {
	Root      *os.Root
	GuestPath string
	ReadOnly  bool
}

// Host is the WASI 0.2 state of one nanoprocess.
type Host struct {
	args, env []string
	stdin     *inputStream
	stdout    *outputStream
	stderr    *outputStream
	preopens  []preopen
	listeners []*tcpListener
	now       func() time.Time
	monotonic func() int64
	random    io.Reader

	mu    sync.Mutex
	table table
}

type preopen struct {
	dir  *descriptor
	path string
}

// New opens the preopened directories.
func New(cfg Config) (*Host, error) {
	h := &Host{args: cfg.Args, env: cfg.Env, now: cfg.Now, monotonic: cfg.Monotonic, random: cfg.Random}
	closeRoots := func() {
		for _, r := range cfg.Roots {
			r.Root.Close()
		}
	}
	for _, kv := range cfg.Env {
		if !strings.Contains(kv, "=") {
			closeRoots()
			return nil, fmt.Errorf("wasi: environment entry %q is not KEY=VALUE", kv)
		}
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.monotonic == nil {
		start := time.Now()
		h.monotonic = func() int64 { return int64(time.Since(start)) }
	}
	if h.random == nil {
		h.random = rand.Reader
	}
	stdin, stdout, stderr := cfg.Stdin, cfg.Stdout, cfg.Stderr
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	h.stdin = &inputStream{r: stdin, terminal: isTerminal(stdin)}
	h.stdout = &outputStream{w: stdout, terminal: isTerminal(stdout)}
	h.stderr = &outputStream{w: stderr, terminal: isTerminal(stderr)}
	for _, p := range cfg.Preopens {
		d, err := openDir(p.HostPath, p.ReadOnly)
		if err != nil {
			h.Close()
			closeRoots()
			return nil, fmt.Errorf("wasi: preopen %s: %w", p.HostPath, err)
		}
		h.preopens = append(h.preopens, preopen{d, p.GuestPath})
	}
	for i, r := range cfg.Roots {
		d, err := dirDescriptor(r.Root, r.ReadOnly, true)
		if err != nil {
			h.Close()
			for _, r := range cfg.Roots[i+1:] {
				r.Root.Close()
			}
			return nil, fmt.Errorf("wasi: directory %s: %w", r.GuestPath, err)
		}
		h.preopens = append(h.preopens, preopen{d, r.GuestPath})
	}
	for _, l := range cfg.Listeners {
		h.listeners = append(h.listeners, &tcpListener{ln: l})
	}
	return h, nil
}

// Close closes the preopens, the granted listeners and every resource
// still in the table. Stdio streams are not closed.
func (h *Host) Close() error {
	var errs []error
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, v := range h.table.slots {
		if c, ok := v.(interface{ close() error }); ok {
			errs = append(errs, c.close())
		}
		h.table.slots[i] = nil
	}
	for _, p := range h.preopens {
		errs = append(errs, p.dir.forceClose())
	}
	h.preopens = nil
	for _, l := range h.listeners {
		errs = append(errs, l.close())
	}
	h.listeners = nil
	return errors.Join(errs...)
}

// isTerminal reports whether v is a host terminal (wasi:cli/terminal-*
// then report one).
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// MaxHandles caps one nanoprocess's resource table: a guest that keeps
// asking for handles (get-stdout in a loop) traps with ErrTableFull
// instead of growing host memory without bound.
const MaxHandles = 1 << 16

// ErrTableFull is the trap of a call that would exceed MaxHandles.
var ErrTableFull = errors.New("wasi: resource table full")

// table maps handles (index+1; 0 is never a handle) to resources.
type table struct {
	slots []any
	free  []uint32
	full  bool // an add was refused: the current call traps
}

func (t *table) add(v any) uint32 {
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.slots[i] = v
		return i + 1
	}
	if len(t.slots) >= MaxHandles {
		t.full = true
		return 0
	}
	t.slots = append(t.slots, v)
	return uint32(len(t.slots))
}

// refused reports (and clears) whether an add was refused since the last
// call.
func (h *Host) refused() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	full := h.table.full
	h.table.full = false
	return full
}

func (t *table) get(h uint32) any {
	if h == 0 || h > uint32(len(t.slots)) {
		return nil
	}
	return t.slots[h-1]
}

func (t *table) remove(h uint32) any {
	v := t.get(h)
	if v != nil {
		t.slots[h-1] = nil
		t.free = append(t.free, h-1)
	}
	return v
}

// ErrHandle is the trap for a handle that names no resource of the
// expected type in the caller's table (the canonical ABI traps there).
var ErrHandle = errors.New("wasi: invalid resource handle")

// add puts a resource in the table and returns its handle.
func (h *Host) add(v any) uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.table.add(v)
}

// lookup returns the resource of type T behind handle.
func lookup[T any](h *Host, handle uint32) (T, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.table.get(handle).(T)
	if !ok {
		return v, fmt.Errorf("%w %d", ErrHandle, handle)
	}
	return v, nil
}

// drop removes handle, which must hold a T, and closes what it owned.
func drop[T any](h *Host, handle uint32) error {
	h.mu.Lock()
	v, ok := h.table.get(handle).(T)
	if ok {
		h.table.remove(handle)
	}
	h.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w %d", ErrHandle, handle)
	}
	if c, ok := any(v).(interface{ close() error }); ok {
		c.close()
	}
	return nil
}
