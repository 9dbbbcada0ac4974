package observe

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Config is the observe section of strata.yaml:
//
//	observe:
//	  metrics_addr: 127.0.0.1:9466      # serve /metrics during long commands
//	  pushgateway: http://pushgateway:9091
//	  alerts:
//	    throughput_drop: 0.5            # of the backfill's own moving average
//	    throughput_for: 1m
//	    error_rate: 0.01                # of batches
//	    memory: 0.8                     # of the memory limit
//	    lock_wait: 30s
//	    webhook: {url: https://hooks.slack.com/..., format: slack, retries: 3}
type Config struct {
	MetricsAddr string      `yaml:"metrics_addr"`
	Pushgateway string      `yaml:"pushgateway"`
	Alerts      AlertConfig `yaml:"alerts"`
}

// ParseConfig reads the observe section of a strata.yaml document; a
// document without one gives the zero Config. Unknown keys in the section
// are errors.
func ParseConfig(doc []byte) (Config, error) {
	var outer struct {
		Observe yaml.Node `yaml:"observe"`
	}
	if err := yaml.Unmarshal(doc, &outer); err != nil {
		return Config{}, err
	}
	var c Config
	if outer.Observe.Kind == 0 {
		return c, nil
	}
	if err := decodeStrict(&outer.Observe, &c); err != nil {
		return Config{}, fmt.Errorf("observe: %w", err)
	}
	switch c.Alerts.Webhook.Format {
	case "", "json", "slack":
	default:
		return Config{}, fmt.Errorf("observe: alerts: webhook: format %q: want json or slack", c.Alerts.Webhook.Format)
	}
	return c, nil
}

func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
