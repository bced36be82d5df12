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
func Sequence(moves []Move, scratch Loc, emit func(dst, src Loc)) {
	pending := make([]Move, 0, len(moves))
	for _, m := range moves {
		if m.Dst != m.Src {
			pending = append(pending, m)
		}
	}
	for len(pending) > 0 {
		progress := false
		for i := 0; i < len(pending); i++ {
			m := pending[i]
			if readLater(pending, m.Dst, i) {
				continue
			}
			emit(m.Dst, m.Src)
			pending = append(pending[:i], pending[i+1:]...)
			i--
			progress = true
		}
		if progress {
			continue
		}
		// Every destination is still to be read: a cycle. Save one
		// source in scratch and read it from there.
		m := pending[0]
		emit(scratch, m.Src)
		for i := range pending {
			if pending[i].Src == m.Src {
				pending[i].Src = scratch
			}
		}
	}
}

// readLater reports whether loc is the source of a pending move other
// than pending[self].
func readLater(pending []Move, loc Loc, self int) bool {
	for j, o := range pending {
		if j != self && o.Src == loc {
			return true
		}
	}
	return false
}
