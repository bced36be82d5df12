package wasi

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// guest drives a WASI value through its host functions with a fake
// memory: strings are placed from scratchBase up, results land at resPtr.
type guest struct {
	t    *testing.T
	w    *WASI
	c    *fakeCaller
	next uint32
}

const (
	resPtr      = 8   // u32/u64 results
	statPtr     = 64  // fdstat and filestat results
	iovPtr      = 256 // one iovec
	bufPtr      = 512 // 256 bytes of data
	scratchBase = 1024
)

// newGuest grants dir as descriptor 3 (writable).
func newGuest(t *testing.T, dir string) *guest {
	t.Helper()
	w, err := New(Config{Preopens: []Preopen{{HostPath: dir, GuestPath: "/d"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &guest{t: t, w: w, c: &fakeCaller{mem: make([]byte, 1<<16)}, next: scratchBase}
}

// str places s in guest memory and returns its pointer and length.
func (g *guest) str(s string) (uint64, uint64) {
	p := g.next
	copy(g.c.mem[p:], s)
	g.next += uint32(len(s))
	if g.next > uint32(len(g.c.mem))-4096 {
		g.next = scratchBase
	}
	return uint64(p), uint64(len(s))
}

func (g *guest) call(fn string, args ...uint64) Errno {
	g.t.Helper()
	return call(g.t, g.w, g.c, fn, args...)
}

// open calls path_open and returns the new descriptor (valid on success).
func (g *guest) open(dir uint32, follow uint32, path string, oflags uint16, base, inherit Rights, fdflags uint16) (uint32, Errno) {
	g.t.Helper()
	p, n := g.str(path)
	e := g.call("path_open", uint64(dir), uint64(follow), p, n, uint64(oflags), uint64(base), uint64(inherit), uint64(fdflags), resPtr)
	return le.Uint32(g.c.mem[resPtr:]), e
}

// mustOpen opens or fails the test.
func (g *guest) mustOpen(dir uint32, path string, oflags uint16, base, inherit Rights) uint32 {
	g.t.Helper()
	fd, e := g.open(dir, 0, path, oflags, base, inherit, 0)
	if e != ErrnoSuccess {
		g.t.Fatalf("path_open %q: errno %d", path, e)
	}
	return fd
}

// rights returns the base and inheriting rights fd_fdstat_get reports.
func (g *guest) rights(fd uint32) (Rights, Rights) {
	g.t.Helper()
	if e := g.call("fd_fdstat_get", uint64(fd), statPtr); e != ErrnoSuccess {
		g.t.Fatalf("fd_fdstat_get(%d): errno %d", fd, e)
	}
	return Rights(le.Uint64(g.c.mem[statPtr+8:])), Rights(le.Uint64(g.c.mem[statPtr+16:]))
}

// path calls a path_* function of the form (fd, path, len).
func (g *guest) path(fn string, fd uint32, path string) Errno {
	g.t.Helper()
	p, n := g.str(path)
	return g.call(fn, uint64(fd), p, n)
}

const allRights = Rights(1<<30 - 1)

// TestDirectoryDescriptors: a directory has no offset and no byte
// stream, so seeking, telling, reading and writing it answer ErrnoBadf
// whatever rights were asked for, it never holds fd_seek, and opening one
// for writing answers ErrnoIsdir.
func TestDirectoryDescriptors(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	g := newGuest(t, dir)
	le.PutUint32(g.c.mem[iovPtr:], bufPtr)
	le.PutUint32(g.c.mem[iovPtr+4:], 16)

	sub := g.mustOpen(3, "sub", oflagDirectory, RightFdSeek|RightFdTell|RightFdRead|RightFdReaddir, allRights)
	plain := g.mustOpen(3, "sub", 0, RightFdRead|RightFdSeek|RightFdReaddir, allRights) // as Rust's File::open does
	for _, fd := range []uint32{3, sub, plain} {
		if base, _ := g.rights(fd); base&(RightFdSeek|RightFdTell|RightFdRead|RightFdWrite) != 0 {
			t.Errorf("directory fd %d holds rights %#x", fd, base&(RightFdSeek|RightFdTell|RightFdRead|RightFdWrite))
		}
		for _, tc := range []struct {
			fn   string
			args []uint64
		}{
			{"fd_seek", []uint64{uint64(fd), 0, whenceCur, resPtr}},
			{"fd_seek", []uint64{uint64(fd), 0, whenceSet, resPtr}},
			{"fd_tell", []uint64{uint64(fd), resPtr}},
			{"fd_read", []uint64{uint64(fd), iovPtr, 1, resPtr}},
			{"fd_pread", []uint64{uint64(fd), iovPtr, 1, 0, resPtr}},
			{"fd_write", []uint64{uint64(fd), iovPtr, 1, resPtr}},
			{"fd_pwrite", []uint64{uint64(fd), iovPtr, 1, 0, resPtr}},
		} {
			if e := g.call(tc.fn, tc.args...); e != ErrnoBadf {
				t.Errorf("%s on directory fd %d: errno %d, want EBADF (%d)", tc.fn, fd, e, ErrnoBadf)
			}
		}
	}
	for _, tc := range []struct {
		what   string
		oflags uint16
		base   Rights
		flags  uint16
	}{
		{"O_DIRECTORY + fd_write", oflagDirectory, RightFdWrite, 0},
		{"O_DIRECTORY + fd_read|fd_write", oflagDirectory, RightFdRead | RightFdWrite, 0},
		{"O_DIRECTORY + fd_allocate", oflagDirectory, RightFdAllocate, 0},
		{"fd_write without O_DIRECTORY", 0, RightFdWrite, 0},
		{"O_DIRECTORY + APPEND", oflagDirectory, RightFdReaddir, fdflagAppend},
	} {
		if fd, e := g.open(3, 0, "sub", tc.oflags, tc.base, allRights, tc.flags); e != ErrnoIsdir {
			t.Errorf("path_open(sub, %s): errno %d (fd %d), want EISDIR (%d)", tc.what, e, fd, ErrnoIsdir)
		}
	}
	if _, e := g.open(3, 0, "sub", oflagDirectory|oflagTrunc, RightFdReaddir, 0, 0); e != ErrnoInval {
		t.Errorf("path_open(O_DIRECTORY|O_TRUNC): errno %d, want EINVAL", e)
	}
}

// TestTrailingSlashes: "name/" means name must be a directory, on every
// path_* call, with Linux's errnos.
func TestTrailingSlashes(t *testing.T) {
	dir := t.TempDir()
	g := newGuest(t, dir)
	reset := func() {
		for _, n := range []string{"file", "dir", "ldir", "lfile", "new", "x"} {
			os.RemoveAll(filepath.Join(dir, n))
		}
		os.WriteFile(filepath.Join(dir, "file"), []byte("data"), 0o644)
		os.Mkdir(filepath.Join(dir, "dir"), 0o755)
		os.Symlink("dir", filepath.Join(dir, "ldir"))
		os.Symlink("file", filepath.Join(dir, "lfile"))
	}
	two := func(fn string, from, to string) Errno {
		fp, fn1 := g.str(from)
		tp, tn := g.str(to)
		if fn == "path_link" {
			return g.call(fn, 3, 0, fp, fn1, 3, tp, tn)
		}
		return g.call(fn, 3, fp, fn1, 3, tp, tn)
	}
	symlink := func(target, name string) Errno {
		tp, tn := g.str(target)
		np, nn := g.str(name)
		return g.call("path_symlink", tp, tn, 3, np, nn)
	}
	open := func(path string, oflags uint16) Errno {
		fd, e := g.open(3, 0, path, oflags, RightFdRead, 0, 0)
		if e == ErrnoSuccess {
			g.call("fd_close", uint64(fd))
		}
		return e
	}
	stat := func(path string) Errno {
		p, n := g.str(path)
		return g.call("path_filestat_get", 3, 0, p, n, statPtr)
	}
	times := func(path string) Errno {
		p, n := g.str(path)
		return g.call("path_filestat_set_times", 3, 0, p, n, 1, 1, uint64(fstAtim|fstMtim))
	}
	readlink := func(path string) Errno {
		p, n := g.str(path)
		return g.call("path_readlink", 3, p, n, bufPtr, 64, resPtr)
	}
	for _, tc := range []struct {
		what string
		do   func() Errno
		want Errno
	}{
		{"link file/ -> x", func() Errno { return two("path_link", "file/", "x") }, ErrnoNotdir},
		{"link file -> x/", func() Errno { return two("path_link", "file", "x/") }, ErrnoNoent},
		{"link file -> dir/", func() Errno { return two("path_link", "file", "dir/") }, ErrnoExist},
		{"link file -> lfile/", func() Errno { return two("path_link", "file", "lfile/") }, ErrnoExist},
		{"link file -> x", func() Errno { return two("path_link", "file", "x") }, ErrnoSuccess},
		{"symlink -> x/", func() Errno { return symlink("file", "x/") }, ErrnoNoent},
		{"symlink -> dir/", func() Errno { return symlink("file", "dir/") }, ErrnoExist},
		{"symlink -> file/", func() Errno { return symlink("dir", "file/") }, ErrnoNotdir},
		{"symlink -> x", func() Errno { return symlink("file", "x") }, ErrnoSuccess},
		{"rename file/ -> x", func() Errno { return two("path_rename", "file/", "x") }, ErrnoNotdir},
		{"rename file -> x/", func() Errno { return two("path_rename", "file", "x/") }, ErrnoNotdir},
		{"rename dir -> file/", func() Errno { return two("path_rename", "dir", "file/") }, ErrnoNotdir},
		{"rename dir/ -> x/", func() Errno { return two("path_rename", "dir/", "x/") }, ErrnoSuccess},
		{"rename dir -> x/", func() Errno { return two("path_rename", "dir", "x/") }, ErrnoSuccess},
		{"unlink file/", func() Errno { return g.path("path_unlink_file", 3, "file/") }, ErrnoNotdir},
		{"unlink dir/", func() Errno { return g.path("path_unlink_file", 3, "dir/") }, ErrnoIsdir},
		{"unlink lfile/", func() Errno { return g.path("path_unlink_file", 3, "lfile/") }, ErrnoNotdir},
		{"rmdir file/", func() Errno { return g.path("path_remove_directory", 3, "file/") }, ErrnoNotdir},
		{"rmdir dir/", func() Errno { return g.path("path_remove_directory", 3, "dir/") }, ErrnoSuccess},
		{"mkdir file/", func() Errno { return g.path("path_create_directory", 3, "file/") }, ErrnoExist},
		{"mkdir new/", func() Errno { return g.path("path_create_directory", 3, "new/") }, ErrnoSuccess},
		{"open file/", func() Errno { return open("file/", 0) }, ErrnoNotdir},
		{"open lfile/", func() Errno { return open("lfile/", 0) }, ErrnoNotdir},
		{"open ldir/ (followed)", func() Errno { return open("ldir/", 0) }, ErrnoSuccess},
		{"open x/ CREAT", func() Errno { return open("x/", oflagCreat) }, ErrnoIsdir},
		{"open dir/ CREAT", func() Errno { return open("dir/", oflagCreat) }, ErrnoIsdir},
		{"filestat_get file/", func() Errno { return stat("file/") }, ErrnoNotdir},
		{"filestat_get dir/", func() Errno { return stat("dir/") }, ErrnoSuccess},
		{"set_times file/", func() Errno { return times("file/") }, ErrnoNotdir},
		{"set_times lfile/", func() Errno { return times("lfile/") }, ErrnoNotdir},
		{"set_times ldir/", func() Errno { return times("ldir/") }, ErrnoSuccess},
		{"readlink lfile/", func() Errno { return readlink("lfile/") }, ErrnoNotdir},
	} {
		reset()
		if got := tc.do(); got != tc.want {
			t.Errorf("%s: errno %d, want %d", tc.what, got, tc.want)
		}
	}
	reset()
	if b, err := os.ReadFile(filepath.Join(dir, "file")); err != nil || string(b) != "data" {
		t.Errorf("file changed: %q, %v", b, err)
	}
}

// TestRightsModel: path_open grants at most the directory's inheriting
// rights, truncation needs a right, and every fd_* and path_* call
// refuses a descriptor that lacks its right with ErrnoNotcapable.
func TestRightsModel(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), []byte("keep me"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	g := newGuest(t, dir)

	// Granted rights never exceed the parent's inheriting rights.
	d := g.mustOpen(3, "sub", oflagDirectory, dirRights, allRights)
	if e := g.call("fd_fdstat_set_rights", uint64(d), uint64(dirRights), uint64(RightFdRead|RightFdSeek|RightPathOpen)); e != ErrnoSuccess {
		t.Fatalf("narrowing: errno %d", e)
	}
	os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("x"), 0o644)
	f := g.mustOpen(d, "f", 0, allRights, allRights)
	if base, inherit := g.rights(f); base != RightFdRead|RightFdSeek || inherit != 0 {
		t.Errorf("file under narrowed dir: rights %#x / %#x, want %#x / 0", base, inherit, RightFdRead|RightFdSeek)
	}
	if e := g.call("fd_fdstat_set_rights", uint64(f), uint64(RightFdRead|RightFdSeek|RightFdWrite), 0); e != ErrnoNotcapable {
		t.Errorf("widening a file's rights: errno %d", e)
	}
	if e := g.call("fd_fdstat_set_rights", uint64(d), uint64(dirRights), uint64(RightFdRead|RightFdSeek|RightPathOpen|RightFdWrite)); e != ErrnoNotcapable {
		t.Errorf("widening a directory's inheriting rights: errno %d", e)
	}
	sub2 := g.mustOpen(d, ".", oflagDirectory, dirRights, allRights)
	if base, inherit := g.rights(sub2); base&^(RightPathOpen) != 0 || inherit&^(RightFdRead|RightFdSeek|RightPathOpen) != 0 {
		t.Errorf("directory under narrowed dir: rights %#x / %#x", base, inherit)
	}

	// Truncation: the descriptor may not truncate without a right for it.
	noTrunc := g.mustOpen(3, ".", oflagDirectory, dirRights&^RightPathFilestatSetSize, fileRights&^RightFdFilestatSetSize)
	if fd, e := g.open(noTrunc, 0, "file", oflagTrunc, allRights, 0, 0); e != ErrnoNotcapable {
		t.Errorf("O_TRUNC without path_filestat_set_size or fd_filestat_set_size: errno %d (fd %d)", e, fd)
	}
	withPath := g.mustOpen(3, ".", oflagDirectory, dirRights, fileRights&^RightFdFilestatSetSize)
	if fd, e := g.open(withPath, 0, "file", oflagTrunc, RightFdRead, 0, 0); e != ErrnoSuccess {
		t.Errorf("O_TRUNC with path_filestat_set_size: errno %d", e)
	} else {
		if e := g.call("fd_filestat_set_size", uint64(fd), 3); e != ErrnoNotcapable {
			t.Errorf("fd_filestat_set_size without the right: errno %d", e)
		}
		os.WriteFile(filepath.Join(dir, "file"), []byte("keep me"), 0o644)
	}
	if e := g.call("fd_fdstat_set_rights", 3, uint64(dirRights&^RightPathFilestatSetSize), uint64(dirRights|fileRights)); e != ErrnoSuccess {
		t.Fatal(e)
	}
	if fd, e := g.open(3, 0, "file", oflagTrunc, RightFdRead|RightFdWrite, 0, 0); e != ErrnoNotcapable {
		t.Errorf("O_TRUNC after dropping path_filestat_set_size, asking no fd_filestat_set_size: errno %d (fd %d)", e, fd)
	}
	if fd, e := g.open(3, 0, "file", 0, RightFdRead|RightFdSeek, 0, fdflagSync); e != ErrnoNotcapable {
		t.Errorf("fdflags SYNC without fd_sync: errno %d (fd %d)", e, fd)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "file")); string(b) != "keep me" {
		t.Errorf("file truncated: %q", b)
	}

	// Every call checks its right: drop exactly that right and call.
	copy(g.c.mem[bufPtr:], "abc")
	le.PutUint32(g.c.mem[iovPtr:], bufPtr)
	le.PutUint32(g.c.mem[iovPtr+4:], 3)
	fileCalls := []struct {
		right Rights
		fn    string
		args  func(fd uint64) []uint64
	}{
		{RightFdDatasync, "fd_datasync", func(fd uint64) []uint64 { return []uint64{fd} }},
		{RightFdSync, "fd_sync", func(fd uint64) []uint64 { return []uint64{fd} }},
		{RightFdSeek, "fd_seek", func(fd uint64) []uint64 { return []uint64{fd, 1, whenceSet, resPtr} }},
		{RightFdSeek, "fd_pread", func(fd uint64) []uint64 { return []uint64{fd, iovPtr, 1, 0, resPtr} }},
		{RightFdSeek, "fd_pwrite", func(fd uint64) []uint64 { return []uint64{fd, iovPtr, 1, 0, resPtr} }},
		{RightFdTell | RightFdSeek, "fd_tell", func(fd uint64) []uint64 { return []uint64{fd, resPtr} }},
		{RightFdFdstatSetFlags, "fd_fdstat_set_flags", func(fd uint64) []uint64 { return []uint64{fd, uint64(fdflagAppend)} }},
		{RightFdAdvise, "fd_advise", func(fd uint64) []uint64 { return []uint64{fd, 0, 0, 0} }},
		{RightFdAllocate, "fd_allocate", func(fd uint64) []uint64 { return []uint64{fd, 0, 1} }},
		{RightFdFilestatGet, "fd_filestat_get", func(fd uint64) []uint64 { return []uint64{fd, statPtr} }},
		{RightFdFilestatSetSize, "fd_filestat_set_size", func(fd uint64) []uint64 { return []uint64{fd, 0} }},
		{RightFdFilestatSetTimes, "fd_filestat_set_times", func(fd uint64) []uint64 { return []uint64{fd, 1, 1, uint64(fstAtim | fstMtim)} }},
	}
	for _, tc := range fileCalls {
		fd := g.mustOpen(3, "file", 0, fileRights, 0)
		if e := g.call("fd_fdstat_set_rights", uint64(fd), uint64(fileRights&^tc.right), 0); e != ErrnoSuccess {
			t.Fatal(e)
		}
		if e := g.call(tc.fn, tc.args(uint64(fd))...); e != ErrnoNotcapable {
			t.Errorf("%s without right %#x: errno %d, want ENOTCAPABLE", tc.fn, tc.right, e)
		}
		g.call("fd_close", uint64(fd))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "file")); string(b) != "keep me" {
		t.Errorf("file changed by refused calls: %q", b)
	}
	os.Symlink("file", filepath.Join(dir, "link"))
	pathCalls := []struct {
		right Rights
		fn    string
		args  func(fd uint64) []uint64
	}{
		{RightPathOpen, "path_open", func(fd uint64) []uint64 {
			p, n := g.str("file")
			return []uint64{fd, 0, p, n, 0, uint64(RightFdRead), 0, 0, resPtr}
		}},
		{RightPathCreateFile, "path_open", func(fd uint64) []uint64 {
			p, n := g.str("created")
			return []uint64{fd, 0, p, n, uint64(oflagCreat), uint64(RightFdRead), 0, 0, resPtr}
		}},
		{RightPathCreateDirectory, "path_create_directory", func(fd uint64) []uint64 { p, n := g.str("newdir"); return []uint64{fd, p, n} }},
		{RightPathRemoveDirectory, "path_remove_directory", func(fd uint64) []uint64 { p, n := g.str("sub"); return []uint64{fd, p, n} }},
		{RightPathUnlinkFile, "path_unlink_file", func(fd uint64) []uint64 { p, n := g.str("file"); return []uint64{fd, p, n} }},
		{RightPathReadlink, "path_readlink", func(fd uint64) []uint64 {
			p, n := g.str("link")
			return []uint64{fd, p, n, bufPtr, 64, resPtr}
		}},
		{RightPathSymlink, "path_symlink", func(fd uint64) []uint64 {
			tp, tn := g.str("file")
			p, n := g.str("link2")
			return []uint64{tp, tn, fd, p, n}
		}},
		{RightPathFilestatGet, "path_filestat_get", func(fd uint64) []uint64 { p, n := g.str("file"); return []uint64{fd, 0, p, n, statPtr} }},
		{RightPathFilestatSetTimes, "path_filestat_set_times", func(fd uint64) []uint64 {
			p, n := g.str("file")
			return []uint64{fd, 0, p, n, 1, 1, uint64(fstAtim | fstMtim)}
		}},
		{RightPathLinkSource, "path_link", func(fd uint64) []uint64 {
			p, n := g.str("file")
			q, m := g.str("hard")
			return []uint64{fd, 0, p, n, 3, q, m}
		}},
		{RightPathLinkTarget, "path_link", func(fd uint64) []uint64 {
			p, n := g.str("file")
			q, m := g.str("hard")
			return []uint64{3, 0, p, n, fd, q, m}
		}},
		{RightPathRenameSource, "path_rename", func(fd uint64) []uint64 {
			p, n := g.str("file")
			q, m := g.str("renamed")
			return []uint64{fd, p, n, 3, q, m}
		}},
		{RightPathRenameTarget, "path_rename", func(fd uint64) []uint64 {
			p, n := g.str("file")
			q, m := g.str("renamed")
			return []uint64{3, p, n, fd, q, m}
		}},
		{RightFdReaddir, "fd_readdir", func(fd uint64) []uint64 { return []uint64{fd, bufPtr, 128, 0, resPtr} }},
		{RightFdFilestatGet, "fd_filestat_get", func(fd uint64) []uint64 { return []uint64{fd, statPtr} }},
		{RightFdFilestatSetTimes, "fd_filestat_set_times", func(fd uint64) []uint64 { return []uint64{fd, 1, 1, uint64(fstAtim | fstMtim)} }},
	}
	for _, tc := range pathCalls {
		fd := g.mustOpen(3, ".", oflagDirectory, dirRights, dirRights|fileRights)
		base, inherit := g.rights(fd)
		if base&tc.right == 0 {
			t.Fatalf("%s: directory lacks right %#x before it is dropped", tc.fn, tc.right)
		}
		if e := g.call("fd_fdstat_set_rights", uint64(fd), uint64(base&^tc.right), uint64(inherit)); e != ErrnoSuccess {
			t.Fatal(e)
		}
		if e := g.call(tc.fn, tc.args(uint64(fd))...); e != ErrnoNotcapable {
			t.Errorf("%s without right %#x: errno %d, want ENOTCAPABLE", tc.fn, tc.right, e)
		}
		g.call("fd_close", uint64(fd))
	}
	for _, name := range []string{"created", "newdir", "link2", "hard", "renamed"} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s exists although the call was refused", name)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "sub")); err != nil {
		t.Error("sub removed although path_remove_directory was refused")
	}
}

// TestGuestSizedAllocations: a guest controls the lengths it passes, so
// none may make the host allocate in proportion to them beyond its own
// memory. A 64 MiB path answers ErrnoNametoolong on every call that takes
// one, quickly and with almost no host allocation; more iovecs than
// IOV_MAX answer ErrnoInval; a stream write of overlapping iovecs copies
// at most the caller's memory size.
func TestGuestSizedAllocations(t *testing.T) {
	dir := t.TempDir()
	g := newGuest(t, dir)
	const huge = 64 << 20
	g.c.mem = make([]byte, huge+1<<20)
	long := g.c.mem[1<<20:]
	for i := range long {
		long[i] = 'a'
	}
	const p, n = 1 << 20, huge
	calls := []struct {
		fn   string
		args []uint64
	}{
		{"path_open", []uint64{3, 0, p, n, uint64(oflagCreat), uint64(fileRights), 0, 0, resPtr}},
		{"path_create_directory", []uint64{3, p, n}},
		{"path_remove_directory", []uint64{3, p, n}},
		{"path_unlink_file", []uint64{3, p, n}},
		{"path_filestat_get", []uint64{3, 0, p, n, statPtr}},
		{"path_filestat_set_times", []uint64{3, 0, p, n, 0, 0, uint64(fstAtimNow)}},
		{"path_readlink", []uint64{3, p, n, bufPtr, 64, resPtr}},
		{"path_symlink", []uint64{p, n, 3, scratchBase, 1}},
		{"path_symlink", []uint64{scratchBase, 1, 3, p, n}},
		{"path_rename", []uint64{3, p, n, 3, scratchBase, 1}},
		{"path_link", []uint64{3, 0, scratchBase, 1, 3, p, n}},
	}
	g.c.mem[scratchBase] = 'x'
	for _, tc := range calls {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		e := g.call(tc.fn, tc.args...)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if e != ErrnoNametoolong {
			t.Errorf("%s with a 64 MiB path: errno %d, want ENAMETOOLONG (%d)", tc.fn, e, ErrnoNametoolong)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<10 {
			t.Errorf("%s with a 64 MiB path allocated %d bytes on the host", tc.fn, alloc)
		}
		if took > 100*time.Millisecond {
			t.Errorf("%s with a 64 MiB path took %v", tc.fn, took)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("calls with overlong paths created %d entries", len(entries))
	}

	// iovecs: IOV_MAX of them at most.
	if e := g.call("fd_write", 1, iovPtr, iovMax+1, resPtr); e != ErrnoInval {
		t.Errorf("fd_write with %d iovecs: errno %d, want EINVAL", iovMax+1, e)
	}
	// 1024 iovecs each covering all of a 1 MiB memory: 1 GiB if joined.
	var sink countingWriter
	w, err := New(Config{Stdout: &sink})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	small := &fakeCaller{mem: make([]byte, 1<<20)}
	for i := range iovMax {
		le.PutUint32(small.mem[8*i:], 0)
		le.PutUint32(small.mem[8*i+4:], 1<<20)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if e := call(t, w, small, "fd_write", 1, 0, iovMax, 1<<20-4); e != ErrnoSuccess {
		t.Fatalf("fd_write of overlapping iovecs: errno %d", e)
	}
	runtime.ReadMemStats(&after)
	if written := le.Uint32(small.mem[1<<20-4:]); written != 1<<20 || sink.n != 1<<20 {
		t.Errorf("fd_write of overlapping iovecs wrote %d (reported %d), want one memory's worth (%d)", sink.n, written, 1<<20)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("fd_write of 1024 overlapping 1 MiB iovecs allocated %d bytes", alloc)
	}
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestReaddirStreams: fd_readdir holds at most a fixed batch of a
// directory on the host, however large the directory a guest has made,
// and a listing resumed from each d_next still sees every entry once.
func TestReaddirStreams(t *testing.T) {
	dir := t.TempDir()
	const files = 10000
	for i := range files {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("file-with-a-long-name-%05d", i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	g := newGuest(t, dir)
	const buf, bufLen = 8192, 4096
	seen := map[string]bool{}
	cookie, calls := uint64(0), 0
	var maxAlloc uint64
	for {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		e := g.call("fd_readdir", 3, buf, bufLen, cookie, resPtr)
		runtime.ReadMemStats(&after)
		calls++
		if e != ErrnoSuccess {
			t.Fatalf("fd_readdir: errno %d", e)
		}
		maxAlloc = max(maxAlloc, after.TotalAlloc-before.TotalAlloc)
		used := le.Uint32(g.c.mem[resPtr:])
		for off := uint32(0); off+sizeDirent <= used; {
			next := le.Uint64(g.c.mem[buf+off:])
			nameLen := le.Uint32(g.c.mem[buf+off+16:])
			if off+sizeDirent+nameLen > used {
				break // truncated: read again from cookie
			}
			name := string(g.c.mem[buf+off+sizeDirent : buf+off+sizeDirent+nameLen])
			if seen[name] {
				t.Fatalf("entry %q listed twice", name)
			}
			seen[name] = true
			cookie = next
			off += sizeDirent + nameLen
		}
		if used < bufLen {
			break
		}
	}
	if len(seen) != files+2 || !seen["."] || !seen[".."] {
		t.Errorf("listed %d entries in %d calls, want %d and . and ..", len(seen), calls, files+2)
	}
	if maxAlloc > 32<<10 {
		t.Errorf("one fd_readdir call allocated up to %d bytes on the host for a %d-entry directory", maxAlloc, files)
	}
}
