package p2

import (
	"sort"
	"strings"
	"testing"
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
