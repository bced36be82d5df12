package component_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rc "github.com/wasmaot/wasmaot/rtlib/component"
)

// hostLoggers is a host resource: loggers live in a Go table indexed by
// their handle's representation.
type hostLoggers struct {
	prefixes map[uint32]string
	next     uint32
	dropped  int
}

func (h *hostLoggers) instance(callback rc.HostFunc) *rc.HostInstance {
	return &rc.HostInstance{
		Funcs: map[string]rc.HostFunc{
			"[constructor]logger": func(_ context.Context, args []rc.Value) (rc.Value, error) {
				h.next++
				h.prefixes[h.next] = args[0].(string)
				return rc.Handle{Rep: h.next}, nil
			},
			"[method]logger.log": func(_ context.Context, args []rc.Value) (rc.Value, error) {
				p, ok := h.prefixes[args[0].(rc.Handle).Rep]
				if !ok {
					return nil, errors.New("no such logger")
				}
				return p + " " + args[1].(string), nil
			},
			"callback": callback,
		},
		Resources: map[string]*rc.HostResource{"logger": {Drop: func(_ context.Context, rep uint32) error {
			delete(h.prefixes, rep)
			h.dropped++
			return nil
		}}},
	}
}

// TestResources covers guest resources (constructor, methods, borrow
// and own parameters, the destructor), a host resource (its constructor,
// a method through a borrow, its drop), and the traps: re-entering an
// instance, a borrowed handle not dropped before return, an invalid
// handle.
func TestResources(t *testing.T) {
	needLLVM(t)
	bin := buildComponent(t, string(readFile(t, "testdata/res.wit")), "res", readFile(t, "testdata/res.wat"))
	loggers := &hostLoggers{prefixes: map[uint32]string{}}
	var inst *rc.Instance
	callback := func(ctx context.Context, _ []rc.Value) (rc.Value, error) {
		f, err := inst.Func("test:res/api#drops")
		if err != nil {
			return nil, err
		}
		return f.Call(ctx) // re-enters the instance that called us: must trap
	}
	obj := compileComponent(t, bin)
	newInst := func() {
		inst = instantiateObject(t, obj, rc.Config{Instances: map[string]*rc.HostInstance{"test:res/host": loggers.instance(callback)}})
	}
	newInst()
	ctx := context.Background()
	call := func(name string, args ...rc.Value) (rc.Value, error) {
		t.Helper()
		f, err := inst.Func("test:res/api#" + name)
		if err != nil {
			t.Fatal(err)
		}
		return f.Call(ctx, args...)
	}
	must := func(name string, args ...rc.Value) rc.Value {
		t.Helper()
		v, err := call(name, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	c := must("[constructor]counter", uint32(5)).(rc.Handle)
	if got := must("[method]counter.inc", c); got != uint32(6) {
		t.Fatalf("inc = %v", got)
	}
	if got := must("peek", c); got != uint32(6) {
		t.Fatalf("peek = %v", got)
	}
	if got := must("take", c); got != uint32(6) {
		t.Fatalf("take = %v", got)
	}
	if got := must("drops"); got != uint32(1) {
		t.Fatalf("the destructor ran %v times after take, want 1", got)
	}
	c2 := must("[constructor]counter", uint32(1)).(rc.Handle)
	if err := inst.Drop(ctx, counterResource(t, inst), c2); err != nil {
		t.Fatal(err)
	}
	if got := must("drops"); got != uint32(2) {
		t.Fatalf("the destructor ran %v times after the host dropped its handle, want 2", got)
	}
	// The exported instance as another component's import: its
	// constructor through the host, and dropping the handle runs the
	// destructor.
	api, err := inst.Export("test:res/api")
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.Funcs["[constructor]counter"](ctx, []rc.Value{uint32(9)})
	if err != nil || api.Resources["counter"] == nil {
		t.Fatalf("constructor through Export: %v, %v; resources %v", h, err, api.Resources)
	}
	if err := api.Resources["counter"].Drop(ctx, h.(rc.Handle).Rep); err != nil {
		t.Fatal(err)
	}
	if got := must("drops"); got != uint32(3) {
		t.Fatalf("the destructor ran %v times after the importer's drop, want 3", got)
	}
	if got := must("use-logger", "hello"); got != "[p] hello" || loggers.dropped != 1 || len(loggers.prefixes) != 0 {
		t.Fatalf("use-logger = %q, %d dropped, %d live", got, loggers.dropped, len(loggers.prefixes))
	}
	loggers.prefixes[100] = "[host]"
	if got := must("log-with-drop", rc.Handle{Rep: 100}, "x"); got != "[host] x" {
		t.Fatalf("log-with-drop = %q", got)
	}
	if _, ok := loggers.prefixes[100]; !ok || loggers.dropped != 1 {
		t.Fatal("dropping a borrowed handle dropped the host's resource")
	}
	for _, tc := range []struct {
		name string
		args []rc.Value
		want string
	}{
		{"log-with", []rc.Value{rc.Handle{Rep: 100}, "x"}, "borrowed handles were not dropped"},
		{"reenter", nil, "cannot enter component instance"},
		{"bad-drop", nil, "invalid resource handle 99"},
	} {
		_, err := call(tc.name, tc.args...)
		var trap *rc.Trap
		if !errors.As(err, &trap) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a trap saying %q", tc.name, err, tc.want)
		}
		if _, err := call("drops"); err == nil || !strings.Contains(err.Error(), "trapped earlier") {
			t.Errorf("after %s trapped, a call gave %v, want a refusal", tc.name, err)
		}
		newInst()
	}
}

// counterResource finds the graph resource of the exported counter type.
func counterResource(t *testing.T, inst *rc.Instance) int {
	t.Helper()
	f, err := inst.Func("test:res/api#[constructor]counter")
	if err != nil {
		t.Fatal(err)
	}
	return f.Type().Result.Resource
}

// TestLiftLimit: a list result larger than Config.MaxLiftedElements traps
// instead of growing the host's heap; lowering the host's own list is not
// limited.
func TestLiftLimit(t *testing.T) {
	needLLVM(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "wit"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "wit", "world.wit"), []byte(corpusWIT()))
	bin := buildComponentEncoding(t, corpusWIT(), "corpus", []byte(corpusWAT(corpusFuncs(t, dir))), "utf8")
	inst := instantiate(t, bin, rc.Config{MaxLiftedElements: 1000})
	echo, err := inst.Func("test:corpus/api#echo-list-u8")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := echo.Call(ctx, rc.ListValue(make([]uint8, 1000)), pad); err != nil {
		t.Fatal(err)
	}
	_, err = echo.Call(ctx, rc.ListValue(make([]uint8, 1001)), pad)
	var trap *rc.Trap
	if !errors.As(err, &trap) || !strings.Contains(err.Error(), "MaxLiftedElements") {
		t.Fatalf("a 1001-element result under a limit of 1000: %v", err)
	}
}
