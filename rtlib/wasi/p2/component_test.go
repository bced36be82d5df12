package p2

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wasmaot/wasmaot/rtlib/component"
	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// TestComponentCoverage: the component binding serves every function and
// resource of the lowered one, sockets aside, under the same names (so a
// component importing any of them links).
func TestComponentCoverage(t *testing.T) {
	for iface, lowered := range interfaces {
		if strings.HasPrefix(iface, "wasi:sockets/") {
			continue
		}
		values, ok := valueInterfaces[iface]
		if !ok {
			t.Errorf("%s: not served to components", iface)
			continue
		}
		var missing []string
		for name := range lowered {
			if r, ok := strings.CutPrefix(name, "[resource-drop]"); ok {
				if valueResources[iface][r] == nil {
					missing = append(missing, "resource "+r)
				}
				continue
			}
			if values[name] == nil {
				missing = append(missing, name)
			}
		}
		for name := range values {
			if _, ok := lowered[name]; !ok {
				missing = append(missing, "extra "+name)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: the component binding differs: %s", iface, strings.Join(missing, ", "))
		}
	}
	for iface := range valueInterfaces {
		if _, ok := interfaces[iface]; !ok {
			t.Errorf("%s: served to components but not lowered", iface)
		}
	}
}

// TestComponentBinding calls the component binding directly: the
// preopen's file reads, a path out of it answers not-permitted, a handle
// of another resource type or a value of the wrong shape is an error (the
// calling component traps), and a dropped handle is gone.
func TestComponentBinding(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Preopens: []wasi.Preopen{{HostPath: dir, GuestPath: "/d"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	is := h.Instances([]string{"wasi:filesystem/preopens@0.2.3", "wasi:filesystem/types@0.2.3", "wasi:io/streams@0.2.3", "wasi:sockets/udp@0.2.3", "test:x/y@0.2.0"})
	if len(is) != 3 {
		t.Fatalf("Instances served %d interfaces, want the 3 WASI 0.2 ones without sockets", len(is))
	}
	call := func(iface, fn string, args ...component.Value) (component.Value, error) {
		return is[iface+"@0.2.3"].Funcs[fn](ctx, args)
	}
	dirs, err := call("wasi:filesystem/preopens", "get-directories")
	if err != nil {
		t.Fatal(err)
	}
	entry := dirs.([]component.Value)[0].([]component.Value)
	d := entry[0].(component.Handle)
	if entry[1] != "/d" {
		t.Fatalf("preopen named %v, want /d", entry[1])
	}
	const types = "wasi:filesystem/types"
	open := func(path string) component.Case {
		v, err := call(types, "[method]descriptor.open-at", d, uint32(0), path, uint32(0), uint32(1))
		if err != nil {
			t.Fatal(err)
		}
		return v.(component.Case)
	}
	f := open("in.txt")
	if f.Index != 0 {
		t.Fatalf("open-at in.txt: %v", f)
	}
	got, err := call(types, "[method]descriptor.read", f.Value, uint64(10), uint64(0))
	if err != nil {
		t.Fatal(err)
	}
	rd := got.(component.Case).Value.([]component.Value)
	if b, _ := component.ListOf[uint8](rd[0]); string(b) != "data" || rd[1] != true {
		t.Errorf("read: %v, want \"data\" and end of file", rd)
	}
	if c := open("../x"); c.Index != 1 || c.Value != (component.Case{Index: 31}) {
		t.Errorf("open-at ../x: %v, want error not-permitted (31)", c)
	}
	if _, err := call("wasi:io/streams", "[method]output-stream.flush", f.Value); !errors.Is(err, ErrHandle) {
		t.Errorf("a descriptor as an output-stream: %v, want ErrHandle", err)
	}
	if _, err := call(types, "[method]descriptor.read", f.Value, "ten", uint64(0)); err == nil {
		t.Error("a string for a u64 was accepted")
	}
	if err := is[types+"@0.2.3"].Resources["descriptor"].Drop(ctx, f.Value.(component.Handle).Rep); err != nil {
		t.Fatal(err)
	}
	if _, err := call(types, "[method]descriptor.stat", f.Value); !errors.Is(err, ErrHandle) {
		t.Errorf("stat of a dropped descriptor: %v, want ErrHandle", err)
	}
}
