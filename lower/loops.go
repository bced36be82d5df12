package lower

import "github.com/wasmaot/wasmaot/lower/ir"

// A natLoop is a natural loop with a single back edge: the header
// dominates every block of the loop, and the latch is the only block in
// the loop that branches back to the header.
type natLoop struct {
	header, latch *ir.Block
	blocks        []*ir.Block // the loop's blocks, header first
	in            map[*ir.Block]bool
}

// innermostLoops returns the single-latch natural loops of f that contain
// no other loop. Wasm control flow is reducible, so every cycle has a
// header that dominates it; a loop with more than one back edge (a
// `continue` in C) is left out.
func innermostLoops(cfg *ir.CFG) []*natLoop {
	latches := map[*ir.Block][]*ir.Block{}
	var headers []*ir.Block
	for _, b := range cfg.RPO {
		for _, s := range b.Succs() {
			if cfg.Dominates(s.Block, b) {
				if len(latches[s.Block]) == 0 {
					headers = append(headers, s.Block)
				}
				if n := len(latches[s.Block]); n == 0 || latches[s.Block][n-1] != b {
					latches[s.Block] = append(latches[s.Block], b)
				}
			}
		}
	}
	var loops []*natLoop
	for _, h := range headers {
		if len(latches[h]) != 1 {
			continue
		}
		l := &natLoop{header: h, latch: latches[h][0], in: map[*ir.Block]bool{h: true}}
		l.blocks = []*ir.Block{h}
		work := []*ir.Block{l.latch}
		for len(work) > 0 {
			b := work[len(work)-1]
			work = work[:len(work)-1]
			if l.in[b] {
				continue
			}
			l.in[b] = true
			l.blocks = append(l.blocks, b)
			work = append(work, cfg.Preds(b)...)
		}
		inner := false
		for _, b := range l.blocks[1:] {
			if len(latches[b]) > 0 {
				inner = true
				break
			}
		}
		if !inner {
			loops = append(loops, l)
		}
	}
	return loops
}

// exiting reports whether b, a block of l, branches out of l.
func (l *natLoop) exiting(b *ir.Block) bool {
	for _, s := range b.Succs() {
		if !l.in[s.Block] {
			return true
		}
	}
	return false
}
