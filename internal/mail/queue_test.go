package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// mailerFunc adapts a function to Mailer.
type mailerFunc func(ctx context.Context, m *Message) error

func (f mailerFunc) Send(ctx context.Context, m *Message) error { return f(ctx, m) }

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, nil)), buf
}

// enqueueAndWait queues m and returns the outcome reported to done.
func enqueueAndWait(t *testing.T, q *Queue, m *Message) error {
	t.Helper()
	res := make(chan error, 1)
	q.Enqueue(context.Background(), m, func(err error) { res <- err })
	select {
	case err := <-res:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("done was not called within 5s")
		return nil
	}
}

func TestQueueEnqueue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mailer  Mailer
		timeout time.Duration
		wantErr error // nil means success
		wantLog string
	}{
		{
			name:   "delivered",
			mailer: &Capture{},
		},
		{
			name:    "panicking mailer is recovered",
			mailer:  mailerFunc(func(context.Context, *Message) error { panic("boom") }),
			wantErr: ErrMailerPanic,
			wantLog: "boom",
		},
		{
			name:    "mailer error is reported",
			mailer:  mailerFunc(func(context.Context, *Message) error { return context.Canceled }),
			wantErr: context.Canceled,
			wantLog: "send failed",
		},
		{
			name: "slow mailer hits the timeout",
			mailer: mailerFunc(func(ctx context.Context, _ *Message) error {
				<-ctx.Done()
				return ctx.Err()
			}),
			timeout: 100 * time.Millisecond,
			wantErr: context.DeadlineExceeded,
			wantLog: "send failed",
		},
		{
			name:    "request ctx cancellation is ignored",
			mailer:  mailerFunc(func(ctx context.Context, _ *Message) error { return ctx.Err() }),
			wantErr: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := testLogger()
			var onErr []error
			var mu sync.Mutex
			q := &Queue{Mailer: tt.mailer, Timeout: tt.timeout, Logger: logger, OnError: func(_ *Message, err error) {
				mu.Lock()
				defer mu.Unlock()
				onErr = append(onErr, err)
			}}
			// The request's ctx is already cancelled: the mail must not care.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			res := make(chan error, 1)
			q.Enqueue(ctx, testMessage(), func(err error) { res <- err })
			var err error
			select {
			case err = <-res:
			case <-time.After(5 * time.Second):
				t.Fatal("done was not called within 5s")
			}
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("done(%v), want %v", err, tt.wantErr)
			}
			mu.Lock()
			if got, want := len(onErr), map[bool]int{true: 1, false: 0}[tt.wantErr != nil]; got != want {
				t.Errorf("OnError called %d times, want %d", got, want)
			}
			mu.Unlock()
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log = %q, want it to mention %q", logs.String(), tt.wantLog)
			}
			if err := q.Close(context.Background()); err != nil {
				t.Errorf("Close() = %v", err)
			}
		})
	}
}

func TestQueueSend(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		mailer  Mailer
		wantErr error
	}{
		{name: "delivered", mailer: &Capture{}},
		{
			name:    "panicking mailer is recovered",
			mailer:  mailerFunc(func(context.Context, *Message) error { panic("boom") }),
			wantErr: ErrMailerPanic,
		},
		{
			// The bound holds even when the Mailer ignores its ctx.
			name:    "mailer ignoring ctx is abandoned at the timeout",
			mailer:  mailerFunc(func(context.Context, *Message) error { <-release; return nil }),
			wantErr: context.DeadlineExceeded,
		},
		{
			name:    "invalid message",
			mailer:  &Capture{},
			wantErr: ErrInvalidMessage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logger, _ := testLogger()
			q := &Queue{Mailer: tt.mailer, Timeout: 200 * time.Millisecond, Logger: logger}
			m := testMessage()
			if tt.wantErr == ErrInvalidMessage {
				m.Subject = "a\nb"
			}
			start := time.Now()
			err := q.Send(context.Background(), m)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Send() returned after %v, want within 2s of a 200ms timeout", elapsed)
			}
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Send() = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestQueueCopiesMessage(t *testing.T) {
	t.Parallel()
	capture := &Capture{}
	gate := make(chan struct{})
	q := &Queue{Mailer: mailerFunc(func(ctx context.Context, m *Message) error {
		<-gate
		return capture.Send(ctx, m)
	})}
	m := testMessage()
	m.Headers = map[string]string{"X-A": "1"}
	done := make(chan error, 1)
	q.Enqueue(context.Background(), m, func(err error) { done <- err })
	m.Subject, m.To[0].Email, m.Headers["X-A"] = "changed", "eve@evil.test", "2"
	close(gate)
	if err := <-done; err != nil {
		t.Fatalf("done(%v)", err)
	}
	got, _ := capture.Last()
	if got.Subject != "Verify your Acme email" || got.To[0].Email != "ann@example.org" || got.Headers["X-A"] != "1" {
		t.Errorf("sent %+v, want the message as it was when queued", got)
	}
}

func TestQueueClose(t *testing.T) {
	t.Parallel()
	t.Run("waits for queued mails", func(t *testing.T) {
		t.Parallel()
		capture := &Capture{}
		q := &Queue{Mailer: mailerFunc(func(ctx context.Context, m *Message) error {
			time.Sleep(50 * time.Millisecond) // a slow delivery Close must wait for
			return capture.Send(ctx, m)
		})}
		for range 3 {
			q.Enqueue(context.Background(), testMessage(), nil)
		}
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if got := len(capture.Messages()); got != 3 {
			t.Errorf("delivered %d mails before Close returned, want 3", got)
		}
	})
	t.Run("rejects mails after close", func(t *testing.T) {
		t.Parallel()
		logger, _ := testLogger()
		q := &Queue{Mailer: &Capture{}, Logger: logger}
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if err := enqueueAndWait(t, q, testMessage()); !errors.Is(err, ErrQueueClosed) {
			t.Errorf("done(%v), want ErrQueueClosed", err)
		}
	})
	t.Run("gives up and cancels in-flight mails at ctx end", func(t *testing.T) {
		t.Parallel()
		logger, _ := testLogger()
		started := make(chan struct{})
		q := &Queue{Logger: logger, Mailer: mailerFunc(func(ctx context.Context, _ *Message) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})}
		res := make(chan error, 1)
		q.Enqueue(context.Background(), testMessage(), func(err error) { res <- err })
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close() = %v, want DeadlineExceeded", err)
		}
		select {
		case err := <-res:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("done(%v), want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("in-flight mail was not cancelled")
		}
	})
}

func TestQueueCallbackPanicIsRecovered(t *testing.T) {
	t.Parallel()
	logger, logs := testLogger()
	called := make(chan struct{})
	q := &Queue{
		Mailer:  mailerFunc(func(context.Context, *Message) error { return errors.New("down") }),
		Logger:  logger,
		OnError: func(*Message, error) { panic("onerror boom") },
	}
	q.Enqueue(context.Background(), testMessage(), func(error) { close(called); panic("done boom") })
	<-called
	if err := q.Close(context.Background()); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	for _, want := range []string{"onerror boom", "done boom"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log = %q, want it to mention %q", logs.String(), want)
		}
	}
}
