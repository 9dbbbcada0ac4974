package adopt

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/strata-db/strata/migrate"
)

// Entry is one migration an adoption records as applied, or one that
// stays pending.
type Entry struct {
	Version migrate.Version `json:"version"`
	Name    string          `json:"name"`
	File    string          `json:"file"`
	// From says which row of the other tool's history the entry comes
	// from ("goose_db_version id 4", "up to golang-migrate's version 3").
	From        string    `json:"from,omitempty"`
	AppliedAt   time.Time `json:"applied_at,omitzero"`
	AppliedBy   string    `json:"applied_by,omitempty"`
	ExecutionMS int64     `json:"-"`
	checksum    string
}

// Problem kinds.
const (
	// ProblemNoFile: the tool applied a migration the directory has no
	// file for.
	ProblemNoFile = "applied without a file"
	// ProblemNotApplied: a file older than the newest applied migration
	// was never applied.
	ProblemNotApplied = "older file never applied"
	// ProblemFailed: the tool recorded the migration as failed.
	ProblemFailed = "failed"
	// ProblemDirty: golang-migrate stopped part-way through the migration.
	ProblemDirty = "dirty"
	// ProblemEdited: the file changed since the tool applied it.
	ProblemEdited = "edited since applied"
)

// Problem is one place where the other tool's history and the directory
// disagree. Fix says what to do about it.
type Problem struct {
	Kind    string `json:"kind"`
	Version string `json:"version,omitempty"`
	File    string `json:"file,omitempty"`
	// Row is where in the tool's table the problem is.
	Row     string `json:"row,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

func (p Problem) String() string { return p.Message + "\n    fix: " + p.Fix }

// Plan is what an adoption would write: the migrations recorded as
// applied, the rows left alone, the migrations left pending, and every
// disagreement, which stops the adoption.
type Plan struct {
	Tool  Tool   `json:"tool"`
	Table string `json:"table"`
	// Adopt are the migrations recorded as applied, in version order.
	Adopt []Entry `json:"adopt"`
	// Foreign lists the tool's rows for apps the directory does not cover
	// (Django's auth, contenttypes, … when they were not imported): they
	// are left alone.
	Foreign []string `json:"foreign"`
	// Pending are the migrations newer than everything applied: the next
	// `strata up` runs them.
	Pending  []Entry   `json:"pending"`
	Problems []Problem `json:"problems"`
	// Note is what else the tool recorded (Rails' environment).
	Note string `json:"note,omitempty"`
}

// ErrConflict is matched by the error of a plan with problems.
var ErrConflict = errors.New("the other tool's history and the migration directory disagree")

// ConflictError lists every problem of a plan.
type ConflictError struct {
	Tool     Tool
	Problems []Problem
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "adopt %s: %d problem(s) between its history and the migration directory; nothing was written:", e.Tool, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Is matches [ErrConflict].
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Err returns a [*ConflictError] when the plan has problems, else nil.
func (pl *Plan) Err() error {
	if len(pl.Problems) == 0 {
		return nil
	}
	return &ConflictError{Tool: pl.Tool, Problems: pl.Problems}
}

// Adopted returns the rows [migrate.Provider.Adopt] records.
func (pl *Plan) Adopted() []migrate.Adopted {
	out := make([]migrate.Adopted, 0, len(pl.Adopt))
	for _, e := range pl.Adopt {
		out = append(out, migrate.Adopted{Version: e.Version, AppliedAt: e.AppliedAt, AppliedBy: e.AppliedBy, ExecutionMS: e.ExecutionMS,
			Note: "adopted from " + e.From, Checksum: e.checksum})
	}
	return out
}

// DjangoMarker is the comment `strata import django` writes at the top of
// each migration, naming the Django migration it came from; an adoption
// of Django's history matches django_migrations rows by it.
var DjangoMarker = regexp.MustCompile(`(?m)^-- django-migration: (\S+) (\S+)\s*$`)

// PlanOptions tune [NewPlan].
type PlanOptions struct {
	// FS is the migration directory, for the checksums tools keep of
	// their files (Flyway, Atlas, Prisma, sqitch); nil skips them.
	FS fs.FS
	// Dir is put before file names in the plan, for messages.
	Dir string
	// Recorded are the versions strata's history already has (an earlier
	// adoption, or migrations strata ran since): they are neither adopted
	// again nor reported as never applied.
	Recorded map[migrate.Version]bool
}

// NewPlan matches h with the directory's migrations ms (as [migrate.Load]
// returns them, their files relative to opts.FS). It only reads.
func NewPlan(h *History, ms []*migrate.Migration, opts PlanOptions) *Plan {
	pl := &Plan{Tool: h.Tool, Table: h.Table, Note: h.Note, Adopt: []Entry{}, Foreign: []string{}, Pending: []Entry{}, Problems: []Problem{}}
	m := matcher{h: h, fsys: opts.FS, dir: opts.Dir, pl: pl, used: map[int]bool{}, byKey: map[string][]int{}}
	for i, r := range h.Rows {
		m.byKey[m.rowKey(r)] = append(m.byKey[m.rowKey(r)], i)
	}
	m.covered = map[string]bool{}
	for _, mg := range ms {
		if app, _, ok := djangoKey(mg); ok {
			m.covered[app] = true
		}
	}
	var newest migrate.Version
	var unmatched []*migrate.Migration
	for _, mg := range ms {
		e := Entry{Version: key(mg), Name: mg.Name, File: m.file(mg)}
		i, ok := m.find(mg)
		switch {
		case ok:
			m.used[i] = true
			if !opts.Recorded[key(mg)] {
				m.row(mg, h.Rows[i], e)
			}
			if !mg.Repeatable && mg.Version.Compare(newest) > 0 {
				newest = mg.Version
			}
		case !mg.Repeatable && h.UpTo != "" && mg.Version.Compare(h.UpTo) <= 0:
			m.upTo(mg, e)
			if mg.Version.Compare(newest) > 0 {
				newest = mg.Version
			}
		default:
			unmatched = append(unmatched, mg)
		}
	}
	for _, mg := range unmatched {
		e := Entry{Version: key(mg), Name: mg.Name, File: m.file(mg)}
		if opts.Recorded[key(mg)] {
			continue
		}
		if !mg.Repeatable && mg.Version.Compare(newest) < 0 {
			pl.Problems = append(pl.Problems, Problem{Kind: ProblemNotApplied, Version: string(mg.Version), File: m.file(mg),
				Message: fmt.Sprintf("%s (version %s) was never applied by %s, but %s applied version %s after it", m.file(mg), mg.Version, h.Tool, h.Tool, newest),
				Fix:     fmt.Sprintf("apply it with %s first (%s), or give the file a version after %s; then run `strata adopt` again", h.Tool, outOfOrderHint(h.Tool), newest)})
			continue
		}
		pl.Pending = append(pl.Pending, e)
	}
	m.leftovers()
	return pl
}

// file is mg's first file as messages show it.
func (m *matcher) file(mg *migrate.Migration) string {
	if m.dir == "" || m.dir == "." {
		return mg.File()
	}
	return strings.TrimSuffix(m.dir, "/") + "/" + mg.File()
}

// key is a migration's key in strata's history.
func key(m *migrate.Migration) migrate.Version {
	if m.Repeatable {
		return migrate.Version("R__" + m.Name)
	}
	return m.Version
}

// matcher pairs history rows with migrations.
type matcher struct {
	h       *History
	fsys    fs.FS
	dir     string
	pl      *Plan
	byKey   map[string][]int
	used    map[int]bool
	covered map[string]bool // Django apps the directory has migrations of
}

// rowKey is the key a row is looked up by.
func (m *matcher) rowKey(r Row) string {
	switch m.h.Tool {
	case Liquibase:
		id, rest, _ := strings.Cut(r.Key, "::")
		author, file, _ := strings.Cut(rest, "::")
		return id + "::" + author + "::" + path.Base(file)
	case Flyway:
		if r.Repeatable {
			return "R:" + path.Base(r.Key)
		}
	case Laravel:
		return string(r.Version)
	}
	if r.Version != "" {
		return string(r.Version)
	}
	return r.Key
}

// find returns the index of the row that records mg.
func (m *matcher) find(mg *migrate.Migration) (int, bool) {
	var k string
	switch {
	case m.h.Tool == Django:
		app, name, ok := djangoKey(mg)
		if !ok {
			return 0, false
		}
		k = app + "." + name
	case m.h.Tool == Liquibase:
		id, rest, _ := strings.Cut(mg.Origin, "::")
		author, file, _ := strings.Cut(rest, "::")
		k = id + "::" + author + "::" + path.Base(file)
	case m.h.Tool == Sqitch:
		k = mg.Origin
	case mg.Repeatable:
		k = "R:" + path.Base(m.file(mg))
	default:
		k = string(mg.Version)
	}
	for _, i := range m.byKey[k] {
		if !m.used[i] {
			return i, true
		}
	}
	return 0, false
}

func djangoKey(mg *migrate.Migration) (app, name string, ok bool) {
	sm := DjangoMarker.FindStringSubmatch(mg.Source)
	if sm == nil {
		return "", "", false
	}
	return sm[1], sm[2], true
}

// row handles a migration the tool has a row for.
func (m *matcher) row(mg *migrate.Migration, r Row, e Entry) {
	e.From, e.AppliedAt, e.AppliedBy, e.ExecutionMS = r.Where, r.AppliedAt, r.AppliedBy, r.ExecutionMS
	if r.State == Failed {
		msg := fmt.Sprintf("%s recorded %s (%s) as failed at %s", m.h.Tool, m.file(mg), r.Name, r.Where)
		if r.Error != "" {
			msg += ": " + r.Error
		}
		m.pl.Problems = append(m.pl.Problems, Problem{Kind: ProblemFailed, Version: string(e.Version), File: m.file(mg), Row: r.Where, Message: msg, Fix: failedFix(m.h.Tool, m.file(mg), mg, r)})
		return
	}
	if now := m.sums(mg); len(now) > 0 && r.Checksum != "" && !anyEqual(r.Checksum, now) {
		if mg.Repeatable {
			// Flyway runs an edited repeatable again; so will strata.
			e.checksum = "flyway:" + r.Checksum
		} else {
			m.pl.Problems = append(m.pl.Problems, Problem{Kind: ProblemEdited, Version: string(e.Version), File: m.file(mg), Row: r.Where,
				Message: fmt.Sprintf("%s was edited since %s applied it (checksum %s in %s, %s now)", m.file(mg), m.h.Tool, r.Checksum, r.Where, now[0]),
				Fix:     editedFix(m.h.Tool)})
			return
		}
	}
	m.pl.Adopt = append(m.pl.Adopt, e)
}

// upTo handles a migration at or below golang-migrate's version (or a
// Flyway or Atlas baseline).
func (m *matcher) upTo(mg *migrate.Migration, e Entry) {
	what := fmt.Sprintf("%s's version %s", m.h.Tool, m.h.UpTo)
	if m.h.Tool != GolangMigrate {
		what = fmt.Sprintf("%s's baseline %s", m.h.Tool, m.h.UpTo)
	}
	e.From = "up to " + what
	if m.h.UpToDirty && mg.Version == m.h.UpTo {
		m.pl.Problems = append(m.pl.Problems, Problem{Kind: ProblemDirty, Version: string(mg.Version), File: m.file(mg), Row: "schema_migrations version " + string(m.h.UpTo) + " dirty",
			Message: fmt.Sprintf("golang-migrate stopped part-way through version %s (%s): schema_migrations says dirty", mg.Version, m.file(mg)),
			Fix: fmt.Sprintf("look at what %s did, finish or undo it by hand, then run `migrate -path DIR -database URL force %s` if it is now complete (or `force %s` if you undid it), and run `strata adopt` again",
				m.file(mg), mg.Version, m.previous(mg.Version))})
		return
	}
	m.pl.Adopt = append(m.pl.Adopt, e)
}

// previous is golang-migrate's version before v (-1 for none).
func (m *matcher) previous(v migrate.Version) string {
	prev := "-1"
	for _, e := range m.pl.Adopt {
		if e.Version.Compare(v) < 0 {
			prev = string(e.Version)
		}
	}
	return prev
}

// leftovers reports the rows no migration matched.
func (m *matcher) leftovers() {
	if m.h.UpTo != "" && m.h.Tool == GolangMigrate {
		found := false
		for _, e := range m.pl.Adopt {
			found = found || e.Version == m.h.UpTo
		}
		for _, p := range m.pl.Problems {
			found = found || p.Version == string(m.h.UpTo)
		}
		if !found {
			m.pl.Problems = append(m.pl.Problems, Problem{Kind: ProblemNoFile, Version: string(m.h.UpTo), Row: "schema_migrations version " + string(m.h.UpTo),
				Message: fmt.Sprintf("golang-migrate is at version %s, but the directory has no migration %s", m.h.UpTo, m.h.UpTo),
				Fix:     "restore the file from version control, or point --dir at the directory golang-migrate used"})
		}
	}
	foreign := map[string]int{}
	var apps []string
	for i, r := range m.h.Rows {
		if m.used[i] {
			continue
		}
		if m.h.Tool == Django {
			app, _, _ := strings.Cut(r.Key, ".")
			if !m.covered[app] {
				if foreign[app] == 0 {
					apps = append(apps, app)
				}
				foreign[app]++
				continue
			}
		}
		m.pl.Problems = append(m.pl.Problems, Problem{Kind: ProblemNoFile, Version: string(r.Version), Row: r.Where,
			Message: fmt.Sprintf("%s applied %s (%s), but the directory has no migration for it", m.h.Tool, r.Key, r.Where),
			Fix:     fmt.Sprintf("restore its file from version control (or point --dir at the directory %s used); if it was removed on purpose, undo it with %s first", m.h.Tool, m.h.Tool)})
	}
	for _, app := range apps {
		m.pl.Foreign = append(m.pl.Foreign, fmt.Sprintf("%s: %d migration(s) of an app the directory does not cover; left alone in %s", app, foreign[app], m.h.Table))
	}
}

// sums are the checksums the tool would accept for mg's file as it is now
// (Prisma also accepts the file with its line endings changed); none for
// tools that keep no checksum strata checks.
func (m *matcher) sums(mg *migrate.Migration) []string {
	if m.fsys == nil || len(mg.Files) == 0 {
		return nil
	}
	b, err := fs.ReadFile(m.fsys, mg.Files[0])
	if err != nil {
		return nil
	}
	switch m.h.Tool {
	case Flyway:
		return []string{fmt.Sprint(FlywayChecksum(b))}
	case Prisma:
		h := sha256.Sum256(b)
		lf := sha256.Sum256([]byte(strings.ReplaceAll(string(b), "\r\n", "\n")))
		crlf := sha256.Sum256([]byte(strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n", "\r\n")))
		return []string{hex.EncodeToString(h[:]), hex.EncodeToString(lf[:]), hex.EncodeToString(crlf[:])}
	case Sqitch:
		h := sha1.Sum(b)
		return []string{hex.EncodeToString(h[:])}
	case Atlas:
		_, files, err := migrate.AtlasHashes(m.fsys)
		if err != nil {
			return nil
		}
		return []string{files[path.Base(mg.Files[0])]}
	}
	return nil
}

func anyEqual(s string, in []string) bool {
	for _, x := range in {
		if strings.EqualFold(s, x) {
			return true
		}
	}
	return false
}

// FlywayChecksum is Flyway's checksum of a SQL file: CRC-32 over the UTF-8
// bytes of each line without its line ending (a byte-order mark on the
// first line dropped), as a signed 32-bit number, so line endings do not
// count.
func FlywayChecksum(b []byte) int32 {
	s := strings.TrimPrefix(string(b), "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	h := crc32.NewIEEE()
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return int32(h.Sum32())
}

func outOfOrderHint(t Tool) string {
	switch t {
	case Goose:
		return "`goose -allow-missing up`"
	case Flyway:
		return "`flyway -outOfOrder=true migrate`"
	case Dbmate:
		return "`dbmate up`"
	case Rails:
		return "`rails db:migrate`"
	case Django:
		return "`python manage.py migrate`"
	case Laravel:
		return "`php artisan migrate`"
	case Atlas:
		return "`atlas migrate apply --exec-order non-linear`"
	case Prisma:
		return "`prisma migrate deploy`"
	case Liquibase:
		return "`liquibase update`"
	case Sqitch:
		return "`sqitch deploy`"
	}
	return "its up command"
}

func failedFix(t Tool, file string, mg *migrate.Migration, r Row) string {
	undo := fmt.Sprintf("undo by hand whatever %s did part-way", file)
	switch t {
	case Flyway:
		return undo + ", then run `flyway repair` (it removes the failed row) and apply it again with `flyway migrate`, or leave it for `strata up`; then run `strata adopt` again"
	case Prisma:
		return fmt.Sprintf("%s and run `prisma migrate resolve --rolled-back %s`, or finish it by hand and run `prisma migrate resolve --applied %s`; then run `strata adopt` again", undo, r.Name, r.Name)
	case Atlas:
		return fmt.Sprintf("finish the file by hand and run `atlas migrate set %s`, or %s and run `atlas migrate set` with the version before it; then run `strata adopt` again", mg.Version, undo)
	case Liquibase:
		return fmt.Sprintf("%s, remove the FAILED row (`liquibase clear-checksums` does not; delete it from databasechangelog or run `liquibase update` again to finish it); then run `strata adopt` again", undo)
	}
	return fmt.Sprintf("%s, apply it again with %s, then run `strata adopt` again", undo, t)
}

func editedFix(t Tool) string {
	switch t {
	case Flyway:
		return "restore the file as it was applied (version control), or if the edit is intended run `flyway repair` to accept it; then run `strata adopt` again"
	case Atlas:
		return "restore the file as it was applied (version control) and run `atlas migrate hash`; then run `strata adopt` again"
	case Prisma:
		return "restore the file as it was applied (version control); Prisma refuses an edited applied migration too; then run `strata adopt` again"
	case Sqitch:
		return "restore the deploy script as it was deployed (version control), or rework the change with `sqitch rework`; then run `strata adopt` again"
	}
	return "restore the file as it was applied; then run `strata adopt` again"
}
