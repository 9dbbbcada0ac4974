// Package redis runs strata migrations on Redis: history in a hash, the
// runner lock as a lease (SET NX PX with a fencing token that every history
// write checks), and declarative operations over key patterns.
//
// The entry point is [Open], then [Target.NewProvider]:
//
//	cfg, _ := connect.ParseStore("redis://127.0.0.1:6379/0")
//	t, err := redis.Open(ctx, cfg, redis.Options{})
//	if err != nil { … }
//	defer t.Close()
//	p, err := t.NewProvider(os.DirFS("migrations"))
//	res, err := p.Up(ctx)
//
// Operations walk the keys that match a pattern with SCAN (never KEYS),
// change them in pipelined batches, each key atomically (RENAMENX, or a Lua
// script that checks the key's type), and save the SCAN cursor in the
// history row after every batch, so a killed run resumes from it:
//
//	operations:
//	  - rename_keys:  {match: "user:*", from: "user:", to: "account:"}
//	  - convert_type: {match: "session:*", from: string, to: hash, field: data}
//	  - set_ttl:      {match: "cache:*", ttl: 24h}
//	  - delete_keys:  {match: "tmp:*"}
//
// Keys that appear while a pass runs may be missed by SCAN; a pass that
// changed keys is followed by another, until one changes none, so keys a
// client still writes under the old pattern are picked up (or the run says
// that a client keeps writing them).
package redis
