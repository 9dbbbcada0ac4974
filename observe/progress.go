package observe

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/strata-db/strata/migrate"
)

// ProgressOptions configure [NewProgress].
type ProgressOptions struct {
	// Writer receives the bars (the terminal's stderr).
	Writer io.Writer
	// TTY draws bars; otherwise progress is logged to Logger.
	TTY bool
	// Logger receives progress lines when TTY is false (a JSON handler
	// gives JSON lines). Nil discards them.
	Logger *slog.Logger
	// Every is the time between progress lines (default 5s). A pass that
	// ends sooner logs nothing.
	Every time.Duration
}

// Progress is a [Sink] that shows each backfill or copy pass: on a terminal
// a bar with rows done of total, rate and time left; elsewhere a log line
// every few seconds.
type Progress struct {
	o      ProgressOptions
	bar    *progressbar.ProgressBar
	barMax int64
	cur    passKey
	passes map[passKey]*progressPass
}

type progressPass struct {
	start   time.Time
	lastLog time.Time
	logged  bool
	rows    int64
	total   int64
}

var _ Sink = (*Progress)(nil)

// NewProgress returns a progress sink.
func NewProgress(o ProgressOptions) *Progress {
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Writer == nil {
		o.Writer = io.Discard
	}
	return &Progress{o: o, passes: map[passKey]*progressPass{}}
}

// Handle implements [Sink].
func (p *Progress) Handle(e migrate.Event) {
	switch e.Kind {
	case migrate.EventBatchDone:
		p.batch(e)
	case migrate.EventMigrationFinished, migrate.EventMigrationFailed:
		mig := Label(e)
		for k, ps := range p.passes {
			if k.migration == mig {
				p.endPass(k, ps, e.Kind == migrate.EventMigrationFinished)
			}
		}
	}
}

// Close finishes a bar still drawn.
func (p *Progress) Close() {
	if p.bar != nil {
		_ = p.bar.Exit()
		p.bar = nil
	}
}

func (p *Progress) batch(e migrate.Event) {
	k := passKey{Label(e), e.Table}
	ps := p.passes[k]
	if ps == nil || e.Rows < ps.rows {
		ps = &progressPass{start: e.Time.Add(-e.Duration)}
		ps.lastLog = ps.start
		p.passes[k] = ps
	}
	ps.rows = e.Rows
	ps.total = e.RowsTotal
	if p.o.TTY {
		p.draw(k, ps)
		return
	}
	if e.Time.Sub(ps.lastLog) >= p.o.Every {
		ps.lastLog = e.Time
		ps.logged = true
		p.log(k, ps, e.Time, false)
	}
}

func (p *Progress) draw(k passKey, ps *progressPass) {
	// The total is an estimate that can be low: keep the bar's end past the
	// rows done, so only the end of the pass completes it.
	want := int64(-1) // no estimate: a spinner until one comes
	if ps.total > 0 {
		want = max(ps.total, ps.rows+1)
	}
	if p.bar == nil || p.cur != k || (p.barMax < 0 && want > 0) {
		p.Close()
		p.cur = k
		p.barMax = want
		p.bar = progressbar.NewOptions64(want,
			progressbar.OptionSetWriter(p.o.Writer),
			progressbar.OptionSetDescription(fmt.Sprintf("%s %s", k.migration, k.table)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionUseANSICodes(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.o.Writer) }),
		)
	}
	if want > p.barMax {
		p.barMax = want
		p.bar.ChangeMax64(want)
	}
	_ = p.bar.Set64(ps.rows)
}

func (p *Progress) endPass(k passKey, ps *progressPass, ok bool) {
	delete(p.passes, k)
	if p.o.TTY {
		if p.bar != nil && p.cur == k {
			if ok {
				p.bar.ChangeMax64(ps.rows)
				_ = p.bar.Finish()
			}
			p.Close()
		}
		return
	}
	if ps.logged {
		p.log(k, ps, time.Now(), true)
	}
}

func (p *Progress) log(k passKey, ps *progressPass, now time.Time, end bool) {
	if p.o.Logger == nil {
		return
	}
	elapsed := now.Sub(ps.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(ps.rows) / elapsed.Seconds()
	}
	total := max(ps.total, ps.rows)
	attrs := []slog.Attr{
		slog.String("migration", k.migration), slog.String("table", k.table),
		slog.Int64("rows", ps.rows), slog.Int64("rows_total", total),
		slog.Float64("rows_per_second", float64(int64(rate))), slog.Duration("elapsed", elapsed.Round(time.Second)),
	}
	msg := "backfill done"
	if !end {
		msg = "backfill progress"
		if total > 0 {
			attrs = append(attrs, slog.Float64("percent", float64(int(1000*float64(ps.rows)/float64(total)))/10))
		}
		if rate > 0 && total > ps.rows {
			eta := time.Duration(float64(total-ps.rows) / rate * float64(time.Second))
			attrs = append(attrs, slog.Duration("eta", eta.Round(time.Second)))
		}
	}
	p.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
}
