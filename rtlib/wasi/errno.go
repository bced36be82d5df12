package wasi

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
)

// hostErrnos maps host errno values to their WASI equivalents.
var hostErrnos = map[syscall.Errno]Errno{
	syscall.E2BIG:           Errno2big,
	syscall.EACCES:          ErrnoAcces,
	syscall.EADDRINUSE:      ErrnoAddrinuse,
	syscall.EADDRNOTAVAIL:   ErrnoAddrnotavail,
	syscall.EAFNOSUPPORT:    ErrnoAfnosupport,
	syscall.EAGAIN:          ErrnoAgain,
	syscall.EALREADY:        ErrnoAlready,
	syscall.EBADF:           ErrnoBadf,
	syscall.EBADMSG:         ErrnoBadmsg,
	syscall.EBUSY:           ErrnoBusy,
	syscall.ECANCELED:       ErrnoCanceled,
	syscall.ECHILD:          ErrnoChild,
	syscall.ECONNABORTED:    ErrnoConnaborted,
	syscall.ECONNREFUSED:    ErrnoConnrefused,
	syscall.ECONNRESET:      ErrnoConnreset,
	syscall.EDEADLK:         ErrnoDeadlk,
	syscall.EDESTADDRREQ:    ErrnoDestaddrreq,
	syscall.EDOM:            ErrnoDom,
	syscall.EDQUOT:          ErrnoDquot,
	syscall.EEXIST:          ErrnoExist,
	syscall.EFAULT:          ErrnoFault,
	syscall.EFBIG:           ErrnoFbig,
	syscall.EHOSTUNREACH:    ErrnoHostunreach,
	syscall.EIDRM:           ErrnoIdrm,
	syscall.EILSEQ:          ErrnoIlseq,
	syscall.EINPROGRESS:     ErrnoInprogress,
	syscall.EINTR:           ErrnoIntr,
	syscall.EINVAL:          ErrnoInval,
	syscall.EIO:             ErrnoIo,
	syscall.EISCONN:         ErrnoIsconn,
	syscall.EISDIR:          ErrnoIsdir,
	syscall.ELOOP:           ErrnoLoop,
	syscall.EMFILE:          ErrnoMfile,
	syscall.EMLINK:          ErrnoMlink,
	syscall.EMSGSIZE:        ErrnoMsgsize,
	syscall.EMULTIHOP:       ErrnoMultihop,
	syscall.ENAMETOOLONG:    ErrnoNametoolong,
	syscall.ENETDOWN:        ErrnoNetdown,
	syscall.ENETRESET:       ErrnoNetreset,
	syscall.ENETUNREACH:     ErrnoNetunreach,
	syscall.ENFILE:          ErrnoNfile,
	syscall.ENOBUFS:         ErrnoNobufs,
	syscall.ENODEV:          ErrnoNodev,
	syscall.ENOENT:          ErrnoNoent,
	syscall.ENOEXEC:         ErrnoNoexec,
	syscall.ENOLCK:          ErrnoNolck,
	syscall.ENOLINK:         ErrnoNolink,
	syscall.ENOMEM:          ErrnoNomem,
	syscall.ENOMSG:          ErrnoNomsg,
	syscall.ENOPROTOOPT:     ErrnoNoprotoopt,
	syscall.ENOSPC:          ErrnoNospc,
	syscall.ENOSYS:          ErrnoNosys,
	syscall.ENOTCONN:        ErrnoNotconn,
	syscall.ENOTDIR:         ErrnoNotdir,
	syscall.ENOTEMPTY:       ErrnoNotempty,
	syscall.ENOTRECOVERABLE: ErrnoNotrecoverable,
	syscall.ENOTSOCK:        ErrnoNotsock,
	syscall.ENOTSUP:         ErrnoNotsup,
	syscall.ENOTTY:          ErrnoNotty,
	syscall.ENXIO:           ErrnoNxio,
	syscall.EOVERFLOW:       ErrnoOverflow,
	syscall.EOWNERDEAD:      ErrnoOwnerdead,
	syscall.EPERM:           ErrnoPerm,
	syscall.EPIPE:           ErrnoPipe,
	syscall.EPROTO:          ErrnoProto,
	syscall.EPROTONOSUPPORT: ErrnoProtonosupport,
	syscall.EPROTOTYPE:      ErrnoPrototype,
	syscall.ERANGE:          ErrnoRange,
	syscall.EROFS:           ErrnoRofs,
	syscall.ESPIPE:          ErrnoSpipe,
	syscall.ESRCH:           ErrnoSrch,
	syscall.ESTALE:          ErrnoStale,
	syscall.ETIMEDOUT:       ErrnoTimedout,
	syscall.ETXTBSY:         ErrnoTxtbsy,
	syscall.EXDEV:           ErrnoXdev,
}

// errnoOf translates a host error into a WASI errno. An os.Root refusal
// to follow a path out of its directory becomes ErrnoNotcapable; errors
// with no errno behind them become ErrnoIo.
func errnoOf(err error) Errno {
	if err == nil {
		return ErrnoSuccess
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		if e, ok := hostErrnos[en]; ok {
			return e
		}
		return ErrnoIo
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
		return ErrnoNotcapable
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return ErrnoAgain
	case errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrClosed):
		return ErrnoBadf
	case errors.Is(err, io.ErrClosedPipe):
		return ErrnoPipe
	case errors.Is(err, fs.ErrNotExist):
		return ErrnoNoent
	case errors.Is(err, fs.ErrExist):
		return ErrnoExist
	case errors.Is(err, fs.ErrPermission):
		return ErrnoPerm
	}
	return ErrnoIo
}
