package wasi

import (
	"bytes"
	"context"
	"math"
	"syscall"

	"golang.org/x/sys/unix"
)

// direntBatch is the host buffer fd_readdir reads entries into: the
// host holds at most this much of a directory at a time, whatever the
// directory's size or the guest's buffer.
const direntBatch = 8 << 10

// fdReaddir implements fd_readdir by streaming the host directory: cookie
// 0 starts at the beginning, and every entry's d_next is the host's
// offset of the entry after it, so a cookie resumes there (with lseek),
// as telldir and seekdir do. "." and ".." are listed, in host order. The
// last entry is truncated when the buffer is full, as the spec
// prescribes; the guest re-reads it from the previous entry's d_next.
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
	if cookie > math.MaxInt64 {
		return ErrnoInval
	}
	fd := e.hostFd()
	if _, err := unix.Seek(fd, int64(cookie), 0); err != nil {
		return errnoOf(err)
	}
	host := make([]byte, direntBatch)
	used := 0
	for used < len(buf) {
		n, err := retryEINTR(func() (int, error) { return unix.Getdents(fd, host) })
		if err != nil {
			return errnoOf(err)
		}
		if n <= 0 {
			break
		}
		// linux_dirent64: ino u64 @0, off s64 @8, reclen u16 @16, type u8 @18, name @19.
		for off := 0; off+19 <= n && used < len(buf); {
			reclen := int(le.Uint16(host[off+16:]))
			if reclen == 0 || off+reclen > n {
				return ErrnoIo
			}
			rec := host[off : off+reclen]
			off += reclen
			name := rec[19:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			filetype := direntType(rec[18])
			if rec[18] == unix.DT_UNKNOWN {
				var st unix.Stat_t
				if unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
					filetype = filetypeOf(st.Mode)
				}
			}
			var d [sizeDirent]byte
			le.PutUint64(d[0:], le.Uint64(rec[8:]))
			le.PutUint64(d[8:], le.Uint64(rec))
			le.PutUint32(d[16:], uint32(len(name)))
			d[20] = filetype
			used += copy(buf[used:], d[:])
			used += copy(buf[used:], name)
		}
	}
	return m.writeU32(uint32(a[4]), uint32(used))
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
