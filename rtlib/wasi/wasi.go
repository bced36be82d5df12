// Package wasi implements WASI preview1 (module "wasi_snapshot_preview1")
// as engine-neutral Go host functions (abi.HostFunc), with capability
// sandboxing: a guest gets nothing it was not granted.
//
// # Capability model
//
// A WASI value is created from a Config that lists everything the guest may
// touch: its arguments, the environment variables granted to it (none are
// inherited implicitly), the three stdio streams, the directories it may
// open ("preopens"), and listening sockets. Clocks and randomness are always
// available; tests may replace them.
//
// Descriptors are numbered 0-2 for stdin, stdout and stderr, then one per
// preopen in Config order, then one per listener. Every file the guest
// reaches is reached through one of those directory descriptors by a
// relative path, and resolution can never leave the descriptor's directory:
//
//   - absolute paths and ".." that climbs above the directory answer
//     ErrnoNotcapable;
//   - intermediate directories are resolved by os.Root, which follows
//     symbolic links only while they stay inside the directory (absolute
//     links and relative links that climb out answer ErrnoNotcapable, link
//     loops ErrnoLoop);
//   - the last component is acted on with a *at system call relative to the
//     already-resolved parent, with no link following, unless the guest
//     asked to follow it, in which case os.Root follows it under the same
//     rules;
//   - guests may not create symbolic links with absolute targets
//     (ErrnoNotcapable): such links could only ever mislead the host;
//   - renames and hard links between two descriptors are allowed only
//     when both are writable; each side is resolved inside its own
//     directory, so they cannot reach anything outside either.
//
// A read-only preopen (Preopen.ReadOnly) answers ErrnoRofs to every
// mutating call: opening for writing, creating, truncating or appending,
// making or removing directories, unlinking, renaming, linking, creating
// symbolic links, and changing sizes or times, on the directory and on
// everything opened through it.
//
// A descriptor's base and inheriting rights (fd_fdstat_set_rights may
// only narrow them; path_open grants at most the directory's inheriting
// rights) are enforced too: an operation a descriptor lacks the right for
// answers ErrnoNotcapable, except reading or writing a descriptor that
// was not opened for it, which answers ErrnoBadf as POSIX does. A
// directory descriptor cannot be read, written or seeked (ErrnoBadf), and
// a trailing slash on a path means it must name a directory, on every
// path call, with Linux's errnos.
//
// No guest-chosen length makes the host allocate beyond a bound: paths
// longer than 4096 bytes answer ErrnoNametoolong before they are copied,
// more than 1024 iovecs ErrnoInval, and a stream write copies at most the
// caller's memory size. path_open never blocks the host thread (a FIFO
// waits in poll, where the context's deadline reaches it).
//
// proc_exit returns an *ExitError from the host function, which ends only
// the calling instance. Every guest pointer and length is checked against
// the caller's memory; a bad one answers ErrnoFault.
//
// The host side is Linux (it uses openat-family system calls).
package wasi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// ModuleName is the import module name of WASI preview1.
const ModuleName = "wasi_snapshot_preview1"

// Config lists the capabilities granted to one guest instance.
type Config struct {
	// Args are the guest's arguments, program name first.
	Args []string
	// Env holds "KEY=VALUE" entries; nothing else of the host environment
	// is visible.
	Env []string
	// Stdin, Stdout and Stderr back descriptors 0, 1 and 2. A nil Stdin
	// reads as empty; nil Stdout or Stderr discard output.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Preopens are the directories the guest may use, numbered from 3.
	Preopens []Preopen
	// Listeners are listening sockets, numbered after the preopens. The
	// guest accepts connections on them with sock_accept. WASI closes them
	// in Close.
	Listeners []net.Listener
	// Now replaces the realtime clock (tests); nil means time.Now.
	Now func() time.Time
	// Monotonic replaces the monotonic clock in nanoseconds (tests); nil
	// means the host's monotonic clock, counted from New. poll_oneoff
	// waits until it reaches a deadline, so a replacement must advance.
	Monotonic func() int64
	// Random replaces the source of random_get (tests); nil means
	// crypto/rand.
	Random io.Reader
}

// Preopen grants the guest a host directory under a guest-visible path.
type Preopen struct {
	HostPath  string
	GuestPath string
	ReadOnly  bool
}

// ParseDirFlag parses a command-line directory grant "HOST[::GUEST][:ro]".
// Without GUEST the guest sees the directory under its host path.
func ParseDirFlag(s string) (Preopen, error) {
	var p Preopen
	if rest, ok := strings.CutSuffix(s, ":ro"); ok {
		s, p.ReadOnly = rest, true
	}
	host, guest, found := strings.Cut(s, "::")
	if !found {
		guest = host
	}
	if host == "" || guest == "" {
		return Preopen{}, fmt.Errorf("wasi: directory grant %q: want HOST[::GUEST][:ro]", s)
	}
	p.HostPath, p.GuestPath = host, guest
	return p, nil
}

// ExitError is the error proc_exit returns: the guest asked to end with
// Code. It ends only the calling instance.
type ExitError struct{ Code uint32 }

func (e *ExitError) Error() string { return fmt.Sprintf("wasi: exit status %d", e.Code) }

// EndsInstance marks the error as ending the instance (abi.Ending): the
// runtime refuses later calls into it.
func (e *ExitError) EndsInstance() {}

// RaiseError is the error proc_raise returns: the guest raised Signal,
// which WASI cannot deliver, so the instance ends.
type RaiseError struct{ Signal uint8 }

func (e *RaiseError) Error() string { return fmt.Sprintf("wasi: proc_raise(%d)", e.Signal) }

// EndsInstance marks the error as ending the instance (abi.Ending).
func (e *RaiseError) EndsInstance() {}

// WASI is the state of one guest's WASI world: its descriptor table and
// grants. It serves one instance, whose calls are sequential.
type WASI struct {
	args, env []string
	fds       fdTable
	now       func() time.Time
	monotonic func() int64
	random    io.Reader
}

// New opens the preopened directories and builds the descriptor table.
func New(cfg Config) (*WASI, error) {
	w := &WASI{args: cfg.Args, env: cfg.Env, now: cfg.Now, monotonic: cfg.Monotonic, random: cfg.Random}
	for _, kv := range cfg.Env {
		if !strings.Contains(kv, "=") {
			return nil, fmt.Errorf("wasi: environment entry %q is not KEY=VALUE", kv)
		}
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.monotonic == nil {
		start := time.Now()
		w.monotonic = func() int64 { return int64(time.Since(start)) }
	}
	if w.random == nil {
		w.random = rand.Reader
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
	w.fds.add(newStream(stdin, nil))
	w.fds.add(newStream(nil, stdout))
	w.fds.add(newStream(nil, stderr))
	for _, p := range cfg.Preopens {
		e, err := openPreopen(p)
		if err != nil {
			w.Close()
			return nil, err
		}
		w.fds.add(e)
	}
	for _, l := range cfg.Listeners {
		w.fds.add(newListener(l))
	}
	return w, nil
}

// Close closes every descriptor the guest still holds, including
// preopens and listeners. Stdio streams are not closed.
func (w *WASI) Close() error {
	var errs []error
	for fd := range w.fds.entries {
		if e := w.fds.entries[fd]; e != nil {
			errs = append(errs, e.close())
			w.fds.entries[fd] = nil
		}
	}
	return errors.Join(errs...)
}

// handler is the body of a WASI function: it reads its arguments from
// args and answers an errno.
type handler func(w *WASI, ctx context.Context, m memory, args []uint64) Errno

// errnoFuncs are the functions that answer an errno and nothing else,
// with their parameters ('i' for i32, 'I' for i64).
var errnoFuncs = []struct {
	name, params string
	h            handler
}{
	{"args_get", "ii", (*WASI).argsGet},
	{"args_sizes_get", "ii", (*WASI).argsSizesGet},
	{"environ_get", "ii", (*WASI).environGet},
	{"environ_sizes_get", "ii", (*WASI).environSizesGet},
	{"clock_res_get", "ii", (*WASI).clockResGet},
	{"clock_time_get", "iIi", (*WASI).clockTimeGet},
	{"random_get", "ii", (*WASI).randomGet},
	{"sched_yield", "", (*WASI).schedYield},
	{"fd_advise", "iIIi", (*WASI).fdAdvise},
	{"fd_allocate", "iII", (*WASI).fdAllocate},
	{"fd_close", "i", (*WASI).fdClose},
	{"fd_datasync", "i", (*WASI).fdDatasync},
	{"fd_fdstat_get", "ii", (*WASI).fdFdstatGet},
	{"fd_fdstat_set_flags", "ii", (*WASI).fdFdstatSetFlags},
	{"fd_fdstat_set_rights", "iII", (*WASI).fdFdstatSetRights},
	{"fd_filestat_get", "ii", (*WASI).fdFilestatGet},
	{"fd_filestat_set_size", "iI", (*WASI).fdFilestatSetSize},
	{"fd_filestat_set_times", "iIIi", (*WASI).fdFilestatSetTimes},
	{"fd_pread", "iiiIi", (*WASI).fdPread},
	{"fd_prestat_get", "ii", (*WASI).fdPrestatGet},
	{"fd_prestat_dir_name", "iii", (*WASI).fdPrestatDirName},
	{"fd_pwrite", "iiiIi", (*WASI).fdPwrite},
	{"fd_read", "iiii", (*WASI).fdRead},
	{"fd_readdir", "iiiIi", (*WASI).fdReaddir},
	{"fd_renumber", "ii", (*WASI).fdRenumber},
	{"fd_seek", "iIii", (*WASI).fdSeek},
	{"fd_sync", "i", (*WASI).fdSync},
	{"fd_tell", "ii", (*WASI).fdTell},
	{"fd_write", "iiii", (*WASI).fdWrite},
	{"path_create_directory", "iii", (*WASI).pathCreateDirectory},
	{"path_filestat_get", "iiiii", (*WASI).pathFilestatGet},
	{"path_filestat_set_times", "iiiiIIi", (*WASI).pathFilestatSetTimes},
	{"path_link", "iiiiiii", (*WASI).pathLink},
	{"path_open", "iiiiiIIii", (*WASI).pathOpen},
	{"path_readlink", "iiiiii", (*WASI).pathReadlink},
	{"path_remove_directory", "iii", (*WASI).pathRemoveDirectory},
	{"path_rename", "iiiiii", (*WASI).pathRename},
	{"path_symlink", "iiiii", (*WASI).pathSymlink},
	{"path_unlink_file", "iii", (*WASI).pathUnlinkFile},
	{"sock_accept", "iii", (*WASI).sockAccept},
	{"sock_recv", "iiiiii", (*WASI).sockRecv},
	{"sock_send", "iiiii", (*WASI).sockSend},
	{"sock_shutdown", "ii", (*WASI).sockShutdown},
}

// function is a WASI function as every WASI value has it: its type, and
// its body given the WASI value.
type function struct {
	params, results []abi.ValType
	call            func(w *WASI, ctx context.Context, c abi.Caller, stack []uint64) error
}

// functions are every wasi_snapshot_preview1 function, keyed by name.
var functions = sync.OnceValue(func() map[string]function {
	errno := []abi.ValType{abi.I32}
	fns := map[string]function{
		"poll_oneoff": {valTypes("iiii"), errno, func(w *WASI, ctx context.Context, c abi.Caller, stack []uint64) error {
			e, err := w.pollOneoff(ctx, memory(c.Memory()), stack)
			stack[0] = uint64(e)
			return err
		}},
		"proc_exit": {valTypes("i"), nil, func(_ *WASI, _ context.Context, _ abi.Caller, stack []uint64) error {
			return &ExitError{Code: uint32(stack[0])}
		}},
		"proc_raise": {valTypes("i"), errno, func(_ *WASI, _ context.Context, _ abi.Caller, stack []uint64) error {
			return &RaiseError{Signal: uint8(stack[0])}
		}},
	}
	for _, f := range errnoFuncs {
		h := f.h
		fns[f.name] = function{valTypes(f.params), errno, func(w *WASI, ctx context.Context, c abi.Caller, stack []uint64) error {
			e := h(w, ctx, memory(c.Memory()), stack)
			stack[0] = uint64(e)
			if e == ErrnoAgain {
				// A blocking call woken because its context ended (see
				// unblockOnDone) ends the guest now, as an interrupt.
				return ctx.Err()
			}
			return nil
		}}
	}
	return fns
})

// HostFunc returns the wasi_snapshot_preview1 function name of this WASI
// value. A *WASI is an abi.HostModule: an embedder can hand it to the
// runtime (rtlib.Config.HostModules), which then asks only for the
// functions a module imports, instead of building every function with
// Imports. The function's type slices are shared: callers must not modify
// them.
func (w *WASI) HostFunc(name string) (abi.HostFunc, bool) {
	f, ok := functions()[name]
	if !ok {
		return abi.HostFunc{}, false
	}
	call := f.call
	return abi.HostFunc{Params: f.params, Results: f.results,
		Fn: func(ctx context.Context, c abi.Caller, stack []uint64) error { return call(w, ctx, c, stack) }}, true
}

// Imports returns every wasi_snapshot_preview1 function, keyed by name
// (see HostFunc for the cheaper way to hand them to the runtime).
func (w *WASI) Imports() map[string]abi.HostFunc {
	fns := make(map[string]abi.HostFunc, len(functions()))
	for name := range functions() {
		fns[name], _ = w.HostFunc(name)
	}
	return fns
}

func valTypes(s string) []abi.ValType {
	ts := make([]abi.ValType, len(s))
	for i, c := range s {
		ts[i] = abi.I32
		if c == 'I' {
			ts[i] = abi.I64
		}
	}
	return ts
}

// openPreopen opens a granted directory.
func openPreopen(p Preopen) (*fdEntry, error) {
	root, err := os.OpenRoot(p.HostPath)
	if err != nil {
		return nil, fmt.Errorf("wasi: preopen %s: %w", p.HostPath, err)
	}
	e, err := newDir(root, p.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("wasi: preopen %s: %w", p.HostPath, err)
	}
	e.preopen = p.GuestPath
	return e, nil
}
