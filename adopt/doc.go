// Package adopt takes over a database that another migration tool
// migrated: it reads that tool's history as the tool keeps it, checks it
// against the migration directory and turns it into strata's history, so a
// team switches tools without finding the last version by hand.
//
// The entry points are [Detect] (which tools' history tables the database
// has), [Read] (one tool's history, as rows), [NewPlan] (the rows matched
// with the directory's migrations: what would be recorded, which rows
// belong to apps the directory does not cover, and every disagreement) and
// [Plan.Adopted], which [migrate.Provider.Adopt] records. The other tool's
// table is never written, so a team can go back to it.
//
//	h, err := adopt.Read(ctx, db, d, adopt.Goose, fsys)
//	pl := adopt.NewPlan(h, migrations, fsys)
//	if err := pl.Err(); err != nil { … every problem, with its fix … }
//	res, err := provider.Adopt(ctx, pl.Adopted())
//
// Package adopt is also where framework migrations are imported
// ([ImportDjango], [ImportRails], [ImportLaravel]): the framework's own
// tools print the SQL of each migration, which becomes one strata
// migration file with an up and a down section.
package adopt
