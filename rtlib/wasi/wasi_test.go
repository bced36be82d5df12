package wasi

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// fakeCaller is a guest memory for calling host functions directly.
type fakeCaller struct{ mem []byte }

func (c *fakeCaller) Memory() []byte { return c.mem }

// call invokes fn with args and returns the errno it answered.
func call(t *testing.T, w *WASI, c *fakeCaller, fn string, args ...uint64) Errno {
	t.Helper()
	hf, ok := w.Imports()[fn]
	if !ok {
		t.Fatalf("no import %s", fn)
	}
	if len(args) != len(hf.Params) {
		t.Fatalf("%s takes %d params, got %d", fn, len(hf.Params), len(args))
	}
	stack := make([]uint64, max(len(args), 1))
	copy(stack, args)
	if err := hf.Fn(context.Background(), c, stack); err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	return Errno(stack[0])
}

func TestParseDirFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Preopen
		err  bool
	}{
		{in: "/data", want: Preopen{HostPath: "/data", GuestPath: "/data"}},
		{in: "/data::/in", want: Preopen{HostPath: "/data", GuestPath: "/in"}},
		{in: "/data::/in:ro", want: Preopen{HostPath: "/data", GuestPath: "/in", ReadOnly: true}},
		{in: ".:ro", want: Preopen{HostPath: ".", GuestPath: ".", ReadOnly: true}},
		{in: "", err: true},
		{in: "::/x", err: true},
		{in: "/x::", err: true},
	} {
		got, err := ParseDirFlag(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseDirFlag(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestNewRejectsBadGrants(t *testing.T) {
	if _, err := New(Config{Env: []string{"NOEQUALS"}}); err == nil {
		t.Error("environment entry without '=' accepted")
	}
	if _, err := New(Config{Preopens: []Preopen{{HostPath: filepath.Join(t.TempDir(), "missing"), GuestPath: "/x"}}}); err == nil {
		t.Error("missing preopen directory accepted")
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := New(Config{Preopens: []Preopen{{HostPath: file, GuestPath: "/x"}}}); err == nil {
		t.Error("preopen of a regular file accepted")
	}
}

// TestSignatures checks every preview1 function is present with the
// witx signature (i = i32, I = i64; all but proc_exit return an errno).
func TestSignatures(t *testing.T) {
	want := map[string]string{
		"args_get": "ii", "args_sizes_get": "ii", "environ_get": "ii", "environ_sizes_get": "ii",
		"clock_res_get": "ii", "clock_time_get": "iIi", "fd_advise": "iIIi", "fd_allocate": "iII",
		"fd_close": "i", "fd_datasync": "i", "fd_fdstat_get": "ii", "fd_fdstat_set_flags": "ii",
		"fd_fdstat_set_rights": "iII", "fd_filestat_get": "ii", "fd_filestat_set_size": "iI",
		"fd_filestat_set_times": "iIIi", "fd_pread": "iiiIi", "fd_prestat_get": "ii",
		"fd_prestat_dir_name": "iii", "fd_pwrite": "iiiIi", "fd_read": "iiii", "fd_readdir": "iiiIi",
		"fd_renumber": "ii", "fd_seek": "iIii", "fd_sync": "i", "fd_tell": "ii", "fd_write": "iiii",
		"path_create_directory": "iii", "path_filestat_get": "iiiii", "path_filestat_set_times": "iiiiIIi",
		"path_link": "iiiiiii", "path_open": "iiiiiIIii", "path_readlink": "iiiiii",
		"path_remove_directory": "iii", "path_rename": "iiiiii", "path_symlink": "iiiii",
		"path_unlink_file": "iii", "poll_oneoff": "iiii", "proc_exit": "i", "proc_raise": "i",
		"sched_yield": "", "random_get": "ii", "sock_accept": "iii", "sock_recv": "iiiiii",
		"sock_send": "iiiii", "sock_shutdown": "ii",
	}
	w, _ := New(Config{})
	fns := w.Imports()
	if len(fns) != len(want) {
		t.Errorf("%d imports, want %d", len(fns), len(want))
	}
	for name, sig := range want {
		hf, ok := fns[name]
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		var got strings.Builder
		for _, p := range hf.Params {
			got.WriteByte(map[abi.ValType]byte{abi.I32: 'i', abi.I64: 'I'}[p])
		}
		results := len(hf.Results)
		if got.String() != sig || (name == "proc_exit") != (results == 0) {
			t.Errorf("%s: params %q results %d, want %q", name, got.String(), results, sig)
		}
	}
}

func TestProcExitAndRaise(t *testing.T) {
	w, _ := New(Config{})
	c := &fakeCaller{mem: make([]byte, 64)}
	stack := []uint64{42}
	err := w.Imports()["proc_exit"].Fn(context.Background(), c, stack)
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 42 {
		t.Errorf("proc_exit(42) = %v", err)
	}
	err = w.Imports()["proc_raise"].Fn(context.Background(), c, []uint64{6})
	var raise *RaiseError
	if !errors.As(err, &raise) || raise.Signal != 6 {
		t.Errorf("proc_raise(6) = %v", err)
	}
}

// TestBoundsChecks calls functions with pointers and lengths outside a
// one-page memory: each must answer ErrnoFault, never panic or write.
func TestBoundsChecks(t *testing.T) {
	dir := t.TempDir()
	w, err := New(Config{Args: []string{"prog", "arg"}, Env: []string{"A=1"},
		Preopens: []Preopen{{HostPath: dir, GuestPath: "/d"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &fakeCaller{mem: make([]byte, 65536)}
	const end = 65536
	iov := uint64(100) // an iovec at 100 pointing past the end
	le.PutUint32(c.mem[100:], end-4)
	le.PutUint32(c.mem[104:], 8)
	copy(c.mem[200:], "file")
	for _, tc := range []struct {
		fn   string
		args []uint64
	}{
		{"args_sizes_get", []uint64{end - 2, 0}},
		{"args_get", []uint64{0, end - 3}},
		{"environ_get", []uint64{end, 0}},
		{"clock_time_get", []uint64{0, 0, end - 7}},
		{"random_get", []uint64{end - 10, 11}},
		{"random_get", []uint64{0xffffffff, 2}},
		{"fd_write", []uint64{1, iov, 1, 0}},
		{"fd_write", []uint64{1, end - 8, 2, 0}},
		{"fd_read", []uint64{0, iov, 1, 0}},
		{"fd_fdstat_get", []uint64{1, end - 23}},
		{"fd_prestat_get", []uint64{3, end - 7}},
		{"fd_prestat_dir_name", []uint64{3, end - 1, 2}},
		{"fd_filestat_get", []uint64{3, end - 63}},
		{"fd_readdir", []uint64{3, end - 10, 100, 0, 0}},
		{"path_open", []uint64{3, 0, end - 2, 4, 1, 0xffff, 0xffff, 0, 0}},
		{"path_open", []uint64{3, 0, 200, 4, 1, 0xffff, 0xffff, 0, end - 3}},
		{"path_filestat_get", []uint64{3, 0, 200, 4, end - 8}},
		{"path_readlink", []uint64{3, 200, 4, end - 1, 10, 0}},
		{"poll_oneoff", []uint64{end - 47, 0, 1, 0}},
		{"poll_oneoff", []uint64{0, 0, 0x10000000, 0}},
	} {
		before := append([]byte(nil), c.mem...)
		if got := call(t, w, c, tc.fn, tc.args...); got != ErrnoFault {
			t.Errorf("%s%v = %d, want ErrnoFault", tc.fn, tc.args, got)
		}
		if tc.fn != "fd_read" && tc.fn != "random_get" && string(before) != string(c.mem) {
			t.Errorf("%s%v wrote memory although it failed", tc.fn, tc.args)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "file")); err == nil {
		t.Error("path_open created a file although its result pointer was out of bounds")
	}
}

// TestReaddirCookies lists a directory a few bytes at a time, resuming
// from each entry's d_next, and checks every entry arrives exactly once.
func TestReaddirCookies(t *testing.T) {
	dir := t.TempDir()
	names := map[string]bool{".": true, "..": true}
	for _, n := range []string{"alpha", "beta", "gamma", "delta", "a-much-longer-file-name"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
		names[n] = true
	}
	w, _ := New(Config{Preopens: []Preopen{{HostPath: dir, GuestPath: "/d"}}})
	defer w.Close()
	c := &fakeCaller{mem: make([]byte, 4096)}
	const buf, bufLen, usedPtr = 1024, 60, 16
	seen := map[string]bool{}
	cookie := uint64(0)
	for range 100 {
		if e := call(t, w, c, "fd_readdir", 3, buf, bufLen, cookie, usedPtr); e != ErrnoSuccess {
			t.Fatalf("fd_readdir: %d", e)
		}
		used := le.Uint32(c.mem[usedPtr:])
		if used == 0 {
			break
		}
		// Take whole entries; a truncated last entry is re-read from its cookie.
		for off := uint32(0); off+sizeDirent <= used; {
			next := le.Uint64(c.mem[buf+off:])
			nameLen := le.Uint32(c.mem[buf+off+16:])
			if off+sizeDirent+nameLen > used {
				break
			}
			name := string(c.mem[buf+off+sizeDirent : buf+off+sizeDirent+nameLen])
			if seen[name] {
				t.Errorf("entry %q listed twice", name)
			}
			seen[name] = true
			cookie = next
			off += sizeDirent + nameLen
		}
	}
	if len(seen) != len(names) {
		t.Errorf("listed %v, want %v", seen, names)
	}
}

func TestRightsOnlyShrink(t *testing.T) {
	w, _ := New(Config{Preopens: []Preopen{{HostPath: t.TempDir(), GuestPath: "/d"}}})
	defer w.Close()
	c := &fakeCaller{mem: make([]byte, 4096)}
	if e := call(t, w, c, "fd_fdstat_set_rights", 3, uint64(RightPathOpen), uint64(RightFdRead)); e != ErrnoSuccess {
		t.Fatalf("narrowing rights: %d", e)
	}
	if e := call(t, w, c, "fd_fdstat_set_rights", 3, uint64(RightPathOpen|RightPathCreateDirectory), 0); e != ErrnoNotcapable {
		t.Errorf("widening rights answered %d", e)
	}
	copy(c.mem[100:], "sub")
	if e := call(t, w, c, "path_create_directory", 3, 100, 3); e != ErrnoNotcapable {
		t.Errorf("mkdir without the right answered %d", e)
	}
}

// TestHostFunc checks the abi.HostModule side of WASI: the same functions
// as Imports, one at a time, and nothing else.
func TestHostFunc(t *testing.T) {
	w, _ := New(Config{Args: []string{"prog", "x"}})
	var _ abi.HostModule = w
	for name, want := range w.Imports() {
		got, ok := w.HostFunc(name)
		if !ok || !slices.Equal(got.Params, want.Params) || !slices.Equal(got.Results, want.Results) {
			t.Errorf("HostFunc(%q) = %v, %v; Imports has %v -> %v", name, got, ok, want.Params, want.Results)
		}
	}
	if _, ok := w.HostFunc("fd_nonesuch"); ok {
		t.Error("HostFunc answers an unknown name")
	}
	sizes, _ := w.HostFunc("args_sizes_get")
	c := &fakeCaller{mem: make([]byte, 16)}
	stack := []uint64{0, 4}
	if err := sizes.Fn(context.Background(), c, stack); err != nil || Errno(stack[0]) != ErrnoSuccess {
		t.Fatalf("args_sizes_get: errno %d, %v", stack[0], err)
	}
	if argc, size := c.mem[0], c.mem[4]; argc != 2 || size != 7 {
		t.Errorf("args_sizes_get = %d args, %d bytes; want 2, 7", argc, size)
	}
}
