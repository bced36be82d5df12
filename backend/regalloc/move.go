package regalloc

// Move is one copy of a parallel copy: Dst receives Src's old value.
type Move struct {
	Dst, Src Loc
}

// Sequence orders a parallel copy (every source read before any
// destination is written; destinations are distinct) into single moves,
// calling emit for each. A cycle is broken through scratch, a location of
// the moves' class that is none of their sources or destinations. Moves
// whose source and destination are equal are dropped.
//
// It runs in time linear in the number of moves: a move is ready once no
// pending move still reads its destination; emitting it may make the
// move that writes its source ready. What remains when nothing is ready
// are disjoint cycles, each broken by saving one source in scratch.
func Sequence(moves []Move, scratch Loc, emit func(dst, src Loc)) {
	// A parallel copy is mostly a handful of moves: the tables start in
	// arrays on the stack and only larger copies allocate.
	var (
		pendingBuf     [8]Move
		srcBuf, dstBuf [8]int32
		readBuf, wrBuf [17]int32
		doneBuf        [8]bool
		readyBuf       [8]int
	)
	pending := pendingBuf[:0]
	for _, m := range moves {
		if m.Dst != m.Src {
			pending = append(pending, m)
		}
	}
	if len(pending) == 0 {
		return
	}
	// Locations are numbered (locIDs) so that the per-location counts
	// are slices: readers[id] pending moves read the location, writer[id]
	// is the pending move writing it, or -1.
	var ids locIDs
	src := sized(srcBuf[:], len(pending))
	dst := sized(dstBuf[:], len(pending))
	for i, m := range pending {
		src[i], dst[i] = ids.id(m.Src), ids.id(m.Dst)
	}
	scratchID := ids.id(scratch)
	readers := sized(readBuf[:], int(ids.n))
	writer := sized(wrBuf[:], int(ids.n))
	for i := range writer {
		writer[i] = -1
	}
	for i := range pending {
		readers[src[i]]++
		writer[dst[i]] = int32(i)
	}
	done := sized(doneBuf[:], len(pending))
	ready := readyBuf[:0]
	for i := range pending {
		if readers[dst[i]] == 0 {
			ready = append(ready, i)
		}
	}
	left := len(pending)
	run := func() {
		for len(ready) > 0 {
			i := ready[len(ready)-1]
			ready = ready[:len(ready)-1]
			m := pending[i]
			emit(m.Dst, m.Src)
			done[i] = true
			left--
			s := src[i]
			readers[s]--
			if w := writer[s]; w >= 0 && !done[w] && readers[s] == 0 {
				ready = append(ready, int(w))
			}
		}
	}
	run()
	for i := 0; left > 0; i++ {
		if done[i] {
			continue
		}
		// pending[i] is on a cycle: every location on it is read by the
		// next move. Save its source, let the move writing that source
		// run, and read the saved value last.
		m, s := pending[i], src[i]
		emit(scratch, m.Src)
		readers[s]--
		pending[i].Src, src[i] = scratch, scratchID
		readers[scratchID]++
		if w := writer[s]; w >= 0 && !done[w] && readers[s] == 0 {
			ready = append(ready, int(w))
		}
		run()
	}
}

// sized returns n zeroed elements: buf's when it is long enough.
func sized[T any](buf []T, n int) []T {
	if n > len(buf) {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

// locIDs numbers distinct locations densely from 0: by a linear search
// while there are few (a parallel copy is mostly a handful of moves),
// through a map beyond that.
type locIDs struct {
	n     int32
	small [16]Loc
	big   map[Loc]int32
}

func (t *locIDs) id(l Loc) int32 {
	if t.big == nil {
		for i := range t.n {
			if t.small[i] == l {
				return i
			}
		}
		if int(t.n) < len(t.small) {
			t.small[t.n] = l
			t.n++
			return t.n - 1
		}
		t.big = make(map[Loc]int32, 2*len(t.small))
		for i, s := range t.small {
			t.big[s] = int32(i)
		}
	}
	if i, ok := t.big[l]; ok {
		return i
	}
	t.big[l] = t.n
	t.n++
	return t.n - 1
}
