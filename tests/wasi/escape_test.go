package wasi_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// snapshot lists every path under dir with its file content or link
// target, to check that a guest changed nothing there.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+target)
		case d.IsDir():
			lines = append(lines, rel+"/")
		default:
			b, _ := os.ReadFile(p)
			info, _ := d.Info()
			lines = append(lines, rel+" = "+string(b)+" "+info.ModTime().String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// escapeTree builds the host tree escape.c runs in: the three preopens
// next to an "outside" directory the guest must never reach.
func escapeTree(t *testing.T) (root string) {
	root = t.TempDir()
	for _, d := range []string{"outside", "sandbox/sub", "other", "ro/rsub"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{"outside/secret": "top secret", "sandbox/file": "inside", "sandbox/file2": "to move", "ro/data": "read only data"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"sandbox/abs_link": filepath.Join(root, "outside/secret"),
		"sandbox/rel_link": "../outside/secret",
		"sandbox/dir_link": "../outside",
		"sandbox/loop1":    "loop2",
		"sandbox/loop2":    "loop1",
		"sandbox/sub/up":   "..",
		"sandbox/sub/up2":  "../..",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCEscape(t *testing.T) {
	wasm := cProgram(t, "escape")
	want := golden(t, "c/escape.out")
	for _, eng := range engines {
		t.Run(eng.Name(), func(t *testing.T) {
			root := escapeTree(t)
			outside, ro := snapshot(t, filepath.Join(root, "outside")), snapshot(t, filepath.Join(root, "ro"))
			res := runProgram(t, eng, wasm, wasi.Config{
				Args: []string{"escape"},
				Preopens: []wasi.Preopen{
					{HostPath: filepath.Join(root, "sandbox"), GuestPath: "/sandbox"},
					{HostPath: filepath.Join(root, "other"), GuestPath: "/other"},
					{HostPath: filepath.Join(root, "ro"), GuestPath: "/ro", ReadOnly: true},
				},
			}, time.Minute)
			expect(t, res, 0, want, "")
			if got := snapshot(t, filepath.Join(root, "outside")); got != outside {
				t.Errorf("outside changed:\n%s\nwas:\n%s", got, outside)
			}
			if got := snapshot(t, filepath.Join(root, "ro")); got != ro {
				t.Errorf("read-only preopen changed:\n%s\nwas:\n%s", got, ro)
			}
			entries, _ := os.ReadDir(root)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if got := strings.Join(names, " "); got != "other outside ro sandbox" {
				t.Errorf("entries next to the preopens: %s", got)
			}
			if got := snapshot(t, filepath.Join(root, "other")); !strings.Contains(got, "moved = to move") {
				t.Errorf("rename across preopens did not land in /other:\n%s", got)
			}
			if _, err := os.Lstat(filepath.Join(root, "sandbox", "never")); err == nil {
				t.Error("path_open created a file although its result pointer was out of bounds")
			}
		})
	}
}
