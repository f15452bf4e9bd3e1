package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// ErrQueueClosed is returned (through the done callback) for mails queued
// after Queue.Close.
var ErrQueueClosed = errors.New("mail: queue closed")

// ErrMailerPanic is wrapped by the error reported when a Mailer panics.
var ErrMailerPanic = errors.New("mail: mailer panicked")

// Queue sends mails in the background (Enqueue) or synchronously with a hard
// bound (Send), recovering panics of the wrapped Mailer. Mails are queued
// after a transaction commits (spec §10.7: verification, reset and OTP mails
// go out after the API answered), and a slow or broken mail server must
// never hold a request open. Set the exported fields before first use; the
// zero value (with Mailer set) is ready.
type Queue struct {
	// Mailer does the delivery; required.
	Mailer Mailer
	// Timeout bounds each delivery; default DefaultTimeout.
	Timeout time.Duration
	// MaxConcurrent caps concurrent background deliveries, so a burst of
	// requests cannot open unbounded SMTP connections; default 4.
	MaxConcurrent int
	// Logger receives failed deliveries; default slog.Default().
	Logger *slog.Logger
	// OnError, when set, is called after logging each failed background
	// delivery (e.g. to count failures).
	OnError func(m *Message, err error)

	once   sync.Once
	sem    chan struct{}
	base   context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

var _ Mailer = (*Queue)(nil)

func (q *Queue) init() {
	q.once.Do(func() {
		n := q.MaxConcurrent
		if n <= 0 {
			n = 4
		}
		q.sem = make(chan struct{}, n)
		q.base, q.cancel = context.WithCancel(context.Background())
	})
}

func (q *Queue) timeout() time.Duration {
	if q.Timeout > 0 {
		return q.Timeout
	}
	return DefaultTimeout
}

func (q *Queue) logger() *slog.Logger {
	if q.Logger != nil {
		return q.Logger
	}
	return slog.Default()
}

// Enqueue sends a copy of m in the background and returns at once. ctx's
// values are kept but its cancellation is ignored, because the request that
// queues a mail usually ends before the mail is sent. done, when not nil, is
// called with the outcome (nil on success) from the background goroutine —
// e.g. to delete an OTP whose mail failed (spec §1.4 A5). Failures are also
// logged and passed to OnError.
func (q *Queue) Enqueue(ctx context.Context, m *Message, done func(error)) {
	q.init()
	msg := m
	if m != nil {
		msg = m.clone()
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.report(msg, ErrQueueClosed, done)
		return
	}
	q.wg.Add(1)
	q.mu.Unlock()

	sendCtx := context.WithoutCancel(ctx)
	go func() {
		defer q.wg.Done()
		var err error
		select {
		case q.sem <- struct{}{}:
			err = q.deliver(sendCtx, msg)
			<-q.sem
		case <-q.base.Done():
			err = fmt.Errorf("mail: queue: %w", context.Canceled)
		}
		q.report(msg, err, done)
	}()
}

// Send delivers m and waits for the outcome, but never longer than Timeout
// or ctx's deadline: when the bound is hit it returns ctx's error even if
// the Mailer ignores its ctx (the delivery then finishes in the background).
// Used for the synchronous mails (e-mail change, login alert, test mail).
// Send does not go through the background slots and works after Close.
func (q *Queue) Send(ctx context.Context, m *Message) error {
	q.init()
	ctx, cancel := context.WithTimeout(ctx, q.timeout())
	defer cancel()
	res := make(chan error, 1) // buffered: a late result must not leak the goroutine
	go func() { res <- q.safeSend(ctx, m) }()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return fmt.Errorf("mail: send: %w", ctx.Err())
	}
}

// Close stops accepting mails and waits for queued ones to finish. When ctx
// ends first, in-flight deliveries are cancelled and ctx's error returned.
func (q *Queue) Close(ctx context.Context) error {
	q.init()
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		q.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		q.cancel()
		return nil
	case <-ctx.Done():
		q.cancel()
		return fmt.Errorf("mail: queue close: %w", ctx.Err())
	}
}

// deliver runs one bounded delivery on behalf of a background mail.
func (q *Queue) deliver(ctx context.Context, m *Message) error {
	ctx, cancel := context.WithTimeout(ctx, q.timeout())
	defer cancel()
	stop := context.AfterFunc(q.base, cancel) // Close may abort us
	defer stop()
	return q.safeSend(ctx, m)
}

// safeSend calls the Mailer, turning a panic into an error so one broken
// mail cannot crash the process from a background goroutine.
func (q *Queue) safeSend(ctx context.Context, m *Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			q.logger().Error("mail: mailer panicked", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrMailerPanic, r)
		}
	}()
	if q.Mailer == nil {
		return errors.New("mail: queue has no mailer")
	}
	if m == nil {
		return fmt.Errorf("%w: nil message", ErrInvalidMessage)
	}
	return q.Mailer.Send(ctx, m)
}

// report logs a failure, then calls OnError and done, each guarded against
// panics for the same reason as safeSend.
func (q *Queue) report(m *Message, err error, done func(error)) {
	if err != nil {
		var to []string
		subject := ""
		if m != nil {
			to, subject = m.recipients(), m.Subject
		}
		q.logger().Error("mail: send failed", "to", to, "subject", subject, "error", err)
		if q.OnError != nil {
			q.guard(func() { q.OnError(m, err) })
		}
	}
	if done != nil {
		q.guard(func() { done(err) })
	}
}

func (q *Queue) guard(f func()) {
	defer func() {
		if r := recover(); r != nil {
			q.logger().Error("mail: mail callback panicked", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	f()
}
