package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/strata-db/strata/check"
	"github.com/strata-db/strata/connect"
	"github.com/strata-db/strata/dialect"
	"github.com/strata-db/strata/lint"
	"github.com/strata-db/strata/migrate"
	"github.com/strata-db/strata/transfer"
)

// With --json every command prints exactly one JSON document on stdout,
// failures included. A failing command's document carries, beside its own
// fields:
//
//	"ok": false
//	"error": "what went wrong and what to do next"   (a string, as it always was)
//	"exit_code": 3                                   (the process's exit code)
//	"error_kind": "drift"                            (a stable word scripts branch on)
//
// Commands write their document as usual; the CLI holds stdout while they
// run and adds these fields when the command fails, or writes a document of
// these fields alone when the command failed before it had anything to say.

// Error kinds of the --json error document. They are part of the contract:
// add new ones, never rename.
const (
	kindUsage          = "usage"           // bad flags, arguments or configuration
	kindParse          = "parse"           // a migration, checks or spec file does not parse
	kindURL            = "url"             // a database URL strata cannot use
	kindConnection     = "connection"      // the database did not answer
	kindNoDatabase     = "no_database"     // a SQLite file that does not exist, for a command that only reads
	kindUnknownVersion = "unknown_version" // a version that is neither in the directory nor in history
	kindDrift          = "drift"           // an applied file was edited
	kindOutOfOrder     = "out_of_order"    // a pending migration is older than an applied one
	kindNoDown         = "no_down"         // a migration to undo has no down section
	kindDirty          = "dirty"           // a migration was left failed or running
	kindSumMismatch    = "sum_mismatch"    // strata.sum does not match the directory
	kindLockTimeout    = "lock_timeout"    // another runner holds the lock
	kindLockLost       = "lock_lost"       // the runner lock was lost during the run
	kindUnsafe         = "unsafe"          // up refused statements the linter flags as errors
	kindLint           = "lint"            // lint found error-level findings
	kindCheckFailed    = "check_failed"    // an integrity check failed
	kindVerifyFailed   = "verify_failed"   // verify found tables that differ
	kindMigration      = "migration_failed"
	kindTransfer       = "transfer_interrupted" // an earlier transfer run did not finish
	kindNotConfirmed   = "not_confirmed"
	kindInterrupted    = "interrupted"
	kindRefused        = "refused"
	kindFailed         = "failed"
)

// errLintFindings is lint's exit 3: the report says which findings.
var errLintFindings = errors.New("lint found error-level findings")

// errVerifyDiffers is verify's exit 1 when tables differ.
var errVerifyDiffers = errors.New("tables differ")

// errNotConfirmed is a destructive command that was not confirmed.
var errNotConfirmed = errors.New("not confirmed")

// errNoDatabase is a SQLite file that does not exist, for a command that
// must not create one.
var errNoDatabase = errors.New("database does not exist")

// errorKind names err for the "error_kind" field of the --json document.
func errorKind(err error, code int) string {
	var (
		mpe *migrate.ParseError
		lpe *lint.ParseError
		cpe *check.ParseError
		tse *transfer.SpecError
		me  *migrate.MigrationError
		ce  *connect.ConnectError
	)
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled):
		return kindInterrupted
	case errors.Is(err, ErrUnsafe), errors.As(err, new(*migrate.UnsafeError)):
		return kindUnsafe
	case errors.Is(err, errLintFindings):
		return kindLint
	case errors.Is(err, migrate.ErrDrift):
		return kindDrift
	case errors.Is(err, migrate.ErrOutOfOrder):
		return kindOutOfOrder
	case errors.Is(err, migrate.ErrNoDown):
		return kindNoDown
	case errors.Is(err, migrate.ErrDirty):
		return kindDirty
	case errors.Is(err, migrate.ErrSumMismatch):
		return kindSumMismatch
	case errors.Is(err, dialect.ErrLockTimeout):
		return kindLockTimeout
	case errors.Is(err, dialect.ErrLockLost):
		return kindLockLost
	case errors.Is(err, migrate.ErrUnknownVersion):
		return kindUnknownVersion
	case errors.Is(err, check.ErrFailed):
		return kindCheckFailed
	case errors.As(err, &mpe), errors.As(err, &lpe), errors.As(err, &cpe), errors.As(err, &tse):
		return kindParse
	case errors.As(err, &me):
		return kindMigration
	case errors.Is(err, errNoDatabase):
		return kindNoDatabase
	case errors.Is(err, connect.ErrUnknownScheme):
		return kindURL
	case errors.As(err, &ce):
		return kindConnection
	case errors.Is(err, errVerifyDiffers), errors.Is(err, transfer.ErrVerify):
		return kindVerifyFailed
	case errors.Is(err, transfer.ErrInterrupted):
		return kindTransfer
	case errors.Is(err, errNotConfirmed):
		return kindNotConfirmed
	}
	switch code {
	case ExitUsage:
		return kindUsage
	case ExitRefused:
		return kindRefused
	case ExitInterrupted:
		return kindInterrupted
	}
	return kindFailed
}

// document is stdout while a --json command runs: it holds what the command
// writes so that the CLI can complete the document when the command fails.
// Before hold, and after flush, it writes through.
type document struct {
	w       io.Writer
	buf     *bytes.Buffer
	flushed bool
}

func (d *document) Write(p []byte) (int, error) {
	if d.buf != nil {
		return d.buf.Write(p)
	}
	return d.w.Write(p)
}

// hold starts holding output.
func (d *document) hold() {
	if d.buf == nil && !d.flushed {
		d.buf = new(bytes.Buffer)
	}
}

// flush writes what is held and writes through from now on: for a command
// whose document must be seen while it runs (serve).
func (d *document) flush() error {
	if d.buf == nil {
		return nil
	}
	b := d.buf.Bytes()
	d.buf, d.flushed = nil, true
	_, err := d.w.Write(b)
	return err
}

// holdDocument makes the command's stdout one JSON document, completed by
// the CLI if the command fails. Commands whose own format is JSON without
// --json (lint --format json) call it.
func (app *App) holdDocument() {
	if app.doc != nil {
		app.doc.hold()
	}
}

// finishDocument writes the held document, with the failure fields added
// when code is not 0. It reports false when the error could not go into a
// document (the command wrote something that is not one JSON object, or
// its document is already out), so that the caller prints it as text.
func (app *App) finishDocument(err error, code int) bool {
	d := app.doc
	var body []byte
	if d.buf != nil {
		body = d.buf.Bytes()
		d.buf = nil
	}
	if code == ExitOK {
		_, _ = d.w.Write(body)
		return true
	}
	msg := ""
	if err != nil {
		msg = app.redact(err.Error())
	}
	if msg == "" || strings.HasPrefix(msg, "exit status ") {
		msg = "exit status " + strconv.Itoa(code)
	}
	fields := []docField{{"ok", false}, {"error", msg}, {"exit_code", code}, {"error_kind", errorKind(err, code)}}
	if len(bytes.TrimSpace(body)) == 0 {
		if d.flushed {
			return false
		}
		_, _ = d.w.Write(addFields([]byte("{}"), fields))
		return true
	}
	if out := addFields(body, fields); out != nil {
		_, _ = d.w.Write(out)
		return true
	}
	_, _ = d.w.Write(body)
	return false
}

type docField struct {
	key   string
	value any
}

// addFields adds to doc, one JSON object, each field it does not have
// yet, keeping its own fields and their order. It returns nil when doc is
// not exactly one JSON object.
func addFields(doc []byte, fields []docField) []byte {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil
	}
	trimmed := bytes.TrimRight(doc, " \t\r\n")
	head := bytes.TrimRight(trimmed[:len(trimmed)-1], " \t\r\n")
	var b bytes.Buffer
	b.Write(head)
	first := len(obj) == 0
	for _, f := range fields {
		if _, has := obj[f.key]; has {
			continue
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(f.key)
		b.WriteString("\n  ")
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteString("\n}\n")
	if !json.Valid(b.Bytes()) {
		return nil
	}
	return b.Bytes()
}

// jsonRequested tells whether args ask for --json, for errors that come
// before cobra parsed the flags (an unknown command).
func jsonRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" {
			return true
		}
		if v, ok := strings.CutPrefix(a, "--json="); ok {
			b, err := strconv.ParseBool(v)
			return err == nil && b
		}
	}
	return false
}
