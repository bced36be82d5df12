package lower

import (
	"slices"
	"strings"
	"testing"
)

// TestPassOrder checks the pass table against passOrder, and that the
// check fails when the table breaks a constraint.
func TestPassOrder(t *testing.T) {
	if err := checkPassOrder(passes); err != nil {
		t.Fatal(err)
	}
	for _, c := range passOrder {
		// Move the "before" pass to the end: the check must object.
		swapped := slices.Clone(passes)
		i := slices.IndexFunc(swapped, func(p pass) bool { return p.name == c.before })
		p := swapped[i]
		swapped = append(slices.Delete(swapped, i, i+1), p)
		err := checkPassOrder(swapped)
		if err == nil || !strings.Contains(err.Error(), c.before) {
			t.Errorf("moving %s last: err = %v, want a violation of %s before %s", c.before, err, c.before, c.after)
		}
	}
	bad := append(slices.Clone(passes[:0:0]), pass{"nosuch", nil, 0})
	if err := checkPassOrder(bad); err == nil {
		t.Error("a table without the ordered passes passed the check")
	}
}

// TestPipelineLevels pins what each -O level runs.
func TestPipelineLevels(t *testing.T) {
	want := map[int]string{
		0: "copyprop constfold copyprop dce",
		1: "entrypoll copyprop constfold boundscheck cse copyprop dce",
		2: "entrypoll copyprop constfold boundscheck loopversion cse copyprop dce",
		3: "entrypoll copyprop constfold boundscheck loopversion cse copyprop dce",
	}
	for level, w := range want {
		if got := strings.Join(PipelineFor(level), " "); got != w {
			t.Errorf("-O%d: %s, want %s", level, got, w)
		}
	}
	if got := strings.Join(PassNames(), " "); got != want[MaxOptLevel] {
		t.Errorf("PassNames = %s", got)
	}
}
