package micro

import "testing"

func TestNanoprocessCalls(t *testing.T) {
	p, c, s, err := NanoprocessCalls(3, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plain %.2f ns, cross %.2f ns (%.2fx), string %.1f ns", p, c, c/p, s)
}
