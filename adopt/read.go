package adopt

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/migrate"
)

// Read returns tool's history as the tool keeps it in the database. It only
// reads: the tool's table is left as it is.
func Read(ctx context.Context, q migrate.Querier, d dialect.Dialect, tool Tool) (*History, error) {
	ok, err := present(ctx, q, d, tool)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no %s history table in this database (%s keeps it in %s)", ErrNoHistory, tool, tool, toolTable(tool))
	}
	r := reader{ctx: ctx, q: q, d: d, h: &History{Tool: tool}}
	switch tool {
	case GolangMigrate:
		err = r.golangMigrate()
	case Goose:
		err = r.goose()
	case Flyway:
		err = r.flyway()
	case Dbmate, Rails:
		err = r.schemaMigrations(tool == Rails)
	case Atlas:
		err = r.atlas()
	case Prisma:
		err = r.prisma()
	case Django:
		err = r.django()
	case Laravel:
		err = r.laravel()
	case Liquibase:
		err = r.liquibase()
	case Sqitch:
		err = r.sqitch()
	}
	if err != nil {
		return nil, fmt.Errorf("read %s's history table %s: %w", tool, r.h.Table, err)
	}
	return r.h, nil
}

func toolTable(t Tool) string {
	switch t {
	case GolangMigrate, Dbmate:
		return "schema_migrations"
	case Rails:
		return "schema_migrations and ar_internal_metadata"
	case Goose:
		return "goose_db_version"
	case Flyway:
		return "flyway_schema_history"
	case Atlas:
		return "atlas_schema_revisions"
	case Prisma:
		return "_prisma_migrations"
	case Django:
		return "django_migrations"
	case Laravel:
		return "migrations"
	case Liquibase:
		return "databasechangelog"
	case Sqitch:
		return "the sqitch schema's changes table"
	}
	return "?"
}

// reader reads one tool's table.
type reader struct {
	ctx context.Context
	q   migrate.Querier
	d   dialect.Dialect
	h   *History
}

// rows runs a SELECT of cols from table (ordered by order) and returns each
// row as column → value, with column names in lower case.
func (r *reader) rows(table dialect.Table, cols []string, order string) ([]map[string]any, error) {
	r.h.Table = table.String()
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = r.d.Quote(c)
	}
	q := "SELECT " + strings.Join(quoted, ", ") + " FROM " + table.Qualified(r.d)
	if order != "" {
		q += " ORDER BY " + r.d.Quote(order)
	}
	rs, err := r.q.QueryContext(r.ctx, q)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []map[string]any
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := map[string]any{}
		for i, c := range cols {
			m[strings.ToLower(c)] = vals[i]
		}
		out = append(out, m)
	}
	return out, rs.Err()
}

func version(s string) migrate.Version {
	v, err := migrate.ParseVersion(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return v
}

// golangMigrate reads schema_migrations (version, dirty): one row, the
// version every migration up to which is applied. golang-migrate empties
// the table when everything is undone.
func (r *reader) golangMigrate() error {
	rows, err := r.rows(dialect.Table{Name: "schema_migrations"}, []string{"version", "dirty"}, "")
	if err != nil {
		return err
	}
	if len(rows) > 1 {
		return fmt.Errorf("%d rows, golang-migrate keeps one; is this another tool's schema_migrations? (pass --from)", len(rows))
	}
	for _, row := range rows {
		if n := asInt(row["version"]); n >= 0 {
			r.h.UpTo = migrate.VersionInt(n)
			r.h.UpToDirty = asBool(row["dirty"])
		}
	}
	return nil
}

// goose reads goose_db_version. Each row says a version was applied
// (is_applied true) or, as goose before v3.? wrote on down, undone; the
// latest row of a version decides. Version 0 is goose's own first row.
func (r *reader) goose() error {
	rows, err := r.rows(dialect.Table{Name: "goose_db_version"}, []string{"id", "version_id", "is_applied", "tstamp"}, "id")
	if err != nil {
		return err
	}
	cur := map[string]Row{}
	ids := map[string]int64{}
	for _, row := range rows {
		n := asInt(row["version_id"])
		if n == 0 {
			continue
		}
		key := migrate.VersionInt(n)
		if !asBool(row["is_applied"]) {
			delete(cur, string(key))
			continue
		}
		id := asInt(row["id"])
		ids[string(key)] = id
		cur[string(key)] = Row{Key: string(key), Version: key, State: Applied, AppliedAt: asTime(row["tstamp"]), Where: fmt.Sprintf("goose_db_version id %d", id)}
	}
	out := make([]Row, 0, len(cur))
	for _, rr := range cur {
		out = append(out, rr)
	}
	// In the order goose applied them, which -allow-missing makes differ
	// from version order.
	sort.Slice(out, func(i, j int) bool { return ids[out[i].Key] < ids[out[j].Key] })
	r.h.Rows = out
	return nil
}

// flyway reads flyway_schema_history in installed_rank order: SQL and JDBC
// rows apply a version (or a repeatable, whose version is NULL), UNDO_SQL
// and DELETE rows remove it, a BASELINE row counts every version up to its
// own as applied, and success = false is a failed migration.
func (r *reader) flyway() error {
	rows, err := r.rows(dialect.Table{Name: "flyway_schema_history"},
		[]string{"installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "installed_on", "execution_time", "success"}, "installed_rank")
	if err != nil {
		return err
	}
	state := map[string]Row{}
	var order []string
	for _, row := range rows {
		typ := strings.ToUpper(asString(row["type"]))
		v := asString(row["version"])
		key := v
		repeatable := v == ""
		if repeatable {
			key = asString(row["script"])
		}
		rr := Row{Key: key, Version: version(v), Name: asString(row["description"]), State: Applied, Repeatable: repeatable,
			AppliedAt: asTime(row["installed_on"]), AppliedBy: asString(row["installed_by"]), ExecutionMS: asInt(row["execution_time"]),
			Where: fmt.Sprintf("flyway_schema_history installed_rank %d", asInt(row["installed_rank"]))}
		if row["checksum"] != nil {
			rr.Checksum = fmt.Sprint(asInt(row["checksum"]))
		}
		if !asBool(row["success"]) {
			rr.State = Failed
		}
		switch {
		case typ == "SCHEMA" || strings.HasPrefix(rr.Name, "<< Flyway Schema"):
			continue
		case typ == "BASELINE":
			if rr.Version.Compare(r.h.UpTo) > 0 || r.h.UpTo == "" {
				r.h.UpTo = rr.Version
			}
			continue
		case typ == "DELETE" || (strings.HasPrefix(typ, "UNDO") && rr.State == Applied):
			delete(state, key)
			continue
		case strings.HasPrefix(typ, "UNDO"):
			// A failed undo leaves the version as the failed undo left it:
			// Flyway reports it failed too.
		}
		if _, ok := state[key]; !ok {
			order = append(order, key)
		}
		state[key] = rr
	}
	for _, k := range order {
		if rr, ok := state[k]; ok {
			r.h.Rows = append(r.h.Rows, rr)
			delete(state, k)
		}
	}
	return nil
}

// schemaMigrations reads the version-only schema_migrations of dbmate and
// of Rails (whose ar_internal_metadata says which environment the database
// is).
func (r *reader) schemaMigrations(rails bool) error {
	rows, err := r.rows(dialect.Table{Name: "schema_migrations"}, []string{"version"}, "version")
	if err != nil {
		return err
	}
	for _, row := range rows {
		s := strings.TrimSpace(asString(row["version"]))
		r.h.Rows = append(r.h.Rows, Row{Key: string(version(s)), Version: version(s), State: Applied, Where: "schema_migrations version " + s})
	}
	if rails {
		meta, err := r.rows(dialect.Table{Name: "ar_internal_metadata"}, []string{"key", "value"}, "")
		if err != nil {
			return err
		}
		for _, m := range meta {
			if asString(m["key"]) == "environment" {
				r.h.Note = "Rails environment: " + asString(m["value"])
			}
		}
		r.h.Table = "schema_migrations"
	}
	sortByVersion(r.h.Rows)
	return nil
}

// atlas reads atlas_schema_revisions: a revision whose applied count is
// below its total, or that holds an error, failed part-way; a baseline
// revision counts every version up to its own as applied. The row named
// .atlas_cloud_identifier is Atlas's own.
func (r *reader) atlas() error {
	t, _, err := atlasTable(r.ctx, r.q, r.d)
	if err != nil {
		return err
	}
	rows, err := r.rows(t, []string{"version", "description", "type", "applied", "total", "executed_at", "execution_time", "error", "hash", "operator_version"}, "version")
	if err != nil {
		return err
	}
	for _, row := range rows {
		v := asString(row["version"])
		if strings.HasPrefix(v, ".") {
			continue
		}
		typ := asInt(row["type"])
		if typ&1 != 0 && typ&2 == 0 { // RevisionTypeBaseline only
			if version(v).Compare(r.h.UpTo) > 0 || r.h.UpTo == "" {
				r.h.UpTo = version(v)
			}
			continue
		}
		rr := Row{Key: string(version(v)), Version: version(v), Name: asString(row["description"]), State: Applied, AppliedAt: asTime(row["executed_at"]),
			ExecutionMS: asInt(row["execution_time"]) / 1e6, Checksum: asString(row["hash"]), AppliedBy: asString(row["operator_version"]),
			Where: "atlas_schema_revisions version " + v, Error: asString(row["error"])}
		if asInt(row["applied"]) < asInt(row["total"]) || rr.Error != "" {
			rr.State = Failed
			if rr.Error == "" {
				rr.Error = fmt.Sprintf("%d of %d statements applied", asInt(row["applied"]), asInt(row["total"]))
			}
		}
		r.h.Rows = append(r.h.Rows, rr)
	}
	sortByVersion(r.h.Rows)
	return nil
}

// prisma reads _prisma_migrations: rows with rolled_back_at set were
// marked rolled back (`prisma migrate resolve --rolled-back`) and no
// longer count; a row that is neither finished nor rolled back failed.
func (r *reader) prisma() error {
	rows, err := r.rows(dialect.Table{Name: "_prisma_migrations"}, []string{"id", "migration_name", "checksum", "started_at", "finished_at", "rolled_back_at", "logs"}, "started_at")
	if err != nil {
		return err
	}
	idx := map[string]int{}
	for _, row := range rows {
		if row["rolled_back_at"] != nil {
			continue
		}
		name := asString(row["migration_name"])
		v, _, _ := strings.Cut(name, "_")
		rr := Row{Key: string(version(v)), Version: version(v), Name: name, State: Applied, AppliedAt: asTime(row["finished_at"]), Checksum: asString(row["checksum"]),
			Where: fmt.Sprintf("_prisma_migrations id %s", asString(row["id"]))}
		if row["finished_at"] == nil {
			rr.State, rr.AppliedAt, rr.Error = Failed, asTime(row["started_at"]), firstLine(asString(row["logs"]))
		}
		if i, ok := idx[name]; ok {
			r.h.Rows[i] = rr
			continue
		}
		idx[name] = len(r.h.Rows)
		r.h.Rows = append(r.h.Rows, rr)
	}
	return nil
}

// django reads django_migrations (app, name, applied).
func (r *reader) django() error {
	rows, err := r.rows(dialect.Table{Name: "django_migrations"}, []string{"id", "app", "name", "applied"}, "id")
	if err != nil {
		return err
	}
	for _, row := range rows {
		app, name := asString(row["app"]), asString(row["name"])
		r.h.Rows = append(r.h.Rows, Row{Key: app + "." + name, Name: name, State: Applied, AppliedAt: asTime(row["applied"]), Where: fmt.Sprintf("django_migrations id %d", asInt(row["id"]))})
	}
	return nil
}

// laravel reads migrations (migration, batch). A migration's name starts
// with its date, 2014_10_12_000000_create_users_table, which is the
// version strata gives it (20141012000000).
func (r *reader) laravel() error {
	rows, err := r.rows(dialect.Table{Name: "migrations"}, []string{"id", "migration", "batch"}, "id")
	if err != nil {
		return err
	}
	for _, row := range rows {
		name := asString(row["migration"])
		v, _ := LaravelVersion(name)
		r.h.Rows = append(r.h.Rows, Row{Key: name, Version: v, Name: name, State: Applied, Where: fmt.Sprintf("migrations id %d (batch %d)", asInt(row["id"]), asInt(row["batch"]))})
	}
	return nil
}

// liquibase reads databasechangelog in the order Liquibase ran the
// changesets: EXECUTED, RERAN and MARK_RAN count as applied, FAILED as
// failed, SKIPPED not at all.
func (r *reader) liquibase() error {
	t, _, err := liquibaseTable(r.ctx, r.q, r.d)
	if err != nil {
		return err
	}
	cols := []string{"id", "author", "filename", "dateexecuted", "orderexecuted", "exectype", "md5sum"}
	if t.Name == "DATABASECHANGELOG" {
		for i := range cols {
			cols[i] = strings.ToUpper(cols[i])
		}
	}
	rows, err := r.rows(t, cols, cols[4])
	if err != nil {
		return err
	}
	for _, row := range rows {
		typ := strings.ToUpper(asString(row["exectype"]))
		if typ == "SKIPPED" {
			continue
		}
		key := asString(row["id"]) + "::" + asString(row["author"]) + "::" + asString(row["filename"])
		rr := Row{Key: key, Name: asString(row["id"]), State: Applied, AppliedAt: asTime(row["dateexecuted"]), Checksum: asString(row["md5sum"]),
			Where: fmt.Sprintf("databasechangelog changeset %s:%s (%s)", asString(row["author"]), asString(row["id"]), asString(row["filename"]))}
		if typ == "FAILED" {
			rr.State = Failed
		}
		r.h.Rows = append(r.h.Rows, rr)
	}
	return nil
}

// sqitch reads the registry's changes table: the changes deployed now
// (sqitch deletes a change's row when it reverts it).
func (r *reader) sqitch() error {
	rows, err := r.rows(dialect.Table{Schema: "sqitch", Name: "changes"}, []string{"change_id", "change", "script_hash", "committed_at", "committer_name", "committer_email"}, "committed_at")
	if err != nil {
		return err
	}
	for _, row := range rows {
		by := asString(row["committer_name"])
		if e := asString(row["committer_email"]); e != "" {
			by += " <" + e + ">"
		}
		r.h.Rows = append(r.h.Rows, Row{Key: asString(row["change"]), Name: asString(row["change"]), State: Applied, AppliedAt: asTime(row["committed_at"]), AppliedBy: by,
			Checksum: asString(row["script_hash"]), Where: "sqitch.changes change_id " + asString(row["change_id"])})
	}
	return nil
}

func sortByVersion(rs []Row) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Version.Compare(rs[j].Version) < 0 })
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// LaravelVersion reads the version strata gives a Laravel migration from its
// name: 2014_10_12_000000_create_users_table is 20141012000000, named
// create_users_table.
func LaravelVersion(migration string) (migrate.Version, string) {
	parts := strings.SplitN(migration, "_", 5)
	if len(parts) == 5 {
		if v, err := migrate.ParseVersion(parts[0] + parts[1] + parts[2] + parts[3]); err == nil {
			return v, parts[4]
		}
	}
	return "", migration
}
