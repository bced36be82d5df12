package rtlib

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// The mapping budget. Linux limits how many memory mappings (VMAs) a
// process may have (vm.max_map_count, 65,530 by default). Past the limit
// mmap and mprotect fail, and when the Go runtime itself cannot map
// memory the process dies, so the runtime stops adding mappings well
// before: everything that may add some (a slot for a new instance, a
// native stack, a memory's growth) first asks for the most it can add,
// and is refused with errMappingLimit once the process is within
// mapHeadroom of the limit. Counting the mappings means reading
// /proc/self/maps, so the count is taken again only when the mappings
// granted since the last count could have reached the ceiling.
var mappingBudget struct {
	sync.Mutex
	ceiling int // the limit minus the headroom; 0 until first used
	limit   int // vm.max_map_count
	counted int // mappings at the last count
	granted int // mappings granted since (an upper bound of those added)
}

// mapHeadroom is the part of vm.max_map_count left to the Go runtime and
// the rest of the process: an eighth of it, at least 1,024.
func mapHeadroom(limit int) int { return max(limit/8, 1024) }

// errMappingLimit is returned when the budget is spent.
type errMappingLimit struct{ count, limit int }

func (e *errMappingLimit) Error() string {
	return fmt.Sprintf("rtlib: the process has %d memory mappings, too close to the system's limit of %d "+
		"(vm.max_map_count; %d are kept for the Go runtime); close instances or raise the limit",
		e.count, e.limit, mapHeadroom(e.limit))
}

// grantMappings asks for up to n more mappings.
func grantMappings(n int) error {
	b := &mappingBudget
	b.Lock()
	defer b.Unlock()
	if b.ceiling == 0 {
		b.limit = maxMapCount()
		b.ceiling = b.limit - mapHeadroom(b.limit)
		b.counted, b.granted = countMappings(), 0
	}
	if b.counted+b.granted+n > b.ceiling {
		b.counted, b.granted = countMappings(), 0
		if b.counted+n > b.ceiling {
			return &errMappingLimit{b.counted, b.limit}
		}
	}
	b.granted += n
	return nil
}

// mappingsPlentiful reports whether the process uses under half of its
// mapping budget: optional mappings, such as memory images mapped instead
// of copied, are made only then. Grants are an upper bound (a pooled slot
// is granted again but adds nothing), so once they alone could reach
// half the budget the mappings are counted again, at most once per
// recountGrants grants: without that, a long-lived process that had
// merely made many instances would copy images forever.
func mappingsPlentiful() bool {
	b := &mappingBudget
	b.Lock()
	defer b.Unlock()
	if b.ceiling == 0 {
		return true
	}
	if b.counted+b.granted >= b.ceiling/2 && b.granted >= recountGrants(b.ceiling) {
		b.counted, b.granted = countMappings(), 0
	}
	return b.counted+b.granted < b.ceiling/2
}

// recountGrants is how many grants since the last count make
// mappingsPlentiful count again: a sixteenth of the budget, so counting
// (reading /proc/self/maps, proportional to the mappings) stays rare.
func recountGrants(ceiling int) int { return max(ceiling/16, 1) }

// maxMapCount reads vm.max_map_count (the default if unreadable).
func maxMapCount() int {
	data, err := os.ReadFile("/proc/sys/vm/max_map_count")
	if err == nil {
		if n, err := strconv.Atoi(string(bytes.TrimSpace(data))); err == nil && n > 0 {
			return n
		}
	}
	return 65530
}

// countMappings counts the lines of /proc/self/maps, one per mapping (0
// if unreadable: the budget then trusts the grants alone).
func countMappings() int {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0
	}
	return bytes.Count(data, []byte{'\n'})
}
