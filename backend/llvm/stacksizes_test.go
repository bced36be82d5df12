package llvm

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestFrameSizes compiles a function with a large local array and a small
// one with llc -stack-size-section and reads their frame sizes back, on
// both targets.
func TestFrameSizes(t *testing.T) {
	tools, err := FindTools()
	if err != nil {
		t.Skipf("LLVM tools not found: %v", err)
	}
	const src = `
define void @small() {
  ret void
}
define void @big() {
  %a = alloca [100000 x i8], align 16
  %p = getelementptr [100000 x i8], [100000 x i8]* %a, i64 0, i64 0
  call void @sink(i8* %p)
  ret void
}
declare void @sink(i8*)
`
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			tgt, err := TargetFor(arch)
			if err != nil {
				t.Fatal(err)
			}
			obj := filepath.Join(t.TempDir(), "f.o")
			args := []string{"-O2", "-filetype=obj", "-stack-size-section", "-mtriple=" + tgt.Triple, "-", "-o", obj}
			if err := run(context.Background(), tools.Llc, args, []byte(src), nil); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(obj)
			if err != nil {
				t.Fatal(err)
			}
			sizes, err := frameSizes(data)
			if err != nil {
				t.Fatal(err)
			}
			if s := sizes["big"]; s < 100000 || s > 100100 {
				t.Errorf("big: frame %d bytes, want 100000 plus a little", s)
			}
			if s, ok := sizes["small"]; !ok || s > 16 {
				t.Errorf("small: frame %d (found %v), want at most 16", s, ok)
			}
		})
	}
}
