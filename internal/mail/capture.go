package mail

import (
	"context"
	"fmt"
	"sync"
)

// Capture is a Mailer that records messages instead of sending them, for
// tests. The zero value is ready to use and safe for concurrent use.
// Messages are validated like a real mailer would, so tests see injection
// errors too.
type Capture struct {
	mu      sync.Mutex
	msgs    []Message
	fail    error
	changed chan struct{} // closed and replaced on every change, to wake Wait
}

var _ Mailer = (*Capture)(nil)

// Send validates m and stores a copy of it, or returns the error set with
// FailWith without storing anything.
func (c *Capture) Send(ctx context.Context, m *Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: capture: %w", err)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.msgs = append(c.msgs, *m.clone())
	c.notifyLocked()
	return nil
}

// FailWith makes every following Send return err (nil restores success), to
// test how callers handle delivery failures.
func (c *Capture) FailWith(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = err
}

// Messages returns a copy of the messages captured so far, oldest first.
func (c *Capture) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Message, len(c.msgs))
	for i := range c.msgs {
		out[i] = *c.msgs[i].clone()
	}
	return out
}

// Last returns the most recent message, and false when none was captured.
func (c *Capture) Last() (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) == 0 {
		return Message{}, false
	}
	return *c.msgs[len(c.msgs)-1].clone(), true
}

// Reset forgets every captured message (FailWith is kept).
func (c *Capture) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = nil
	c.notifyLocked()
}

// Wait blocks until at least n messages have been captured and returns
// them, or returns ctx's error when it ends first. It lets tests wait for
// asynchronous mails without sleeping.
func (c *Capture) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		c.mu.Lock()
		if len(c.msgs) >= n {
			c.mu.Unlock()
			return c.Messages(), nil
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		ch := c.changed
		got := len(c.msgs)
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("mail: capture: waited for %d messages, got %d: %w", n, got, ctx.Err())
		}
	}
}

func (c *Capture) notifyLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}
