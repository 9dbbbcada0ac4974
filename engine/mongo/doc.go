// Package mongo runs strata migrations on MongoDB (and servers that speak
// its wire protocol, such as FerretDB): history in a collection, the runner
// lock as a lease in a second one (a unique _id, taken over on expiry with
// findOneAndUpdate), and declarative operations on collections, fields,
// indexes and validators.
//
// The entry point is [Open], then [Target.NewProvider]:
//
//	cfg, _ := connect.ParseStore("mongodb://127.0.0.1:27017/app")
//	t, err := mongo.Open(ctx, cfg, mongo.Options{})
//	if err != nil { … }
//	defer t.Close()
//	p, err := t.NewProvider(os.DirFS("migrations"))
//	res, err := p.Up(ctx)
//
// Operations that touch documents walk the collection in batches by _id
// range and save the last _id in the history row after each batch, so a
// stopped run resumes after it. Each batch runs in a multi-document
// transaction when the server supports them (a replica set or sharded
// cluster), and as one update per batch otherwise; `strata plan` says
// which.
package mongo
