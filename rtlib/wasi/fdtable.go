package wasi

import (
	"io"
	"net"
	"os"
	"syscall"
)

// fdKind says what a descriptor refers to.
type fdKind uint8

const (
	kindStream   fdKind = iota // stdio: an io.Reader or io.Writer
	kindFile                   // a regular file (or other non-directory)
	kindDir                    // a directory, with the os.Root that confines paths under it
	kindListener               // a listening socket granted by the embedder
	kindConn                   // a connection accepted from a listener
)

// fdEntry is one open descriptor.
type fdEntry struct {
	kind     fdKind
	filetype uint8
	flags    uint16 // fdflags
	base     Rights
	inherit  Rights
	readOnly bool // opened through a read-only preopen: mutation answers ErrnoRofs
	fifo     bool // kindFile: a FIFO, whose host descriptor stays non-blocking

	r io.Reader // kindStream
	w io.Writer // kindStream

	file *os.File // kindFile, kindDir
	root *os.Root // kindDir

	preopen string // kindDir: the guest path if this is a preopen

	ln   net.Listener // kindListener
	conn net.Conn     // kindConn
}

func newStream(r io.Reader, w io.Writer) *fdEntry {
	e := &fdEntry{kind: kindStream, filetype: filetypeCharacterDevice, r: r, w: w}
	e.base = streamRights &^ (RightFdRead | RightFdWrite)
	if r != nil {
		e.base |= RightFdRead
	}
	if w != nil {
		e.base |= RightFdWrite
	}
	return e
}

// newDir wraps a directory root; it opens "." to have a descriptor for
// fd_readdir, fd_filestat_get and the *at calls.
func newDir(root *os.Root, readOnly bool) (*fdEntry, error) {
	f, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	return &fdEntry{
		kind: kindDir, filetype: filetypeDirectory,
		base: dirRights, inherit: dirRights | fileRights,
		readOnly: readOnly, file: f, root: root,
	}, nil
}

func newFile(f *os.File, filetype uint8, rights Rights, flags uint16, readOnly bool) *fdEntry {
	return &fdEntry{kind: kindFile, filetype: filetype, file: f, base: rights, flags: flags, readOnly: readOnly}
}

func newListener(l net.Listener) *fdEntry {
	return &fdEntry{kind: kindListener, filetype: filetypeSocketStream, ln: l,
		base: RightSockAccept | RightFdFdstatSetFlags | RightFdFilestatGet | RightPollFdReadwrite}
}

func newConn(c net.Conn, flags uint16) *fdEntry {
	return &fdEntry{kind: kindConn, filetype: filetypeSocketStream, conn: c, base: sockRights &^ RightSockAccept, flags: flags}
}

func (e *fdEntry) close() error {
	switch e.kind {
	case kindFile:
		return e.file.Close()
	case kindDir:
		err := e.file.Close()
		if rerr := e.root.Close(); err == nil {
			err = rerr
		}
		return err
	case kindListener:
		return e.ln.Close()
	case kindConn:
		return e.conn.Close()
	}
	return nil
}

// hostFd is the host descriptor of a file or directory entry.
func (e *fdEntry) hostFd() int { return int(e.file.Fd()) }

// fdTable maps guest descriptor numbers to entries; nil slots are free.
type fdTable struct {
	entries []*fdEntry
}

// add stores e in the lowest free slot and returns its number.
func (t *fdTable) add(e *fdEntry) uint32 {
	for i, x := range t.entries {
		if x == nil {
			t.entries[i] = e
			return uint32(i)
		}
	}
	t.entries = append(t.entries, e)
	return uint32(len(t.entries) - 1)
}

func (t *fdTable) lookup(fd uint32) *fdEntry {
	if uint64(fd) < uint64(len(t.entries)) {
		return t.entries[fd]
	}
	return nil
}

// get returns the entry for fd if it holds every right in need. Missing
// read or write rights answer ErrnoBadf (as POSIX does for a descriptor
// not opened for it); other missing rights answer ErrnoNotcapable.
func (t *fdTable) get(fd uint32, need Rights) (*fdEntry, Errno) {
	e := t.lookup(fd)
	if e == nil {
		return nil, ErrnoBadf
	}
	if missing := need &^ e.base; missing != 0 {
		if missing&(RightFdRead|RightFdWrite) != 0 {
			return nil, ErrnoBadf
		}
		return nil, ErrnoNotcapable
	}
	return e, ErrnoSuccess
}

// file returns the entry for fd with the rights in need, for a call that
// reads, writes or seeks: a directory answers ErrnoBadf (it has no byte
// stream or offset) whatever its rights.
func (t *fdTable) file(fd uint32, need Rights) (*fdEntry, Errno) {
	if e := t.lookup(fd); e != nil && e.kind == kindDir {
		return nil, ErrnoBadf
	}
	return t.get(fd, need)
}

// dir returns the directory entry for fd with the rights in need;
// ErrnoNotdir if fd is not a directory.
func (t *fdTable) dir(fd uint32, need Rights) (*fdEntry, Errno) {
	e := t.lookup(fd)
	if e == nil {
		return nil, ErrnoBadf
	}
	if e.kind != kindDir {
		return nil, ErrnoNotdir
	}
	return t.get(fd, need)
}

// filetypeOf maps a host file mode to a WASI filetype.
func filetypeOf(mode uint32) uint8 {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return filetypeRegularFile
	case syscall.S_IFDIR:
		return filetypeDirectory
	case syscall.S_IFLNK:
		return filetypeSymbolicLink
	case syscall.S_IFCHR:
		return filetypeCharacterDevice
	case syscall.S_IFBLK:
		return filetypeBlockDevice
	case syscall.S_IFSOCK:
		return filetypeSocketStream
	}
	return filetypeUnknown
}
