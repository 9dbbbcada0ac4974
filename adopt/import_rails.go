package adopt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// railsDriver runs each migration of db/migrate with ActiveRecord's own
// migrator, up then down then up again, in the scratch database strata was
// given, and prints as JSON the SQL ActiveRecord sent for each direction
// (its sql.active_record notifications, leaving out its own bookkeeping,
// catalog reads and transaction control). At the end it undoes every
// migration and drops ActiveRecord's tables, so the database is empty again.
const railsDriver = `
require "json"
require "active_record"

def main
  project = ENV.fetch("STRATA_IMPORT_PROJECT")
  adapter = { "postgres" => "postgresql", "mysql" => "mysql2", "sqlite" => "sqlite3" }.fetch(ENV.fetch("STRATA_IMPORT_ENGINE"))
  cfg = { adapter: adapter, database: ENV.fetch("STRATA_IMPORT_NAME") }
  cfg[:host] = ENV["STRATA_IMPORT_HOST"] unless ENV["STRATA_IMPORT_HOST"].to_s.empty?
  cfg[:port] = ENV["STRATA_IMPORT_PORT"].to_i unless ENV["STRATA_IMPORT_PORT"].to_s.empty?
  cfg[:username] = ENV["STRATA_IMPORT_USER"] unless ENV["STRATA_IMPORT_USER"].to_s.empty?
  cfg[:password] = ENV["STRATA_IMPORT_PASSWORD"] unless ENV["STRATA_IMPORT_PASSWORD"].to_s.empty?
  ActiveRecord::Base.establish_connection(cfg)
  ActiveRecord::Migration.verbose = false
  conn = ActiveRecord::Base.connection
  own = %w[schema_migrations ar_internal_metadata]
  others = conn.tables - own
  unless others.empty?
    return { error: "the database is not empty (it has #{others.first(5).join(", ")}): strata import rails runs each migration up and down to see its SQL, so point --database at an empty scratch database" }
  end
  paths = [File.join(project, "db", "migrate")]
  ctx = ActiveRecord::MigrationContext.new(paths, ActiveRecord::SchemaMigration)
  migrations = ctx.migrations
  if migrations.empty?
    return { error: "no migrations in #{paths.first}" }
  end
  captured = nil
  skip = /\A\s*(SELECT|SHOW|SET|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b/i
  ActiveSupport::Notifications.subscribe("sql.active_record") do |*, payload|
    next if captured.nil?
    next if %w[SCHEMA TRANSACTION].include?(payload[:name].to_s)
    sql = payload[:sql].to_s
    next if sql =~ skip || sql =~ /\b(schema_migrations|ar_internal_metadata)\b/
    captured << { "sql" => sql, "binds" => !(payload[:binds] || []).empty? }
  end
  out = []
  migrations.each do |m|
    captured = []
    ctx.run(:up, m.version)
    up = captured
    captured = []
    no_down = false
    begin
      ctx.run(:down, m.version)
    rescue ActiveRecord::IrreversibleMigration
      no_down = true
    end
    down = captured
    captured = nil
    ctx.run(:up, m.version) unless no_down
    code = (up + down).select { |s| s["binds"] }.map { |s| s["sql"].split("\n").first[0, 80] }
    out << {
      key: m.version.to_s, name: m.name.underscore, version: m.version.to_s,
      source: m.filename.sub(project + "/", ""),
      up: up.reject { |s| s["binds"] }.map { |s| s["sql"] },
      down: no_down ? [] : down.reject { |s| s["binds"] }.map { |s| s["sql"] },
      no_down: no_down, no_transaction: m.respond_to?(:disable_ddl_transaction) && m.disable_ddl_transaction,
      code: code, own: true, app: "",
    }
  end
  migrations.reverse_each do |m|
    begin
      ctx.run(:down, m.version)
    rescue ActiveRecord::IrreversibleMigration
    end
  end
  own.each { |t| conn.drop_table(t, if_exists: true) }
  { migrations: out }
rescue StandardError => e
  { error: "#{e.class}: #{e.message}" }
end

puts JSON.generate(main)
`

// runRails runs the Rails driver in the project.
func runRails(ctx context.Context, opts ImportOptions) (*fwOutput, error) {
	if st, err := os.Stat(filepath.Join(opts.Project, "db", "migrate")); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("import rails: no db/migrate in %s (run it in the Rails app, or pass --project)", opts.Project)
	}
	rb, err := findInterpreter(opts, "ruby", "ruby")
	if err != nil {
		return nil, fmt.Errorf("import rails: %w", err)
	}
	script, cleanup, err := writeDriver("strata_rails_import.rb", railsDriver)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return runDriver(ctx, FrameworkRails, opts, rb, []string{script}, nil)
}
