package wasi

import (
	"context"
	"syscall"

	"golang.org/x/sys/unix"
)

// dirent is one directory entry of an fd_readdir snapshot.
type dirent struct {
	ino      uint64
	filetype uint8
	name     string
}

// fdReaddir implements fd_readdir. Cookie 0 takes a fresh snapshot of the
// directory ("." and ".." included, in host order); cookie k resumes at
// the k-th entry of the snapshot, and each entry's d_next is its index
// plus one. The last entry is truncated when the buffer is full, as the
// spec prescribes.
func (w *WASI) fdReaddir(_ context.Context, m memory, a []uint64) Errno {
	e, errno := w.fds.dir(uint32(a[0]), RightFdReaddir)
	if errno != ErrnoSuccess {
		return errno
	}
	buf, errno := m.slice(uint32(a[1]), uint32(a[2]))
	if errno != ErrnoSuccess {
		return errno
	}
	cookie := a[3]
	if _, errno := m.slice(uint32(a[4]), 4); errno != ErrnoSuccess {
		return errno
	}
	if cookie == 0 || e.dirents == nil {
		ents, err := readDirents(e.hostFd())
		if err != nil {
			return errnoOf(err)
		}
		e.dirents = ents
	}
	used := 0
	for i := cookie; i < uint64(len(e.dirents)) && used < len(buf); i++ {
		d := e.dirents[i]
		var rec [sizeDirent]byte
		le.PutUint64(rec[0:], i+1)
		le.PutUint64(rec[8:], d.ino)
		le.PutUint32(rec[16:], uint32(len(d.name)))
		rec[20] = d.filetype
		used += copy(buf[used:], rec[:])
		used += copy(buf[used:], d.name)
	}
	return m.writeU32(uint32(a[4]), uint32(used))
}

// readDirents reads a whole directory from its start with getdents64.
func readDirents(fd int) ([]dirent, error) {
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		return nil, err
	}
	var ents []dirent
	buf := make([]byte, 8192)
	for {
		n, err := retryEINTR(func() (int, error) { return unix.Getdents(fd, buf) })
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return ents, nil
		}
		// linux_dirent64: ino u64 @0, off s64 @8, reclen u16 @16, type u8 @18, name @19.
		for off := 0; off+19 <= n; {
			reclen := int(le.Uint16(buf[off+16:]))
			if reclen == 0 || off+reclen > n {
				break
			}
			rec := buf[off : off+reclen]
			name := rec[19:]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			d := dirent{ino: le.Uint64(rec), name: string(name), filetype: direntType(rec[18])}
			if rec[18] == unix.DT_UNKNOWN {
				var st unix.Stat_t
				if unix.Fstatat(fd, d.name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
					d.filetype = filetypeOf(st.Mode)
				}
			}
			ents = append(ents, d)
			off += reclen
		}
	}
}

func direntType(t uint8) uint8 {
	switch t {
	case syscall.DT_REG:
		return filetypeRegularFile
	case syscall.DT_DIR:
		return filetypeDirectory
	case syscall.DT_LNK:
		return filetypeSymbolicLink
	case syscall.DT_CHR:
		return filetypeCharacterDevice
	case syscall.DT_BLK:
		return filetypeBlockDevice
	case syscall.DT_SOCK:
		return filetypeSocketStream
	}
	return filetypeUnknown
}
