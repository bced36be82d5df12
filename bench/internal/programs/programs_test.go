package programs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSuiteIsComplete(t *testing.T) {
	seen := map[string]bool{}
	var c, golang int
	for _, s := range Suite {
		if seen[s.Name] {
			t.Errorf("duplicate program %s", s.Name)
		}
		seen[s.Name] = true
		if len(s.Args) != 1 || s.About == "" {
			t.Errorf("%s: want one scale argument and a description", s.Name)
		}
		src := filepath.Join("..", "..", "programs", "c", s.Name+".c")
		if s.Go {
			golang++
			src = filepath.Join("..", "..", "programs", s.Name, "main.go")
		} else {
			c++
		}
		if _, err := os.Stat(src); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if c < 10 || golang < 1 {
		t.Errorf("suite has %d C and %d Go programs, want at least 10 and 1", c, golang)
	}
	if _, ok := Lookup("sieve"); !ok {
		t.Error("Lookup(sieve) failed")
	}
	if _, ok := Lookup("missing"); ok {
		t.Error("Lookup(missing) succeeded")
	}
}

func TestUpToDate(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.c")
	out := filepath.Join(dir, "a")
	if err := os.WriteFile(src, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if upToDate(out, src) {
		t.Error("a missing output is up to date")
	}
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(src)
	if err := os.Chtimes(out, info.ModTime(), info.ModTime().Add(1e9)); err != nil {
		t.Fatal(err)
	}
	if !upToDate(out, src) {
		t.Error("a newer output is not up to date")
	}
}
