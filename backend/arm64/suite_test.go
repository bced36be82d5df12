package arm64_test

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmaot/wasmaot/backend"
	"github.com/wasmaot/wasmaot/compiler"
	"github.com/wasmaot/wasmaot/compiler/wasm"
	"github.com/wasmaot/wasmaot/compiler/wast"
	"github.com/wasmaot/wasmaot/compiler/wat"
)

// suiteDir is the WebAssembly 2.0 spec suite (see Makefile SUITE);
// WASMAOT_SPEC_SUITE overrides it (for a checkout elsewhere).
var suiteDir = func() string {
	if d := os.Getenv("WASMAOT_SPEC_SUITE"); d != "" {
		return d
	}
	return "../../../shared/testsuite/wasm-2.0"
}()

// compileEngine compiles every module a script instantiates for arm64
// with the native back end, keeps the objects, and runs nothing.
type compileEngine struct {
	mu       sync.Mutex
	objects  map[string][]byte // by module hash, deduplicated
	failures []string
}

var errNotRun = errors.New("compiled only")

func (e *compileEngine) Instantiate(ctx context.Context, m *wasm.Module, bin []byte, _ func(string, string) (wast.Extern, bool)) (wast.Instance, error) {
	obj, err := compiler.CompileContext(ctx, bin, compiler.Options{Backend: "native", Target: "arm64", OptLevel: 2})
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.failures = append(e.failures, err.Error())
	} else {
		e.objects[string(bin)] = obj
	}
	return notRun{}, nil
}

// notRun stands in for an instance of a module that was only compiled,
// so that the script goes on to its next modules.
type notRun struct{}

func (notRun) Call(context.Context, string, []wast.Value) ([]wast.Value, error) {
	return nil, errNotRun
}
func (notRun) Global(string) (wast.Value, error) { return wast.Value{}, errNotRun }
func (notRun) Export(string) (wast.Extern, bool) { return notRun{}, true }

// suiteObjects compiles the modules of every script of the suite.
func suiteObjects(t *testing.T) *compileEngine {
	t.Helper()
	scripts, _ := filepath.Glob(filepath.Join(suiteDir, "*.wast"))
	if len(scripts) == 0 {
		t.Skipf("the spec suite is not at %s, so there are no modules to compile", suiteDir)
	}
	e := &compileEngine{objects: map[string][]byte{}}
	for _, s := range scripts {
		if _, err := wast.RunFile(context.Background(), s, e, wast.Options{}); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return e
}

// TestSuiteReservedRegisters disassembles every object the native back
// end produces for the spec suite and requires that no instruction reads
// or writes x18 or x28.
func TestSuiteReservedRegisters(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: compiling the whole spec suite")
	}
	e := suiteObjects(t)
	insts := 0
	for _, obj := range e.objects {
		n, err := backend.CheckReservedRegisters(obj)
		if err != nil {
			t.Fatal(err)
		}
		insts += n
	}
	t.Logf("%d distinct objects, %d instructions checked", len(e.objects), insts)
	for _, f := range e.failures {
		t.Errorf("a module did not compile: %s", f)
	}
}

// TestReservedRegistersNegative is the check's negative control: the same
// check must reject an object from the suite once one instruction of a
// function is replaced by a write of x18, and then of x28.
func TestReservedRegistersNegative(t *testing.T) {
	obj, err := compiler.Compile(fac, compiler.Options{Backend: "native", Target: "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backend.CheckReservedRegisters(obj); err != nil {
		t.Fatalf("clean object rejected: %v", err)
	}
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := f.Symbols()
	text := f.Section(".text")
	var at uint64
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "wasm_func_") {
			at = text.Offset + s.Value + 4
		}
	}
	if at == 0 {
		t.Fatal("no function symbol")
	}
	for _, w := range []uint32{
		0xAA0003F2, // mov x18, x0
		0xAA1C03E0, // mov x0, x28
		0xF9400380, // ldr x0, [x28]
	} {
		bad := bytes.Clone(obj)
		binary.LittleEndian.PutUint32(bad[at:], w)
		if _, err := backend.CheckReservedRegisters(bad); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("%08x planted in a function: check says %v", w, err)
		}
	}
}

// fac is a small module with a loop, a call and memory.
var fac = func() []byte {
	b, err := wat.Parse([]byte(`(module (memory 1)
	  (func $fac (export "fac") (param i64) (result i64)
	    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
	      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
	  (func (export "sum") (param i32) (result i32) (local i32)
	    (loop $l (local.set 1 (i32.add (local.get 1) (i32.load8_u (local.get 0))))
	      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
	    (local.get 1)))`))
	if err != nil {
		panic(err)
	}
	return b
}()
