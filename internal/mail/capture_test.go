package mail

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCapture(t *testing.T) {
	t.Parallel()
	t.Run("stores copies in order", func(t *testing.T) {
		t.Parallel()
		var c Capture
		if _, ok := c.Last(); ok {
			t.Fatal("Last() on an empty capture reported a message")
		}
		for _, subject := range []string{"one", "two"} {
			m := testMessage()
			m.Subject = subject
			if err := c.Send(context.Background(), m); err != nil {
				t.Fatalf("Send() = %v", err)
			}
			m.Subject = "mutated after send"
		}
		msgs := c.Messages()
		if len(msgs) != 2 || msgs[0].Subject != "one" || msgs[1].Subject != "two" {
			t.Fatalf("Messages() = %+v, want one, two", msgs)
		}
		msgs[0].To[0].Email = "mutated@example.org"
		if last, ok := c.Last(); !ok || last.Subject != "two" {
			t.Errorf("Last() = %q, %v, want two", last.Subject, ok)
		}
		if got := c.Messages()[0].To[0].Email; got != "ann@example.org" {
			t.Errorf("stored recipient = %q, want it unaffected by callers", got)
		}
		c.Reset()
		if got := len(c.Messages()); got != 0 {
			t.Errorf("after Reset, %d messages, want 0", got)
		}
	})
	t.Run("validates like a real mailer", func(t *testing.T) {
		t.Parallel()
		var c Capture
		m := testMessage()
		m.Subject = "x\r\nBcc: eve@evil.test"
		if err := c.Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("Send() = %v, want ErrInvalidMessage", err)
		}
		if got := len(c.Messages()); got != 0 {
			t.Errorf("captured %d messages, want 0", got)
		}
	})
	t.Run("FailWith", func(t *testing.T) {
		t.Parallel()
		var c Capture
		boom := errors.New("smtp down")
		c.FailWith(boom)
		if err := c.Send(context.Background(), testMessage()); !errors.Is(err, boom) {
			t.Errorf("Send() = %v, want %v", err, boom)
		}
		c.FailWith(nil)
		if err := c.Send(context.Background(), testMessage()); err != nil {
			t.Errorf("Send() after FailWith(nil) = %v", err)
		}
		if got := len(c.Messages()); got != 1 {
			t.Errorf("captured %d messages, want 1", got)
		}
	})
	t.Run("Wait returns once enough mails arrived", func(t *testing.T) {
		t.Parallel()
		var c Capture
		q := &Queue{Mailer: &c}
		for range 3 {
			q.Enqueue(context.Background(), testMessage(), nil)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		msgs, err := c.Wait(ctx, 3)
		if err != nil || len(msgs) != 3 {
			t.Errorf("Wait() = %d messages, %v; want 3, nil", len(msgs), err)
		}
	})
	t.Run("Wait gives up with ctx", func(t *testing.T) {
		t.Parallel()
		var c Capture
		_ = c.Send(context.Background(), testMessage())
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := c.Wait(ctx, 2); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait() = %v, want DeadlineExceeded", err)
		}
	})
}
