package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/online"
)

// runFlags are the flags of commands that open the migration history.
// Each command registers only the ones it uses (see runFlag), so that its
// help lists no flag that does nothing there.
type runFlags struct {
	onlineLockTimeout time.Duration
	onlineMaxWait     time.Duration
	batchTime         time.Duration
	lockTimeout       time.Duration
	allowOutOfOrder   bool
	allowDrift        bool
	autoRollback      bool
	skipMissingDown   bool
	allowUnsafe       bool
	cmd               *cobra.Command
	table             string
	has               runFlag
	// create: the command may create a SQLite database file that does
	// not exist (up); every other command refuses to, so that a typo in
	// the path is an error instead of an empty database.
	create bool
	// planOnly: a missing SQLite file is planned for as a new, empty
	// database (plan before the first up), without creating the file.
	planOnly bool
}

// runFlag names a group of runFlags.
type runFlag uint

const (
	flagTable           runFlag = 1 << iota // --table: every command that reads the history
	flagLockTimeout                         // --lock-timeout: commands that take the runner lock
	flagOutOfOrder                          // --allow-out-of-order: commands that plan an up run
	flagDrift                               // --allow-drift: commands that plan a run
	flagAutoRollback                        // --auto-rollback: commands that apply migrations
	flagSkipMissingDown                     // --skip-missing-down: commands that plan a down run
	flagOnlineLock                          // --online-lock-timeout, --online-max-lock-wait: commands that run online DDL
	flagBatchTime                           // --batch-time: commands that backfill
)

func (f *runFlags) register(cmd *cobra.Command, has runFlag) {
	f.cmd, f.has = cmd, has
	f.autoRollback = true
	f.onlineLockTimeout = online.DefaultLockTimeout
	fl := cmd.Flags()
	// Usage strings must not hold backquotes: pflag shows a backquoted
	// word as the flag's value name ("--allow-drift strata repair").
	if has&flagLockTimeout != 0 {
		fl.DurationVar(&f.lockTimeout, "lock-timeout", 0, "how long to wait for another runner's lock (default 5m, env STRATA_LOCK_TIMEOUT)")
	}
	if has&flagOutOfOrder != 0 {
		fl.BoolVar(&f.allowOutOfOrder, "allow-out-of-order", false, "apply pending migrations older than the newest applied one")
	}
	if has&flagDrift != 0 {
		fl.BoolVar(&f.allowDrift, "allow-drift", false, "run although applied files were edited (prefer 'strata repair V', which records the edit)")
	}
	if has&flagAutoRollback != 0 {
		fl.BoolVar(&f.autoRollback, "auto-rollback", true, "when a migration fails outside a transaction, run its down section to undo it")
	}
	if has&flagTable != 0 {
		fl.StringVar(&f.table, "table", "", "history table, name or schema.name (default strata_schema_migrations, env STRATA_TABLE)")
	}
	if has&flagSkipMissingDown != 0 {
		fl.BoolVar(&f.skipMissingDown, "skip-missing-down", false, "step over migrations without a down part (remove their history rows), as golang-migrate and goose do")
	}
	if has&flagOnlineLock != 0 {
		fl.DurationVar(&f.onlineLockTimeout, "online-lock-timeout", online.DefaultLockTimeout, "online migrations: lock_timeout of each DDL statement, retried with backoff when it expires")
		fl.DurationVar(&f.onlineMaxWait, "online-max-lock-wait", 0, "online migrations: total retry time of one DDL statement before giving up (default 2m)")
	}
	if has&flagBatchTime != 0 {
		fl.DurationVar(&f.batchTime, "batch-time", 0, "online migrations: target time of one backfill batch (default 100ms)")
	}
}

// options are the provider options the flags set; none for a nil f (a
// command without run flags).
func (f *runFlags) options() []migrate.Option {
	if f == nil {
		return nil
	}
	var opts []migrate.Option
	if f.lockTimeout > 0 || (f.cmd != nil && f.cmd.Flags().Changed("lock-timeout")) {
		opts = append(opts, migrate.WithLockTimeout(f.lockTimeout))
	}
	if f.allowOutOfOrder {
		opts = append(opts, migrate.WithAllowOutOfOrder(true))
	}
	opts = append(opts, migrate.WithAllowDrift(f.allowDrift), migrate.WithSkipMissingDown(f.skipMissingDown))
	if f.has&flagAutoRollback != 0 && !f.autoRollback {
		opts = append(opts, migrate.WithAutoRollback(false))
	}
	return opts
}

// tableOr is the history table --table names, else configured.
func (f *runFlags) tableOr(configured string) string {
	if f != nil && f.table != "" {
		return f.table
	}
	return configured
}
