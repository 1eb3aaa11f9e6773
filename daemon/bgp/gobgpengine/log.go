package gobgpengine

import (
	"context"
	"log/slog"
)

// quietHandler passes GoBGP's own log lines on one level lower: GoBGP logs
// every connect attempt, refused connection and message exchange at Info
// or Warn, which at a daemon's Info level would bury what matters. The
// speaker logs session changes and route changes itself, at Info; GoBGP's
// errors still reach Warn, its warnings and information Debug, and its
// debug output nothing.
type quietHandler struct{ next slog.Handler }

func demote(l slog.Level) slog.Level {
	switch {
	case l >= slog.LevelError:
		return slog.LevelWarn
	case l >= slog.LevelInfo:
		return slog.LevelDebug
	default:
		return slog.LevelDebug - 4
	}
}

func (q quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return q.next.Enabled(ctx, demote(l))
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return q.next.Handle(ctx, r)
}

func (q quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return quietHandler{q.next.WithAttrs(as)}
}

func (q quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{q.next.WithGroup(name)}
}
