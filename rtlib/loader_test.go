package rtlib

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/wasmaot/wasmaot/rtlib/abi"
)

// TestThreadHeader checks thread.h against the Go mirror of the thread state.
func TestThreadHeader(t *testing.T) {
	src, err := os.ReadFile("thread.h")
	if err != nil {
		t.Fatal(err)
	}
	var ts threadState
	want := map[string]uintptr{
		"TS_GOSP": unsafe.Offsetof(ts.goSP), "TS_GOFP": unsafe.Offsetof(ts.goFP),
		"TS_GOLR": unsafe.Offsetof(ts.goLR), "TS_NATIVESP": unsafe.Offsetof(ts.nativeSP),
		"TS_EXIT": unsafe.Offsetof(ts.exit), "TS_ARGS": unsafe.Offsetof(ts.args),
		"TS_RET": unsafe.Offsetof(ts.ret), "TS_CALLTRAMP": unsafe.Offsetof(ts.callTramp),
		"TS_CALLVMCTX": unsafe.Offsetof(ts.callVMCtx), "TS_CALLFN": unsafe.Offsetof(ts.callFn),
		"TS_CALLSLOTS": unsafe.Offsetof(ts.callSlots),
	}
	for _, m := range regexp.MustCompile(`#define (TS_\w+) (0x[0-9a-f]+)`).FindAllStringSubmatch(string(src), -1) {
		v, _ := strconv.ParseUint(m[2], 0, 64)
		if w, ok := want[m[1]]; !ok || uintptr(v) != w {
			t.Errorf("thread.h %s = %s, Go offset %#x", m[1], m[2], w)
		}
		delete(want, m[1])
	}
	for k := range want {
		t.Errorf("thread.h lacks %s", k)
	}
	if unsafe.Offsetof(ts.goSP) != abi.ThreadRuntime || unsafe.Offsetof(ts.stackLimit) != abi.ThreadStackLimit ||
		unsafe.Offsetof(ts.interrupt) != abi.ThreadInterrupt || unsafe.Offsetof(ts.fuel) != abi.ThreadFuel {
		t.Error("threadState does not match the abi.Thread* offsets")
	}
	if !strings.Contains(string(src), fmt.Sprintf("STACK_MASK $%d", -int64(abi.NativeStackSize))) {
		t.Error("thread.h STACK_MASK differs from abi.NativeStackMask")
	}
}

// patchMeta returns obj with its metadata section replaced by meta of the
// same length (the caller keeps the encoding length).
func patchMeta(t *testing.T, obj []byte, meta []byte) []byte {
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(abi.MetaSection)
	if uint64(len(meta)) != s.Size {
		t.Fatalf("patched metadata is %d bytes, section %d", len(meta), s.Size)
	}
	out := bytes.Clone(obj)
	copy(out[s.Offset:], meta)
	return out
}

func TestLoadRejects(t *testing.T) {
	obj := basicObject(t)
	other := abi.ArchARM64
	if hostArch == abi.ArchARM64 {
		other = abi.ArchAMD64
	}
	// The host's metadata claiming the other architecture, without CPU
	// features (the other's names differ), at the same length: the module
	// name takes the features' bytes.
	foreign := metaOf(t, obj)
	foreign.Arch, foreign.Features = other, nil
	foreign.ModuleName += strings.Repeat("x", len(metaOf(t, obj).Encode())-len(foreign.Encode()))
	missing := bytes.Clone(obj)
	machine := bytes.Clone(obj)
	if hostArch == abi.ArchAMD64 {
		binary.LittleEndian.PutUint16(machine[18:], uint16(elf.EM_AARCH64))
	} else {
		binary.LittleEndian.PutUint16(machine[18:], uint16(elf.EM_X86_64))
	}
	unsealed := bytes.Clone(obj)
	binary.LittleEndian.PutUint16(unsealed[0x3c:], binary.LittleEndian.Uint16(obj[0x3c:])-1)
	f, _ := elf.NewFile(bytes.NewReader(obj))
	copy(missing[f.Section(abi.MetaSection).Offset:], "XXXX") // bad magic
	cases := map[string]struct {
		obj  []byte
		want string
	}{
		"empty":         {nil, "not a valid ELF"},
		"truncated":     {obj[:len(obj)/2], ""},
		"bad magic":     {resealed(t, missing), "bad magic"},
		"foreign meta":  {resealed(t, patchMeta(t, obj, foreign.Encode())), "metadata says"},
		"meta changed":  {missing, "(.wasmaot.meta) does not match its digest"},
		"unsealed":      {unsealed, "not sealed"},
		"foreign ELF":   {machine, ""},
		"not an object": {[]byte("\x7fELF garbage"), "ELF"},
	}
	for name, c := range cases {
		_, err := Load(c.obj)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

// TestLoadUndefinedSymbol checks that an object calling a function the
// runtime does not provide is refused.
func TestLoadUndefinedSymbol(t *testing.T) {
	_, err := Load(undefinedObjectFor(t, hostArch))
	if err == nil || !strings.Contains(err.Error(), `"system"`) {
		t.Errorf("got %v, want an error naming the symbol system", err)
	}
}

// FuzzLoad feeds Load corrupted objects, and instantiates and runs what
// it accepts (exercise). Almost every mutation breaks the seal, so each
// input is also loaded sealed anew, which reaches the structural checks
// behind the seal (relocations, symbols, metadata); that object is not
// run, since anyone who seals an object may put any machine code in it
// (docs/object-format.md §7). Its seeds are committed in
// testdata/fuzz/FuzzLoad (see TestFuzzLoadSeeds), so fuzzing starts
// without compiling anything.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, obj []byte) {
		if m, err := Load(sealAgain(obj)); err == nil {
			m.Close()
		}
		m, err := Load(obj)
		if err != nil {
			return
		}
		// Anything accepted must describe itself consistently, and
		// instantiating and running it must not harm the process.
		if !reflect.DeepEqual(m.Meta().Layout(), m.layout) {
			t.Error("layout mismatch")
		}
		exercise(m)
		m.Close()
	})
}
