package wasi_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

func TestGoProgram(t *testing.T) {
	wasm := goBuild(t, "./testdata/go/gofs", false)
	want := golden(t, "go/gofs.out")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"gofs", "x", "y"},
				Env:      []string{"GREETING=hello"},
				Stdin:    strings.NewReader("from stdin"),
				Preopens: []wasi.Preopen{{HostPath: t.TempDir(), GuestPath: "/sandbox"}},
			}, 2*time.Minute)
			expect(t, res, 3, want, "bye\n")
		})
	}
}

// TestGoSocket serves a connection from a Go program on a listener the
// host grants: sock_accept, reads and writes on the accepted socket, and
// poll_oneoff waiting on both.
func TestGoSocket(t *testing.T) {
	wasm := goBuild(t, "./testdata/go/echo", false)
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			replies := make(chan string, 1)
			go func() {
				conn, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					replies <- err.Error()
					return
				}
				defer conn.Close()
				r := bufio.NewReader(conn)
				var got []string
				for _, line := range []string{"hello\n", "sandbox\n"} {
					fmt.Fprint(conn, line)
					reply, _ := r.ReadString('\n')
					got = append(got, reply)
				}
				fmt.Fprint(conn, "quit\n")
				replies <- strings.Join(got, "")
			}()
			res := runProgram(t, eng, wasm, wasi.Config{Args: []string{"echo"}, Listeners: []net.Listener{l}}, 2*time.Minute)
			expect(t, res, 0, "served\n", "")
			if got := <-replies; got != "HELLO\nSANDBOX\n" {
				t.Errorf("client got %q", got)
			}
		})
	}
}
