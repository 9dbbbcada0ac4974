package adopt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// laravelDriver boots the Laravel application, points its default
// connection at the database strata was given and asks Laravel's migrator
// for each migration's queries in pretend mode, forwards and backwards, as
// `php artisan migrate --pretend` does (Connection::pretend runs the
// migration without sending anything to the database). It prints them as
// JSON; a query with bound values comes from the query builder, not the
// schema builder, and is reported as code.
const laravelDriver = `<?php
$project = getenv('STRATA_IMPORT_PROJECT');
function out($v) { echo json_encode($v); exit(0); }
try {
    require $project . '/vendor/autoload.php';
    $app = require $project . '/bootstrap/app.php';
    $app->make(Illuminate\Contracts\Console\Kernel::class)->bootstrap();
    $driver = ['postgres' => 'pgsql', 'mysql' => 'mysql', 'sqlite' => 'sqlite'][getenv('STRATA_IMPORT_ENGINE')];
    $conn = ['driver' => $driver, 'database' => getenv('STRATA_IMPORT_NAME'), 'prefix' => '', 'charset' => $driver === 'mysql' ? 'utf8mb4' : 'utf8'];
    foreach (['host' => 'HOST', 'port' => 'PORT', 'username' => 'USER', 'password' => 'PASSWORD'] as $k => $e) {
        $v = getenv('STRATA_IMPORT_' . $e);
        if ($v !== false && $v !== '') { $conn[$k] = $v; }
    }
    config(['database.connections.strata_import' => $conn, 'database.default' => 'strata_import']);
    $migrator = $app->make('migrator');
    $files = $migrator->getMigrationFiles([$app->databasePath('migrations')]);
    $result = [];
    foreach ($files as $name => $file) {
        $migration = method_exists($migrator, 'resolvePath') ? $migrator->resolvePath($file) : $migrator->resolve($name);
        $db = $migrator->resolveConnection(method_exists($migration, 'getConnection') ? $migration->getConnection() : null);
        $sql = function ($method) use ($db, $migration) {
            if (!method_exists($migration, $method)) { return null; }
            return $db->pretend(function () use ($migration, $method) { $migration->{$method}(); });
        };
        $up = $sql('up');
        $down = $sql('down');
        $code = [];
        foreach (array_merge($up ?: [], $down ?: []) as $q) {
            if (!empty($q['bindings'])) { $code[] = substr(strtok($q['query'], "\n"), 0, 80); }
        }
        $plain = function ($qs) { return array_values(array_map(function ($q) { return $q['query']; }, array_filter($qs ?: [], function ($q) { return empty($q['bindings']); }))); };
        $result[] = [
            'key' => $name, 'name' => $name, 'version' => '', 'app' => '',
            'source' => substr($file, strlen($project) + 1),
            'up' => $plain($up), 'down' => $plain($down), 'no_down' => $down === null,
            'no_transaction' => property_exists($migration, 'withinTransaction') && !$migration->withinTransaction,
            'code' => $code, 'own' => true,
        ];
    }
    out(['migrations' => $result]);
} catch (Throwable $e) {
    out(['error' => get_class($e) . ': ' . $e->getMessage()]);
}
`

// runLaravel runs the Laravel driver in the project.
func runLaravel(ctx context.Context, opts ImportOptions) (*fwOutput, error) {
	if _, err := os.Stat(filepath.Join(opts.Project, "artisan")); err != nil {
		return nil, fmt.Errorf("import laravel: no artisan in %s (run it in the Laravel app, or pass --project)", opts.Project)
	}
	php, err := findInterpreter(opts, "php", "php")
	if err != nil {
		return nil, fmt.Errorf("import laravel: %w", err)
	}
	script, cleanup, err := writeDriver("strata_laravel_import.php", laravelDriver)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return runDriver(ctx, FrameworkLaravel, opts, php, []string{script}, nil)
}
