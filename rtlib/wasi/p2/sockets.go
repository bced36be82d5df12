package p2

import (
	"context"
	"net"
	"net/netip"
	"sync"
)

// wasi:sockets, TCP only: a socket may bind and listen only on the
// address of a listener the embedder granted (it then adopts that
// listener), and accept connections there. Connecting out, UDP and name
// lookup are not granted: they answer access-denied or are not provided.

// sockets error-code values.
const (
	sockAccessDenied    = 1
	sockNotSupported    = 2
	sockInvalidArg      = 3
	sockNotInProgress   = 7
	sockWouldBlock      = 8
	sockInvalidState    = 9
	sockConnectionAbort = 16
)

type acceptResult struct {
	conn net.Conn
	err  error
}

// tcpListener is a granted listener with a goroutine that accepts ahead,
// so pollables can see that a connection is waiting.
type tcpListener struct {
	ln   net.Listener
	once sync.Once
	ch   chan acceptResult
	done chan struct{}
	mu   sync.Mutex
	held *acceptResult
}

func (l *tcpListener) arrivals() chan acceptResult {
	l.once.Do(func() {
		l.ch, l.done = make(chan acceptResult), make(chan struct{})
		go func() {
			for {
				c, err := l.ln.Accept()
				select {
				case l.ch <- acceptResult{c, err}:
				case <-l.done:
					if c != nil {
						c.Close()
					}
					return
				}
				if err != nil {
					return
				}
			}
		}()
	})
	return l.ch
}

func (l *tcpListener) hold(r acceptResult) {
	l.mu.Lock()
	l.held = &r
	l.mu.Unlock()
}

// waiting reports whether a connection (or an accept error) is waiting.
func (l *tcpListener) waiting() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held != nil {
		return true
	}
	select {
	case r := <-l.arrivals():
		l.held = &r
		return true
	default:
		return false
	}
}

// accept takes the waiting connection, or waits for one until ctx ends.
func (l *tcpListener) accept(ctx context.Context) (net.Conn, error) {
	l.mu.Lock()
	if r := l.held; r != nil {
		l.held = nil
		l.mu.Unlock()
		return r.conn, r.err
	}
	l.mu.Unlock()
	select {
	case r := <-l.arrivals():
		return r.conn, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *tcpListener) close() error {
	if l.done != nil {
		close(l.done)
	}
	return l.ln.Close()
}

type network struct{}

type tcpState uint8

const (
	tcpUnbound tcpState = iota
	tcpBinding
	tcpBound
	tcpListenStarted
	tcpListening
	tcpConnected
)

type tcpSocket struct {
	family uint8 // 0 ipv4, 1 ipv6
	state  tcpState
	ln     *tcpListener
	conn   net.Conn
}

func (s *tcpSocket) close() error {
	if s.conn != nil {
		return s.conn.Close()
	}
	return nil
}

// socketAddress decodes a flattened ip-socket-address (12 i32 values
// from argument i).
func socketAddress(c *call, i int) (netip.AddrPort, bool) {
	port := uint16(c.u32(i + 1))
	switch c.u32(i) {
	case 0:
		a := [4]byte{byte(c.u32(i + 2)), byte(c.u32(i + 3)), byte(c.u32(i + 4)), byte(c.u32(i + 5))}
		return netip.AddrPortFrom(netip.AddrFrom4(a), port), true
	case 1:
		var a [16]byte
		for k := range 8 {
			v := uint16(c.u32(i + 3 + k))
			a[2*k], a[2*k+1] = byte(v>>8), byte(v)
		}
		return netip.AddrPortFrom(netip.AddrFrom16(a), port), true
	}
	return netip.AddrPort{}, false
}

// putAddress writes an ip-socket-address at r[off:].
func putAddress(r rec, off int, ap netip.AddrPort) {
	a := ap.Addr()
	if a.Is4() || a.Is4In6() {
		r.u8(off, 0)
		r.u16(off+4, ap.Port())
		b := a.Unmap().As4()
		copy(r[off+6:], b[:])
		return
	}
	r.u8(off, 1)
	r.u16(off+4, ap.Port())
	b := a.As16()
	for k := range 8 {
		r.u16(off+12+2*k, uint16(b[2*k])<<8|uint16(b[2*k+1]))
	}
}

func addrOf(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}

// sockResult writes result<T, error-code> with T at offset 4 (or 8 when
// align is 8) of size bytes.
func (c *call) sockResult(ret uint32, size int, code uint8, fill func(r rec)) error {
	r := make(rec, size)
	if code != 0 {
		r.u8(0, 1)
		r.u8(4, code)
	} else if fill != nil {
		fill(r)
	}
	return c.put(ret, 4, r)
}

func (c *call) socket(i int) (*tcpSocket, error) { return lookup[*tcpSocket](c.h, c.u32(i)) }

var networkFuncs = map[string]lowered{
	"[resource-drop]network": {"i", "", dropFn[*network]},
}

var instanceNetworkFuncs = map[string]lowered{
	"instance-network": {"", "i", func(c *call) error { c.ret(uint64(c.h.add(&network{}))); return nil }},
}

var tcpCreateFuncs = map[string]lowered{
	"create-tcp-socket": {"ii", "", func(c *call) error {
		fam := uint8(c.u32(0))
		if fam > 1 {
			return c.sockResult(c.u32(1), 8, sockInvalidArg, nil)
		}
		return c.sockResult(c.u32(1), 8, 0, func(r rec) { r.u32(4, c.h.add(&tcpSocket{family: fam})) })
	}},
}

// step is a state transition of a TCP socket: from the state it needs to
// the one it reaches, or an error code.
func step(c *call, ret int, from, to tcpState) error {
	s, err := c.socket(0)
	if err != nil {
		return err
	}
	if s.state != from {
		return c.sockResult(c.u32(ret), 8, sockNotInProgress, nil)
	}
	s.state = to
	return c.sockResult(c.u32(ret), 8, 0, nil)
}

var tcpFuncs = map[string]lowered{
	"[method]tcp-socket.start-bind": {"iiiiiiiiiiiiiii", "", func(c *call) error {
		s, err := c.socket(0)
		if err != nil {
			return err
		}
		if _, err := lookup[*network](c.h, c.u32(1)); err != nil {
			return err
		}
		ap, ok := socketAddress(c, 2)
		if !ok || s.state != tcpUnbound {
			return c.sockResult(c.u32(14), 8, sockInvalidState, nil)
		}
		for _, l := range c.h.listeners {
			if la := addrOf(l.ln.Addr()); la.Port() == ap.Port() && (la.Addr().Unmap() == ap.Addr().Unmap() || ap.Addr().IsUnspecified()) {
				s.ln, s.state = l, tcpBinding
				return c.sockResult(c.u32(14), 8, 0, nil)
			}
		}
		return c.sockResult(c.u32(14), 8, sockAccessDenied, nil)
	}},
	"[method]tcp-socket.finish-bind":   {"ii", "", func(c *call) error { return step(c, 1, tcpBinding, tcpBound) }},
	"[method]tcp-socket.start-listen":  {"ii", "", func(c *call) error { return step(c, 1, tcpBound, tcpListenStarted) }},
	"[method]tcp-socket.finish-listen": {"ii", "", func(c *call) error { return step(c, 1, tcpListenStarted, tcpListening) }},
	"[method]tcp-socket.start-connect": {"iiiiiiiiiiiiiii", "", func(c *call) error {
		if _, err := c.socket(0); err != nil {
			return err
		}
		return c.sockResult(c.u32(14), 8, sockAccessDenied, nil)
	}},
	"[method]tcp-socket.finish-connect": {"ii", "", func(c *call) error {
		if _, err := c.socket(0); err != nil {
			return err
		}
		return c.sockResult(c.u32(1), 16, sockNotInProgress, nil)
	}},
	"[method]tcp-socket.accept": {"ii", "", func(c *call) error {
		s, err := c.socket(0)
		if err != nil {
			return err
		}
		if s.state != tcpListening {
			return c.sockResult(c.u32(1), 16, sockInvalidState, nil)
		}
		conn, err := s.ln.accept(c.ctx)
		if err != nil {
			if c.ctx.Err() != nil {
				return c.ctx.Err()
			}
			return c.sockResult(c.u32(1), 16, sockConnectionAbort, nil)
		}
		cs := &tcpSocket{family: s.family, state: tcpConnected, conn: conn}
		return c.sockResult(c.u32(1), 16, 0, func(r rec) {
			r.u32(4, c.h.add(cs))
			r.u32(8, c.h.add(&inputStream{r: conn}))
			r.u32(12, c.h.add(&outputStream{w: conn}))
		})
	}},
	"[method]tcp-socket.local-address": {"ii", "", func(c *call) error {
		s, err := c.socket(0)
		if err != nil {
			return err
		}
		var a net.Addr
		switch {
		case s.conn != nil:
			a = s.conn.LocalAddr()
		case s.ln != nil && s.state >= tcpBound:
			a = s.ln.ln.Addr()
		default:
			return c.sockResult(c.u32(1), 36, sockInvalidState, nil)
		}
		return c.sockResult(c.u32(1), 36, 0, func(r rec) { putAddress(r, 4, addrOf(a)) })
	}},
	"[method]tcp-socket.remote-address": {"ii", "", func(c *call) error {
		s, err := c.socket(0)
		if err != nil {
			return err
		}
		if s.conn == nil {
			return c.sockResult(c.u32(1), 36, sockInvalidState, nil)
		}
		return c.sockResult(c.u32(1), 36, 0, func(r rec) { putAddress(r, 4, addrOf(s.conn.RemoteAddr())) })
	}},
	"[method]tcp-socket.is-listening": {"i", "i", func(c *call) error {
		s, err := c.socket(0)
		if err == nil {
			c.ret(b2u(s.state == tcpListening))
		}
		return err
	}},
	"[method]tcp-socket.address-family": {"i", "i", func(c *call) error {
		s, err := c.socket(0)
		if err == nil {
			c.ret(uint64(s.family))
		}
		return err
	}},
	"[method]tcp-socket.set-listen-backlog-size": {"iIi", "", func(c *call) error {
		if _, err := c.socket(0); err != nil {
			return err
		}
		return c.sockResult(c.u32(2), 8, 0, nil)
	}},
	"[method]tcp-socket.subscribe": {"i", "i", func(c *call) error {
		s, err := c.socket(0)
		if err != nil {
			return err
		}
		p := &pollable{}
		if s.state == tcpListening {
			p.accept = s.ln
		}
		c.ret(uint64(c.h.add(p)))
		return nil
	}},
	"[method]tcp-socket.shutdown": {"iii", "", func(c *call) error {
		s, err := c.socket(0)
		if err != nil {
			return err
		}
		tc, ok := s.conn.(*net.TCPConn)
		if !ok {
			return c.sockResult(c.u32(2), 8, sockInvalidState, nil)
		}
		switch c.u32(1) {
		case 0:
			err = tc.CloseRead()
		case 1:
			err = tc.CloseWrite()
		default:
			err = tc.Close()
		}
		code := uint8(0)
		if err != nil {
			code = sockInvalidState
		}
		return c.sockResult(c.u32(2), 8, code, nil)
	}},
	"[resource-drop]tcp-socket": {"i", "", dropFn[*tcpSocket]},
}
