package p2

import (
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// wasi:filesystem. A descriptor is a file or a directory; a directory
// carries the os.Root that confines every path resolved in it, exactly as
// a preview1 directory descriptor does (wasi.Resolve is the same code).

// descriptor-flags bits.
const (
	flagRead            = 1 << 0
	flagWrite           = 1 << 1
	flagFileIntegrity   = 1 << 2
	flagDataIntegrity   = 1 << 3
	flagRequestedSync   = 1 << 4
	flagMutateDirectory = 1 << 5
)

// open-flags bits.
const (
	openCreate    = 1 << 0
	openDirectory = 1 << 1
	openExclusive = 1 << 2
	openTruncate  = 1 << 3
)

const pathSymlinkFollow = 1

// descriptor-type values.
const (
	typeUnknown         = 0
	typeBlockDevice     = 1
	typeCharacterDevice = 2
	typeDirectory       = 3
	typeFifo            = 4
	typeSymbolicLink    = 5
	typeRegularFile     = 6
	typeSocket          = 7
)

type descriptor struct {
	file     *os.File
	root     *os.Root // directories
	typ      uint8
	flags    uint8 // descriptor-flags it was opened with
	readOnly bool  // beneath a read-only preopen: every mutation answers read-only
	preopen  bool  // owned by the Host, not by a handle
}

// openDir opens a host directory as a directory descriptor.
func openDir(path string, readOnly bool) (*descriptor, error) {
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	return dirDescriptor(root, readOnly, true)
}

func dirDescriptor(root *os.Root, readOnly, preopen bool) (*descriptor, error) {
	f, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	d := &descriptor{file: f, root: root, typ: typeDirectory, flags: flagRead | flagMutateDirectory, readOnly: readOnly, preopen: preopen}
	if readOnly {
		d.flags = flagRead
	}
	return d, nil
}

func (d *descriptor) fd() int { return int(d.file.Fd()) }

func (d *descriptor) close() error {
	if d.preopen {
		return nil // closed by Host.Close
	}
	return d.forceClose()
}

func (d *descriptor) forceClose() error {
	err := d.file.Close()
	if d.root != nil {
		if rerr := d.root.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// dir returns d if it is a directory that may be used for lookups.
func (d *descriptor) dir() wasi.Errno {
	if d.root == nil {
		return wasi.ErrnoNotdir
	}
	return wasi.ErrnoSuccess
}

// mutable checks that paths under directory d may be changed.
func (d *descriptor) mutable() wasi.Errno {
	if errno := d.dir(); errno != wasi.ErrnoSuccess {
		return errno
	}
	if d.readOnly || d.flags&flagMutateDirectory == 0 {
		return wasi.ErrnoRofs
	}
	return wasi.ErrnoSuccess
}

func (d *descriptor) resolve(path string) (wasi.Resolved, wasi.Errno) {
	if errno := d.dir(); errno != wasi.ErrnoSuccess {
		return wasi.Resolved{}, errno
	}
	return wasi.Resolve(d.root, d.fd(), path)
}

func typeOf(mode uint32) uint8 {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return typeRegularFile
	case unix.S_IFDIR:
		return typeDirectory
	case unix.S_IFLNK:
		return typeSymbolicLink
	case unix.S_IFCHR:
		return typeCharacterDevice
	case unix.S_IFBLK:
		return typeBlockDevice
	case unix.S_IFIFO:
		return typeFifo
	case unix.S_IFSOCK:
		return typeSocket
	}
	return typeUnknown
}

// openAt implements descriptor.open-at with preview1's rules: the host
// open mode follows the requested flags, the last component is opened
// without following links unless asked, and a directory gets its own
// root.
func (d *descriptor) openAt(pathFlags uint32, path string, oflags, dflags uint8) (*descriptor, wasi.Errno) {
	if errno := d.dir(); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	if errno := wasi.CheckPath(path); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	if oflags&openDirectory != 0 {
		dflags &^= flagWrite // as in preview1, a directory is never opened for writing
	}
	writing := dflags&flagWrite != 0
	if (d.readOnly || d.flags&flagMutateDirectory == 0) && (writing || oflags&(openCreate|openTruncate) != 0) {
		return nil, wasi.ErrnoRofs
	}
	flags := syscall.O_CLOEXEC
	switch {
	case writing && dflags&flagRead != 0:
		flags |= syscall.O_RDWR
	case writing:
		flags |= syscall.O_WRONLY
	}
	for _, f := range [...]struct {
		p2   uint8
		host int
	}{{openCreate, syscall.O_CREAT}, {openExclusive, syscall.O_EXCL}, {openTruncate, syscall.O_TRUNC}, {openDirectory, syscall.O_DIRECTORY}} {
		if oflags&f.p2 != 0 {
			flags |= f.host
		}
	}
	if dflags&flagFileIntegrity != 0 {
		flags |= syscall.O_SYNC
	}
	if dflags&flagDataIntegrity != 0 {
		flags |= syscall.O_DSYNC
	}
	if strings.HasSuffix(path, "/") {
		flags |= syscall.O_DIRECTORY
	}
	var f *os.File
	if pathFlags&pathSymlinkFollow != 0 {
		var err error
		if f, err = d.root.OpenFile(path, flags, 0o666); err != nil {
			return nil, wasi.ErrnoOf(err)
		}
	} else {
		t, errno := d.resolve(path)
		if errno != wasi.ErrnoSuccess {
			return nil, errno
		}
		hfd, err := unix.Openat(t.Dirfd(), t.Base(), flags|syscall.O_NOFOLLOW, 0o666)
		t.Release()
		if err != nil {
			return nil, wasi.ErrnoOf(err)
		}
		f = os.NewFile(uintptr(hfd), path)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, wasi.ErrnoOf(err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		f.Close()
		if writing {
			return nil, wasi.ErrnoIsdir
		}
		root, err := d.root.OpenRoot(strings.TrimRight(path, "/"))
		if err != nil {
			return nil, wasi.ErrnoOf(err)
		}
		nd, err := dirDescriptor(root, d.readOnly, false)
		if err != nil {
			return nil, wasi.ErrnoOf(err)
		}
		// Like wasmtime, a directory inherits its parent's permission to
		// change what is beneath it, whatever flags the open asked for.
		nd.flags = flagRead | d.flags&flagMutateDirectory
		return nd, wasi.ErrnoSuccess
	}
	if dflags&(flagRead|flagWrite) == 0 {
		dflags |= flagRead
	}
	return &descriptor{file: f, typ: typeOf(st.Mode), flags: dflags &^ flagMutateDirectory, readOnly: d.readOnly}, wasi.ErrnoSuccess
}

// futimens sets the times of an open file (utimensat with a NULL path).
func futimens(fd int, ts []unix.Timespec) error {
	_, _, en := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0)
	if en != 0 {
		return en
	}
	return nil
}

// newTimestamp decodes a flattened new-timestamp variant: 0 no-change,
// 1 now, 2 timestamp(seconds, nanoseconds).
func newTimestamp(disc uint32, sec uint64, nsec uint32) (unix.Timespec, wasi.Errno) {
	switch disc {
	case 0:
		return unix.Timespec{Nsec: unix.UTIME_OMIT}, wasi.ErrnoSuccess
	case 1:
		return unix.Timespec{Nsec: unix.UTIME_NOW}, wasi.ErrnoSuccess
	case 2:
		if nsec >= 1e9 {
			return unix.Timespec{}, wasi.ErrnoInval
		}
		return unix.Timespec{Sec: int64(sec), Nsec: int64(nsec)}, wasi.ErrnoSuccess
	}
	return unix.Timespec{}, wasi.ErrnoInval
}

// toTime converts a timespec for os.Root.Chtimes (zero: leave alone).
func toTime(t unix.Timespec) time.Time {
	switch t.Nsec {
	case unix.UTIME_OMIT:
		return time.Time{}
	case unix.UTIME_NOW:
		return time.Now()
	}
	return time.Unix(t.Unix())
}

// dirEntry is one entry of a directory-entry-stream.
type dirEntry struct {
	typ  uint8
	name string
}

type dirStream struct {
	entries []dirEntry
	next    int
}

// readDirectory snapshots directory d (without "." and "..", as WASI 0.2
// specifies).
func (d *descriptor) readDirectory() (*dirStream, wasi.Errno) {
	if errno := d.dir(); errno != wasi.ErrnoSuccess {
		return nil, errno
	}
	f, err := d.root.Open(".")
	if err != nil {
		return nil, wasi.ErrnoOf(err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, wasi.ErrnoOf(err)
	}
	s := &dirStream{}
	for _, n := range names {
		var st unix.Stat_t
		typ := uint8(typeUnknown)
		if unix.Fstatat(int(f.Fd()), n, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			typ = typeOf(st.Mode)
		}
		s.entries = append(s.entries, dirEntry{typ, n})
	}
	return s, wasi.ErrnoSuccess
}

// errorCode maps an errno to WASI 0.2's filesystem error-code. WASI 0.2
// has no "not capable": a path refused for leaving its directory answers
// not-permitted.
func errorCode(e wasi.Errno) uint8 {
	if c, ok := errorCodes[e]; ok {
		return c
	}
	return 13 // io
}

var errorCodes = map[wasi.Errno]uint8{
	wasi.ErrnoAcces: 0, wasi.ErrnoAgain: 1, wasi.ErrnoAlready: 2, wasi.ErrnoBadf: 3, wasi.ErrnoBusy: 4,
	wasi.ErrnoDeadlk: 5, wasi.ErrnoDquot: 6, wasi.ErrnoExist: 7, wasi.ErrnoFbig: 8, wasi.ErrnoIlseq: 9,
	wasi.ErrnoInprogress: 10, wasi.ErrnoIntr: 11, wasi.ErrnoInval: 12, wasi.ErrnoIo: 13, wasi.ErrnoIsdir: 14,
	wasi.ErrnoLoop: 15, wasi.ErrnoMlink: 16, wasi.ErrnoMsgsize: 17, wasi.ErrnoNametoolong: 18, wasi.ErrnoNodev: 19,
	wasi.ErrnoNoent: 20, wasi.ErrnoNolck: 21, wasi.ErrnoNomem: 22, wasi.ErrnoNospc: 23, wasi.ErrnoNotdir: 24,
	wasi.ErrnoNotempty: 25, wasi.ErrnoNotrecoverable: 26, wasi.ErrnoNotsup: 27, wasi.ErrnoNotty: 28, wasi.ErrnoNxio: 29,
	wasi.ErrnoOverflow: 30, wasi.ErrnoPerm: 31, wasi.ErrnoNotcapable: 31, wasi.ErrnoPipe: 32, wasi.ErrnoRofs: 33,
	wasi.ErrnoSpipe: 34, wasi.ErrnoTxtbsy: 35, wasi.ErrnoXdev: 36,
}
