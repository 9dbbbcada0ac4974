package cli

import (
	"errors"

	"github.com/strata-db/strata/connect"
)

// urlSource says, in a connect error that does not yet, where its URL came
// from: source when given, else the configuration's database URL (flag,
// environment or strata.yaml) when it is that URL. It returns err.
func (app *App) urlSource(err error, source string) error {
	from := func(redacted string) string {
		if source != "" {
			return source
		}
		if app.cfg != nil && app.cfg.DatabaseURL != "" && connect.Redact(app.cfg.DatabaseURL) == redacted {
			return app.cfg.DatabaseFrom
		}
		return ""
	}
	var ue *connect.URLError
	if errors.As(err, &ue) && ue.Source == "" {
		ue.Source = from(ue.URL)
	}
	var ce *connect.ConnectError
	if errors.As(err, &ce) && ce.Source == "" {
		ce.Source = from(ce.URL)
	}
	return err
}
