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
	pending := make([]Move, 0, len(moves))
	for _, m := range moves {
		if m.Dst != m.Src {
			pending = append(pending, m)
		}
	}
	if len(pending) == 0 {
		return
	}
	readers := make(map[Loc]int, len(pending)) // pending moves reading a location
	writer := make(map[Loc]int, len(pending))  // the pending move writing a location
	for i, m := range pending {
		readers[m.Src]++
		writer[m.Dst] = i
	}
	done := make([]bool, len(pending))
	var ready []int
	for i, m := range pending {
		if readers[m.Dst] == 0 {
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
			readers[m.Src]--
			if w, ok := writer[m.Src]; ok && !done[w] && readers[m.Src] == 0 {
				ready = append(ready, w)
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
		m := pending[i]
		emit(scratch, m.Src)
		readers[m.Src]--
		pending[i].Src = scratch
		readers[scratch]++
		if w, ok := writer[m.Src]; ok && !done[w] && readers[m.Src] == 0 {
			ready = append(ready, w)
		}
		run()
	}
}
