package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// WebhookConfig configures a [Webhook].
type WebhookConfig struct {
	// URL receives a JSON POST per alert.
	URL string `yaml:"url" json:"url"`
	// Format is "json" (the [Alert] itself, default) or "slack" (a Slack
	// incoming-webhook payload, {"text": ...}).
	Format string `yaml:"format" json:"format"`
	// Retries after a failed attempt (default 3; negative for none), with
	// a backoff that doubles from Backoff (default 1s).
	Retries int           `yaml:"retries" json:"retries"`
	Backoff time.Duration `yaml:"backoff" json:"backoff"`
	// Timeout of one attempt (default 10s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Headers are added to each request (an Authorization header, say).
	Headers map[string]string `yaml:"headers" json:"headers"`
}

// Webhook is a [Notifier] that POSTs alerts as JSON, retrying server errors
// and network failures.
type Webhook struct {
	c      WebhookConfig
	client *http.Client
}

var _ Notifier = (*Webhook)(nil)

// NewWebhook returns a webhook notifier.
func NewWebhook(c WebhookConfig) *Webhook {
	if c.Retries == 0 {
		c.Retries = 3
	}
	if c.Retries < 0 {
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	return &Webhook{c: c, client: &http.Client{Timeout: c.Timeout}}
}

// Payload returns the body posted for a.
func (w *Webhook) Payload(a Alert) ([]byte, error) {
	if w.c.Format == "slack" {
		icon := ":warning:"
		if a.Severity == "critical" {
			icon = ":rotating_light:"
		}
		text := fmt.Sprintf("%s *strata %s alert*", icon, a.Rule)
		if a.Target != "" {
			text += " on `" + a.Target + "`"
		}
		text += ": " + a.Summary
		return json.Marshal(map[string]string{"text": text})
	}
	return json.Marshal(a)
}

// Notify implements [Notifier].
func (w *Webhook) Notify(ctx context.Context, a Alert) error {
	body, err := w.Payload(a)
	if err != nil {
		return err
	}
	backoff := w.c.Backoff
	var last error
	for attempt := 0; attempt <= w.c.Retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("webhook: %w (last attempt: %v)", ctx.Err(), last)
			case <-t.C:
			}
			backoff *= 2
		}
		retry, err := w.post(ctx, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			break
		}
	}
	return fmt.Errorf("webhook: %w", last)
}

func (w *Webhook) post(ctx context.Context, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.c.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "strata-alerts")
	for k, v := range w.c.Headers {
		req.Header.Set(k, v)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return true, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return false, nil
	}
	retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	return retry, fmt.Errorf("POST: %s", resp.Status)
}
