package testenv

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// MySQLDriverDSN converts a strata MySQL URL,
//
//	mysql://user:password@host:port/database?param=value
//
// into the DSN that github.com/go-sql-driver/mysql takes,
//
//	user:password@tcp(host:port)/database?param=value&parseTime=true&multiStatements=false
//
// The scheme may also be mariadb://. The port defaults to 3306 and the database may be empty. User and password
// are percent-decoded as in any URL. Parameters are passed to the driver in
// their order, so they must be ones it knows (see its documentation) or
// system variables; parseTime=true and multiStatements=false are added
// unless the URL sets them. The returned DSN holds the password in clear;
// errors never do.
func MySQLDriverDSN(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return "", fmt.Errorf("parse MySQL URL: %w", err)
	}
	if u.Scheme != "mysql" && u.Scheme != "mariadb" {
		return "", fmt.Errorf("parse MySQL URL: scheme is %q, want mysql://user:password@host:port/database", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", errors.New("parse MySQL URL: no host, want mysql://user:password@host:port/database")
	}
	user := u.User.Username()
	pass, hasPass := u.User.Password()
	if strings.Contains(user, ":") {
		return "", errors.New("parse MySQL URL: the driver cannot take a user name that contains ':'")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return "", fmt.Errorf("parse MySQL URL: database name %q contains '/'", db)
	}
	port := u.Port()
	if port == "" {
		port = "3306"
	}

	addr := net.JoinHostPort(u.Hostname(), port)
	if h, _, err := net.SplitHostPort(addr); err != nil || h != u.Hostname() || strings.ContainsAny(h, "()/@") {
		return "", fmt.Errorf("parse MySQL URL: host %q is not a host name or IP address", u.Hostname())
	}

	var b strings.Builder
	if user != "" || hasPass {
		b.WriteString(user)
		if hasPass {
			b.WriteString(":" + pass)
		}
		b.WriteString("@")
	}
	b.WriteString("tcp(" + addr + ")/")
	b.WriteString(url.PathEscape(db)) // the driver path-unescapes the name

	var params []string
	seen := map[string]bool{}
	for p := range strings.SplitSeq(u.RawQuery, "&") {
		if p == "" {
			continue
		}
		key, _, _ := strings.Cut(p, "=")
		seen[key] = true
		// The driver splits the DSN at its last '/', so none may follow the
		// database name. Every parameter whose value may hold a '/' is
		// query-unescaped by the driver, so %2F keeps its meaning.
		params = append(params, strings.ReplaceAll(p, "/", "%2F"))
	}
	for _, def := range [...]struct{ key, value string }{
		{"parseTime", "true"},
		{"multiStatements", "false"},
	} {
		if !seen[def.key] {
			params = append(params, def.key+"="+def.value)
		}
	}
	b.WriteString("?" + strings.Join(params, "&"))

	dsn := b.String()
	if _, err := mysql.ParseDSN(dsn); err != nil {
		return "", fmt.Errorf("parse MySQL URL: driver rejects the result: %w", err)
	}
	return dsn, nil
}
