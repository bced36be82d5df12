package wasi_test

import (
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
