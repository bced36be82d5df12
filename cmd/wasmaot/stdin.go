package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// guestStdin returns what the guest reads as descriptor 0. When the host's
// stdin is a pipe or a terminal it is reopened through /proc/self/fd/0 as
// a new, non-blocking open file description: Go's poller then supports
// read deadlines on it, which is how a guest blocked reading stdin still
// ends at --timeout or Ctrl-C. The new description is private to this
// process, so the shell's terminal or the pipe's other users never see
// O_NONBLOCK. Regular files never block, and anything that cannot be
// reopened is used as it is.
func guestStdin() io.Reader {
	var st unix.Stat_t
	if err := unix.Fstat(0, &st); err != nil {
		return os.Stdin
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO, unix.S_IFCHR:
	default:
		return os.Stdin
	}
	f, err := os.OpenFile("/proc/self/fd/0", os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.Stdin
	}
	return f
}
