package redis

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/strata-db/strata/engine/internal/kit"
)

// renameKeys renames every key matching Match by replacing its prefix
// From with To.
type renameKeys struct {
	e          *engine
	Match      string `yaml:"match"`
	From       string `yaml:"from"`
	To         string `yaml:"to"`
	OnConflict string `yaml:"on_conflict"` // fail (default), skip, overwrite
	Batch      int64  `yaml:"batch"`
}

func newRenameKeys(e *engine, r kit.RawOp) (kit.Op, error) {
	o := &renameKeys{e: e}
	if err := kit.Decode(r, o); err != nil {
		return nil, err
	}
	if err := kit.Require(r, "match", o.Match, "from", o.From, "to", o.To); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(o.Match, o.From) || strings.ContainsAny(o.From, "*?[\\") {
		return nil, r.Errorf("match %q must start with from %q, and from must have no wildcard: the new name is to + what follows from", o.Match, o.From)
	}
	if strings.HasPrefix(o.To, o.From) || strings.HasPrefix(o.From, o.To) {
		return nil, r.Errorf("from %q and to %q overlap: renamed keys would match again", o.From, o.To)
	}
	switch o.OnConflict {
	case "":
		o.OnConflict = "fail"
	case "fail", "skip", "overwrite":
	default:
		return nil, r.Errorf("on_conflict %q: want fail, skip or overwrite", o.OnConflict)
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	return o, nil
}

func (o *renameKeys) Describe() []string {
	return []string{fmt.Sprintf("rename keys matching %q: %s… → %s… (RENAMENX, on conflict %s; SCAN COUNT %d)", o.Match, o.From, o.To, o.OnConflict, o.Batch)}
}

// Inverse renames them back.
func (o *renameKeys) Inverse() kit.Op {
	inv := *o
	inv.Match = o.To + strings.TrimPrefix(o.Match, o.From)
	inv.From, inv.To = o.To, o.From
	inv.OnConflict = "fail"
	return &inv
}

func (o *renameKeys) Run(ctx context.Context, x *kit.Exec) error {
	var skipped int64
	err := o.e.walk(ctx, x, o.Match, o.Batch, true, func(ctx context.Context, keys []string) (int64, error) {
		pipe := o.e.c.Pipeline()
		cmds := make([]goredis.Cmder, len(keys))
		for i, k := range keys {
			nk := o.To + strings.TrimPrefix(k, o.From)
			if o.OnConflict == "overwrite" {
				cmds[i] = pipe.Rename(ctx, k, nk)
			} else {
				cmds[i] = pipe.RenameNX(ctx, k, nk)
			}
		}
		_, _ = pipe.Exec(ctx)
		var n int64
		var conflicts []string
		for i, c := range cmds {
			switch c := c.(type) {
			case *goredis.BoolCmd:
				ok, err := c.Result()
				switch {
				case err != nil && isNoSuchKey(err):
					// deleted by a client since SCAN returned it
				case err != nil:
					return n, fmt.Errorf("rename %s: %w", keys[i], err)
				case ok:
					n++
				default:
					conflicts = append(conflicts, keys[i])
				}
			case *goredis.StatusCmd:
				if err := c.Err(); err != nil && !isNoSuchKey(err) {
					return n, fmt.Errorf("rename %s: %w", keys[i], err)
				} else if err == nil {
					n++
				}
			}
		}
		if len(conflicts) > 0 && o.OnConflict == "fail" {
			return n, fmt.Errorf("%d keys were not renamed because their new name exists already (first: %s → %s): remove those, or set on_conflict: skip or overwrite, then run `strata up` again",
				len(conflicts), conflicts[0], o.To+strings.TrimPrefix(conflicts[0], o.From))
		}
		skipped += int64(len(conflicts))
		return n, nil
	})
	if skipped > 0 {
		x.Logger.Warn("keys left under their old name because the new one exists (on_conflict: skip)", "version", x.Version, "keys", skipped)
	}
	return err
}

func isNoSuchKey(err error) bool { return err != nil && strings.Contains(err.Error(), "no such key") }
