package p2

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/wasmaot/wasmaot/rtlib/wasi"
)

// mem is a guest memory for calling lowered functions directly.
type mem []byte

func (m mem) Memory() []byte { return m }

// invoke calls iface.name with args in a 64 KiB memory whose allocations
// come from a bump allocator at 32 KiB.
func invoke(t *testing.T, b *Binding, m mem, iface, name string, args ...uint64) ([]uint64, error) {
	t.Helper()
	hm, ok := b.HostModule(iface + "@0.2.3")
	if !ok {
		t.Fatalf("no interface %s", iface)
	}
	f, ok := hm.HostFunc(name)
	if !ok {
		t.Fatalf("no function %s in %s", name, iface)
	}
	if len(args) != len(f.Params) {
		t.Fatalf("%s takes %d arguments, got %d", name, len(f.Params), len(args))
	}
	stack := make([]uint64, max(len(f.Params), len(f.Results)))
	copy(stack, args)
	err := f.Fn(context.Background(), m, stack)
	return stack, err
}

func newBinding(t *testing.T, cfg Config) (*Host, *Binding, mem) {
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	b := h.Bind()
	next := uint32(32 << 10)
	b.Realloc = func(_ context.Context, align, size uint32) (uint32, error) {
		next = (next + align - 1) &^ (align - 1)
		p := next
		next += size
		return p, nil
	}
	return h, b, make(mem, 64<<10)
}

func TestInterfaceVersions(t *testing.T) {
	for _, c := range []struct {
		module string
		ok     bool
	}{{"wasi:io/streams@0.2.0", true}, {"wasi:io/streams@0.2.12", true}, {"wasi:io/streams@0.3.0", false},
		{"wasi:io/streams", false}, {"wasi:http/types@0.2.0", false}} {
		if _, ok := Interface(c.module); ok != c.ok {
			t.Errorf("Interface(%q) = %v, want %v", c.module, ok, c.ok)
		}
	}
}

// TestTraps: unknown handles, pointers outside memory and invalid UTF-8
// trap the caller instead of answering.
func TestTraps(t *testing.T) {
	_, b, m := newBinding(t, Config{Preopens: []wasi.Preopen{{HostPath: t.TempDir(), GuestPath: "/d"}}})
	if _, err := invoke(t, b, m, "wasi:io/streams", "[method]output-stream.write", 99, 0, 1, 0); !errors.Is(err, ErrHandle) {
		t.Errorf("write on handle 99: %v", err)
	}
	out, _ := invoke(t, b, m, "wasi:cli/stdout", "get-stdout")
	if _, err := invoke(t, b, m, "wasi:io/streams", "[method]output-stream.write", out[0], 65530, 100, 0); !errors.Is(err, errBounds) {
		t.Errorf("write past memory: %v", err)
	}
	if _, err := invoke(t, b, m, "wasi:io/streams", "[method]output-stream.write", out[0], 0, 1, 3); !errors.Is(err, errAlign) {
		t.Errorf("misaligned result pointer: %v", err)
	}
	// Handle 1 is stdout, not a descriptor.
	m[100] = 0xff
	if _, err := invoke(t, b, m, "wasi:filesystem/types", "[method]descriptor.open-at", out[0], 0, 100, 1, 0, 1, 0); !errors.Is(err, ErrHandle) {
		t.Errorf("open-at on a stream handle: %v", err)
	}
	invoke(t, b, m, "wasi:filesystem/preopens", "get-directories", 0)
	dir := uint64(binary.LittleEndian.Uint32(m[binary.LittleEndian.Uint32(m[0:]):]))
	if _, err := invoke(t, b, m, "wasi:filesystem/types", "[method]descriptor.open-at", dir, 0, 100, 1, 0, 1, 0); !errors.Is(err, errUTF8) {
		t.Errorf("open-at with invalid UTF-8: %v", err)
	}
}

// TestTCP: a socket binds only the address of a granted listener, never
// connects out, and accepts connections there.
func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint64(ln.Addr().(*net.TCPAddr).Port)
	_, b, m := newBinding(t, Config{Listeners: []net.Listener{ln}})
	le := binary.LittleEndian
	result := func(ret int) (bool, uint32) { return m[ret] == 0, le.Uint32(m[ret+4:]) }
	call := func(iface, name string, args ...uint64) {
		t.Helper()
		if _, err := invoke(t, b, m, iface, name, args...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	netw, _ := invoke(t, b, m, "wasi:sockets/instance-network", "instance-network")
	socket := func() uint64 {
		call("wasi:sockets/tcp-create-socket", "create-tcp-socket", 0, 0)
		ok, h := result(0)
		if !ok {
			t.Fatal("create-tcp-socket failed")
		}
		return uint64(h)
	}
	addr := func(p uint64) []uint64 { return []uint64{0, p, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0} }
	bind := func(s uint64, p uint64) (bool, uint32) {
		args := append(append([]uint64{s, netw[0]}, addr(p)...), 0)
		call("wasi:sockets/tcp", "[method]tcp-socket.start-bind", args...)
		return result(0)
	}
	if ok, code := bind(socket(), port+1); ok || code&0xff != sockAccessDenied {
		t.Errorf("binding an address not granted: ok=%v code=%d, want access-denied", ok, code&0xff)
	}
	s := socket()
	args := append(append([]uint64{s, netw[0]}, addr(port)...), 0)
	call("wasi:sockets/tcp", "[method]tcp-socket.start-connect", args...)
	if ok, code := result(0); ok || code&0xff != sockAccessDenied {
		t.Errorf("connect: ok=%v code=%d, want access-denied", ok, code&0xff)
	}
	if ok, _ := bind(s, port); !ok {
		t.Fatal("binding the granted address failed")
	}
	for _, step := range []string{"finish-bind", "start-listen", "finish-listen"} {
		call("wasi:sockets/tcp", "[method]tcp-socket."+step, s, 0)
		if ok, _ := result(0); !ok {
			t.Fatalf("%s failed", step)
		}
	}
	pol, _ := invoke(t, b, m, "wasi:sockets/tcp", "[method]tcp-socket.subscribe", s)
	if r, _ := invoke(t, b, m, "wasi:io/poll", "[method]pollable.ready", pol[0]); r[0] != 0 {
		t.Error("listening socket ready with no connection waiting")
	}
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Write([]byte("hi"))
			time.Sleep(100 * time.Millisecond)
			c.Close()
		}
	}()
	call("wasi:io/poll", "[method]pollable.block", pol[0])
	call("wasi:sockets/tcp", "[method]tcp-socket.accept", s, 0)
	if ok, _ := result(0); !ok {
		t.Fatal("accept failed")
	}
	in := uint64(le.Uint32(m[8:]))
	call("wasi:io/streams", "[method]input-stream.blocking-read", in, 10, 0)
	if p, n := le.Uint32(m[4:]), le.Uint32(m[8:]); m[0] != 0 || string(m[p:p+n]) != "hi" {
		t.Errorf("read from the connection: %q", m[p:p+n])
	}
}

// TestTableFull: a guest that keeps taking handles traps at MaxHandles
// instead of growing the host's table without bound; dropping makes room.
func TestTableFull(t *testing.T) {
	_, b, m := newBinding(t, Config{})
	var last uint64
	var err error
	for i := 0; i <= MaxHandles; i++ {
		var r []uint64
		if r, err = invoke(t, b, m, "wasi:cli/stdout", "get-stdout"); err != nil {
			break
		}
		last = r[0]
	}
	if !errors.Is(err, ErrTableFull) {
		t.Fatalf("after %d handles: %v, want ErrTableFull", MaxHandles, err)
	}
	if _, err := invoke(t, b, m, "wasi:io/streams", "[resource-drop]output-stream", last); err != nil {
		t.Fatal(err)
	}
	if _, err := invoke(t, b, m, "wasi:cli/stdout", "get-stdout"); err != nil {
		t.Errorf("after a drop: %v", err)
	}
}
