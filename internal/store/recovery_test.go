package store

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// tcpProxy forwards a loopback port to a server and can be cut (every
// connection dropped, the port closed) and restored on the same port:
// a database that goes away and comes back.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		defer func() { _ = recover() }()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { defer func() { _ = recover() }(); _, _ = io.Copy(s, c); s.Close() }()
			go func() { defer func() { _ = recover() }(); _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

// cut closes the port and every open connection.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens on the same port again.
func (p *tcpProxy) restore() { p.listen(p.addr) }

// TestPostgresConnectionLossAndRecovery: while the database is
// unreachable, reads and writes fail (the API answers 5xx) and a write
// cut off mid-transaction leaves nothing behind; once it is back, the
// same store serves both again without a restart.
func TestPostgresConnectionLossAndRecovery(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	s, err := Open(t.Context(), postgresDialect(), t.TempDir(), Options{DSN: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.DB()
	ctx := context.Background()
	if err := db.Exec(ctx, `CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "before", 1) }); err != nil {
		t.Fatal(err)
	}

	// A write whose connection is cut between its two statements.
	err = db.Write(ctx, func(ctx context.Context) error {
		if err := insert(ctx, "half-1", 1); err != nil {
			return err
		}
		proxy.cut()
		return insert(ctx, "half-2", 2)
	})
	if err == nil {
		t.Fatal("a write whose connection was cut succeeded")
	}
	// Down: reads and writes fail, promptly.
	for i := range 3 {
		if err := db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "down", i) }); err == nil {
			t.Fatalf("write %d succeeded while the database was unreachable", i)
		}
		var n int
		if err := db.Builder(ctx).NewQuery("SELECT COUNT(*) FROM items").Row(&n); err == nil {
			t.Fatalf("read %d succeeded while the database was unreachable", i)
		}
	}

	proxy.restore()
	// Back: the pools reconnect by themselves (a first attempt may still
	// meet a connection that died with the cut; bounded retries).
	var lastErr error
	ok := false
	for range 20 {
		lastErr = db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "after", 2) })
		if lastErr == nil {
			ok = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !ok {
		t.Fatalf("writes did not recover: %v", lastErr)
	}
	var ids []string
	rows, err := db.Builder(ctx).NewQuery("SELECT id FROM items ORDER BY id").Rows()
	if err != nil {
		t.Fatalf("reads did not recover: %v", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 2 || ids[0] != "after" || ids[1] != "before" {
		t.Fatalf("rows after recovery = %v, want [after before] (no half of the cut write)", ids)
	}
}

// TestPostgresOpenErrorsNameTheCause: a server that is not there, or a
// database that does not exist, fails Open with what and where.
func TestPostgresOpenErrorsNameTheCause(t *testing.T) {
	dsn := pgtest.DSN(t)
	u, _ := url.Parse(dsn)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	noServer := *u
	noServer.Host = closed
	noDB := *u
	noDB.Path = "/basalt_no_such_db"
	for _, tc := range []struct{ name, dsn, want string }{
		{"unreachable", noServer.String(), "cannot connect to 127.0.0.1"},
		{"missing database", noDB.String(), `"basalt_no_such_db" does not exist`},
		{"malformed", "postgres://x:y@[::1", "invalid connection string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := Open(ctx, postgresDialect(), t.TempDir(), Options{DSN: tc.dsn})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !containsFold(err.Error(), tc.want) {
				t.Fatalf("error %q does not name the cause (%q)", err, tc.want)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("Open hung until the deadline")
			}
		})
	}
}
