package wasi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// TestCExtract runs a naive archive extractor on a benign archive and on
// a hostile one (the ZipSlip case): every hostile entry that would land
// outside /out must fail, and nothing outside may change.
func TestCExtract(t *testing.T) {
	wasm := cProgram(t, "extract")
	for _, eng := range engines {
		t.Run(eng.Name()+"/benign", func(t *testing.T) {
			out := t.TempDir()
			archive := "D dir\nF dir/a 5\nhelloF top 3\nabcL dir/link a\n"
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"extract"},
				Stdin:    strings.NewReader(archive),
				Preopens: []wasi.Preopen{{HostPath: out, GuestPath: "/out"}},
			}, time.Minute)
			expect(t, res, 0, "ok D dir\nok F dir/a\nok F top\nok L dir/link\n", "")
			if got := snapshot(t, out); !strings.Contains(got, "dir/a = hello") || !strings.Contains(got, "dir/link -> a") || !strings.Contains(got, "top = abc") {
				t.Errorf("extracted tree:\n%s", got)
			}
		})
		t.Run(eng.Name()+"/hostile", func(t *testing.T) {
			root := t.TempDir()
			out, victim := filepath.Join(root, "out"), filepath.Join(root, "victim")
			os.Mkdir(out, 0o755)
			os.Mkdir(victim, 0o755)
			os.WriteFile(filepath.Join(victim, "target"), []byte("precious"), 0o644)
			before := snapshot(t, victim)
			archive := "F ../evil1 4\nevil" +
				"F sub/../../evil2 4\nevil" +
				"D ../evil_dir\n" +
				"L up ..\n" +
				"F up/evil3 4\nevil" +
				"L hostabs " + victim + "\n" +
				"L victimlink ../victim\n" +
				"F victimlink/pwned 4\nevil" +
				"L file_link ../victim/target\n" +
				"F file_link 4\nevil" +
				"F /abs_evil 4\nevil"
			res := runProgram(t, eng, wasm, wasi.Config{
				Args:     []string{"extract"},
				Stdin:    strings.NewReader(archive),
				Preopens: []wasi.Preopen{{HostPath: out, GuestPath: "/out"}},
			}, time.Minute)
			expect(t, res, 7, golden(t, "c/extract-hostile.out"), "")
			if got := snapshot(t, victim); got != before {
				t.Errorf("victim directory changed:\n%s", got)
			}
			entries, _ := os.ReadDir(root)
			if len(entries) != 2 {
				t.Errorf("files appeared next to the preopen: %v", entries)
			}
			// An absolute entry name lands inside the preopen.
			if b, err := os.ReadFile(filepath.Join(out, "abs_evil")); err != nil || string(b) != "evil" {
				t.Errorf("out/abs_evil = %q, %v", b, err)
			}
		})
	}
}
