package wasi_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/compiler/wat"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// watProgram reads testdata/wat/NAME.wat and returns it as a binary module.
func watProgram(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "wat", name+".wat"))
	if err != nil {
		t.Fatal(err)
	}
	bin, err := wat.Parse(src)
	if err != nil {
		t.Fatalf("%s.wat: %v", name, err)
	}
	return bin
}

// TestIsolation runs, on each engine and all at once in one process,
// guests that end in every way a guest can end: a C program that prints
// and returns 7, a guest that traps, one that calls proc_exit(3) and one
// that spins until its own deadline interrupts it. Every guest must end
// the way it alone asked for: a proc_exit, a trap or an interrupt ends
// only the instance it happens in, and the others still produce their
// exact output.
func TestIsolation(t *testing.T) {
	hello := cProgram(t, "hello")
	trap := watProgram(t, "trap")
	spin := watProgram(t, "spin")
	grow := watProgram(t, "grow")
	const rounds = 4
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			var wg sync.WaitGroup
			for i := range rounds {
				wg.Add(4)
				go func() {
					defer wg.Done()
					res := runProgram(t, eng, hello, wasi.Config{Args: []string{"hello"}}, time.Minute)
					if res.err != nil || res.exit != 7 || res.stdout != "argc=1\nargv[0]=hello\nenviron entries=0\nGREETING=(unset)\nHOME=(unset)\n" {
						t.Errorf("hello #%d: exit %d, err %v, stdout %q", i, res.exit, res.err, res.stdout)
					}
				}()
				go func() {
					defer wg.Done()
					res := runProgram(t, eng, trap, wasi.Config{}, time.Minute)
					if res.err == nil || res.stdout != "before the trap\n" {
						t.Errorf("trap #%d: err %v, stdout %q; want a trap after one line", i, res.err, res.stdout)
					}
				}()
				go func() {
					defer wg.Done()
					// grow's default memory limit lets both grows succeed
					// (bit 0 set, bit 1 clear): exit code 1.
					res := runProgram(t, eng, grow, wasi.Config{}, time.Minute)
					if res.err != nil || res.exit != 1 {
						t.Errorf("grow #%d: exit %d, err %v; want proc_exit(1)", i, res.exit, res.err)
					}
				}()
				go func() {
					defer wg.Done()
					res := runProgram(t, eng, spin, wasi.Config{}, 300*time.Millisecond)
					if !errors.Is(res.err, context.DeadlineExceeded) {
						t.Errorf("spin #%d: err %v; want the deadline to interrupt it", i, res.err)
					}
				}()
			}
			wg.Wait()
		})
	}
}
