package compiler

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/wasmaot/wasmaot/backend/llvm"
	"github.com/wasmaot/wasmaot/compiler/wat"
)

// TestCacheKey checks that everything that determines an object is in
// its cache key, and nothing else.
func TestCacheKey(t *testing.T) {
	bin := []byte("\x00asm\x01\x00\x00\x00")
	base := Options{Target: "amd64", Backend: "llvm", OptLevel: 2}
	key := CacheKey(bin, base)
	if CacheKey(bin, Options{Target: "amd64", OptLevel: 2}) != CacheKey(bin, Options{Target: "amd64", Backend: DefaultBackendFor("amd64"), OptLevel: 2}) {
		t.Error("the default back end is not filled in before hashing")
	}
	if CacheKey(bin, Options{Target: "amd64", Backend: "llvm", OptLevel: 2, Jobs: 7}) != key {
		t.Error("Jobs changes the key, but not the object")
	}
	for name, o := range map[string]Options{
		"target":  {Target: "arm64", Backend: "llvm", OptLevel: 2},
		"backend": {Target: "amd64", Backend: "native", OptLevel: 2},
		"level":   {Target: "amd64", Backend: "llvm", OptLevel: 1},
	} {
		if CacheKey(bin, o) == key {
			t.Errorf("%s does not change the key", name)
		}
	}
	if CacheKey(append(bin, 0), base) == key {
		t.Error("the module does not change the key")
	}
}

// TestCacheCompile checks that Cache.Compile stores what it compiles and
// returns the stored object the next time.
func TestCacheCompile(t *testing.T) {
	if _, err := llvm.FindTools(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	bin, err := wat.Parse([]byte(`(module (func (export "f") (result i32) i32.const 1))`))
	if err != nil {
		t.Fatal(err)
	}
	c := Cache{Dir: t.TempDir()}
	opts := Options{OptLevel: 1}
	obj, err := c.Compile(context.Background(), bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := os.ReadFile(c.Path(bin, opts))
	if err != nil || !bytes.Equal(stored, obj) {
		t.Fatalf("the object was not stored (%v)", err)
	}
	// A marker in the cache file must come back: the second call is a hit.
	if err := os.WriteFile(c.Path(bin, opts), []byte("marker"), 0o600); err != nil {
		t.Fatal(err)
	}
	if again, err := c.Compile(context.Background(), bin, opts); err != nil || string(again) != "marker" {
		t.Errorf("second compile: %q, %v; want the cached bytes", again, err)
	}
	if (Cache{}).Path(bin, opts) != "" {
		t.Error("the zero Cache has a path")
	}
}

func TestDefaultBackendFor(t *testing.T) {
	for target, want := range map[string]string{"amd64": "native", "x86_64": "native", "arm64": "native", "aarch64": "native"} {
		if got := DefaultBackendFor(target); got != want {
			t.Errorf("DefaultBackendFor(%q) = %q, want %q", target, got, want)
		}
	}
}
