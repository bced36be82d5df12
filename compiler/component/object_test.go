package component

import (
	"bytes"
	"testing"

	rt "github.com/wasmaot/wasmaot/rtlib/component"
)

// objectSeed is a component object of the basic fixture's graph with
// placeholder module objects.
func objectSeed(t testing.TB) []byte {
	c, err := Parse(seed(t))
	if err != nil {
		t.Fatal(err)
	}
	g, mods, err := c.Flatten()
	if err != nil {
		t.Fatal(err)
	}
	objs := make([][]byte, len(mods))
	for i := range objs {
		objs[i] = []byte{byte(i), 1, 2, 3}
	}
	obj, err := writeObject("amd64", g.Encode(), objs)
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

func TestObjectContainer(t *testing.T) {
	obj := objectSeed(t)
	if !rt.IsObject(obj) {
		t.Fatal("IsObject is false for a component object")
	}
	g, mods, err := rt.ReadGraph(obj)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != g.Modules || !bytes.Equal(mods[2], []byte{2, 1, 2, 3}) {
		t.Fatalf("modules %v", mods)
	}
	if _, err := writeObject("mips", nil, nil); err == nil {
		t.Fatal("an unknown target was accepted")
	}
}

// FuzzReadObject: ReadGraph never panics on a corrupt component object.
func FuzzReadObject(f *testing.F) {
	f.Add(objectSeed(f))
	f.Fuzz(func(t *testing.T, obj []byte) {
		g, mods, err := rt.ReadGraph(obj)
		if err == nil && len(mods) != g.Modules {
			t.Fatalf("%d modules for a graph of %d", len(mods), g.Modules)
		}
	})
}
