package adopt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// djangoDriver runs inside the Django project with its own settings (the
// database replaced by the one strata was given) and prints, as JSON, every
// migration in the order `manage.py migrate` applies them on an empty
// database, with the SQL `manage.py sqlmigrate` prints forwards and
// backwards (Django's MigrationLoader.collect_sql, which sqlmigrate
// calls). Python operations are named, not run.
const djangoDriver = `
import json, os, sys, traceback

def main():
    project = os.environ["STRATA_IMPORT_PROJECT"]
    sys.path.insert(0, project)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", os.environ["STRATA_IMPORT_SETTINGS"])
    from django.conf import settings
    engine = os.environ["STRATA_IMPORT_ENGINE"]
    db = {
        "postgres": {"ENGINE": "django.db.backends.postgresql"},
        "mysql": {"ENGINE": "django.db.backends.mysql"},
        "sqlite": {"ENGINE": "django.db.backends.sqlite3"},
    }[engine]
    db["NAME"] = os.environ["STRATA_IMPORT_NAME"]
    for key, env in (("HOST", "STRATA_IMPORT_HOST"), ("PORT", "STRATA_IMPORT_PORT"), ("USER", "STRATA_IMPORT_USER"), ("PASSWORD", "STRATA_IMPORT_PASSWORD")):
        if os.environ.get(env):
            db[key] = os.environ[env]
    settings.DATABASES = {"default": db}
    import django
    django.setup()
    from django.apps import apps
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.exceptions import IrreversibleError
    from django.db.migrations import operations as ops

    conn = connections["default"]
    executor = MigrationExecutor(conn)
    loader = executor.loader
    # The plan migrate follows on an empty database.
    targets = loader.graph.leaf_nodes()
    plan = []
    seen = set()
    for target in targets:
        for node in loader.graph.forwards_plan(target):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    root = os.path.realpath(project) + os.sep

    def code_ops(operations):
        out = []
        for op in operations:
            if isinstance(op, ops.RunPython):
                out.append("RunPython(%s)" % getattr(op.code, "__name__", "code"))
            elif isinstance(op, ops.SeparateDatabaseAndState):
                out.extend(code_ops(op.database_operations))
        return out

    result = []
    for app_label, name in plan:
        migration = loader.graph.nodes[(app_label, name)]
        cfg = apps.get_app_config(app_label)
        own = os.path.realpath(cfg.path).startswith(root) and "site-packages" not in cfg.path and "dist-packages" not in cfg.path
        module = sys.modules.get(migration.__module__)
        source = getattr(module, "__file__", "") or ""
        if source.startswith(root):
            source = source[len(root):]
        up = loader.collect_sql([(migration, False)])
        down, no_down = [], False
        try:
            down = loader.collect_sql([(migration, True)])
        except IrreversibleError:
            no_down = True
        result.append({
            "key": "%s %s" % (app_label, name), "app": app_label, "name": name, "source": source,
            "up": up, "down": down, "no_down": no_down,
            "no_transaction": not (migration.atomic and conn.features.can_rollback_ddl),
            "code": code_ops(migration.operations), "own": own,
        })
    print(json.dumps({"migrations": result}))

try:
    main()
except Exception as e:
    print(json.dumps({"error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()}))
`

// settingsRe finds the settings module manage.py sets.
var settingsRe = regexp.MustCompile(`DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]`)

// runDjango runs the Django driver in the project.
func runDjango(ctx context.Context, opts ImportOptions) (*fwOutput, error) {
	manage, err := os.ReadFile(filepath.Join(opts.Project, "manage.py"))
	if err != nil {
		return nil, fmt.Errorf("import django: %w (run it in the project, where manage.py is, or pass --project)", err)
	}
	settings := ""
	if m := settingsRe.FindSubmatch(manage); m != nil {
		settings = string(m[1])
	}
	if settings == "" {
		return nil, fmt.Errorf("import django: manage.py in %s does not name DJANGO_SETTINGS_MODULE", opts.Project)
	}
	py, err := findInterpreter(opts, "python3", ".venv/bin/python", "venv/bin/python", "python3")
	if err != nil {
		return nil, fmt.Errorf("import django: %w", err)
	}
	script, cleanup, err := writeDriver("strata_django_import.py", djangoDriver)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return runDriver(ctx, FrameworkDjango, opts, py, []string{script}, []string{"STRATA_IMPORT_SETTINGS=" + settings})
}
