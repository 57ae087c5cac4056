// Package config reads the configuration from the environment (docs/api.md §1), once, in main.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"bullpen/internal/bullpen"
)

// Config is every setting of the server and the consumer. Variables past the contract's are
// extensions for operators and tests; each has a default that suits production.
type Config struct {
	HTTPAddr string `env:"BULLPEN_HTTP_ADDR"`
	// MetricsAddr, when set, serves /metrics there alone (an internal address), not on HTTPAddr.
	MetricsAddr    string        `env:"BULLPEN_METRICS_ADDR"`
	DatabaseURL    string        `env:"BULLPEN_DATABASE_URL" envDefault:"postgres://localhost:5432/bullpen?sslmode=disable"`
	RedisURL       string        `env:"BULLPEN_REDIS_URL" envDefault:"redis://localhost:6379/0"`
	KafkaBrokers   []string      `env:"BULLPEN_KAFKA_BROKERS" envDefault:"localhost:9092" envSeparator:","`
	KafkaTopic     string        `env:"BULLPEN_KAFKA_TOPIC" envDefault:"deals"`
	KafkaDLQTopic  string        `env:"BULLPEN_KAFKA_DLQ_TOPIC" envDefault:"deals.dlq"`
	KafkaGroup     string        `env:"BULLPEN_KAFKA_GROUP" envDefault:"bullpen-consumer"`
	AdminToken     string        `env:"BULLPEN_ADMIN_TOKEN"`
	Currency       string        `env:"BULLPEN_CURRENCY" envDefault:"USD"`
	Grace          time.Duration `env:"BULLPEN_GRACE" envDefault:"10m"`
	AllowedOrigins []string      `env:"BULLPEN_ALLOWED_ORIGINS" envSeparator:","`

	// The origins that may frame the wall display, such as a digital-signage player's
	// (README "Security headers"); none: no page may be framed.
	FrameAncestors []string `env:"BULLPEN_FRAME_ANCESTORS" envSeparator:","`

	// The proxies in front of the server (an ingress controller, a load balancer), as
	// addresses or CIDR ranges, whose X-Forwarded-For is believed; none: the connection's own
	// address is the client's.
	TrustedProxies []string `env:"BULLPEN_TRUSTED_PROXIES" envSeparator:","`

	// Targets and pace (docs/api.md §6): the time zone periods are cut in unless a target set
	// names its own, and the selling days pace counts.
	Timezone    string   `env:"BULLPEN_TIMEZONE" envDefault:"UTC"`
	SellingDays []string `env:"BULLPEN_SELLING_DAYS" envDefault:"mon,tue,wed,thu,fri" envSeparator:","`
	Holidays    []string `env:"BULLPEN_HOLIDAYS" envSeparator:","`

	// Request limits of the HTTP API (N/s, N/m, N/h or off), shared by every replica through Redis.
	RateLimit             string `env:"BULLPEN_RATE_LIMIT" envDefault:"50/s"`
	RateLimitAuthFailures string `env:"BULLPEN_RATE_LIMIT_AUTH_FAILURES" envDefault:"30/m"`

	// Kafka's TLS and SASL (README "TLS and SASL"), for every connection of both processes;
	// checked at Load (kafka.go).
	KafkaTLS           bool   `env:"BULLPEN_KAFKA_TLS"`
	KafkaTLSCAFile     string `env:"BULLPEN_KAFKA_TLS_CA_FILE"`
	KafkaTLSCertFile   string `env:"BULLPEN_KAFKA_TLS_CERT_FILE"`
	KafkaTLSKeyFile    string `env:"BULLPEN_KAFKA_TLS_KEY_FILE"`
	KafkaTLSServerName string `env:"BULLPEN_KAFKA_TLS_SERVER_NAME"`
	KafkaSASLMechanism string `env:"BULLPEN_KAFKA_SASL_MECHANISM"`
	KafkaSASLUsername  string `env:"BULLPEN_KAFKA_SASL_USERNAME"`
	KafkaSASLPassword  string `env:"BULLPEN_KAFKA_SASL_PASSWORD"`
	// WebhookAllowPrivate lets webhooks go to loopback, private and link-local addresses
	// (tests, a receiver inside the network); off, such a URL is refused (docs/api.md §3
	// "Webhooks").
	WebhookAllowPrivate bool `env:"BULLPEN_WEBHOOK_ALLOW_PRIVATE" envDefault:"false"`
	// WSIOURing lets the server send a chunk of sockets' frames with one io_uring system call
	// where the kernel allows it (internal/live, flush.go); false: a write(2) per socket.
	WSIOURing bool `env:"BULLPEN_WS_IO_URING" envDefault:"true"`

	// Extensions.
	RedisPrefix         string        `env:"BULLPEN_REDIS_PREFIX" envDefault:"bullpen"`
	KafkaSessionTimeout time.Duration `env:"BULLPEN_KAFKA_SESSION_TIMEOUT" envDefault:"30s"`
	BatchSize           int           `env:"BULLPEN_BATCH_SIZE" envDefault:"2000"`
	BatchWait           time.Duration `env:"BULLPEN_BATCH_WAIT" envDefault:"5ms"`
	ShutdownTimeout     time.Duration `env:"BULLPEN_SHUTDOWN_TIMEOUT" envDefault:"20s"`
	ProjectionCheck     time.Duration `env:"BULLPEN_PROJECTION_CHECK" envDefault:"5s"`
	FinalizeCheck       time.Duration `env:"BULLPEN_FINALIZE_CHECK" envDefault:"2s"`
	LogLevel            string        `env:"BULLPEN_LOG_LEVEL" envDefault:"info"`
}

// secrets may be given as VAR_FILE instead of VAR.
var secrets = []string{"BULLPEN_ADMIN_TOKEN", "BULLPEN_DATABASE_URL", "BULLPEN_REDIS_URL", "BULLPEN_KAFKA_SASL_PASSWORD"}

// The processes' default listen addresses (BULLPEN_HTTP_ADDR unset).
const (
	ServerAddr   = ":8080"
	ConsumerAddr = ":8081"
)

// redisSchemes are a Redis server's URL and a Redis Cluster's (internal/redis reads them).
var redisSchemes = []string{"redis", "rediss", "redis+cluster", "rediss+cluster"}

// Load reads the environment. defaultAddr is the process's own default listen address.
func Load(defaultAddr string) (Config, error) {
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return Parse(vars, defaultAddr)
}

// Parse reads the configuration from vars (name → value) as Load does from the environment,
// _FILE twins included: for a configuration written elsewhere, such as a manifest's.
func Parse(vars map[string]string, defaultAddr string) (Config, error) {
	vars = maps.Clone(vars) // the secrets read from files are added to it
	for _, name := range secrets {
		path, ok := vars[name+"_FILE"]
		if !ok {
			continue
		}
		if _, both := vars[name]; both {
			return Config{}, fmt.Errorf("%s and %s_FILE are both set: keep one", name, name)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("%s_FILE: %w", name, err)
		}
		vars[name] = strings.TrimSpace(string(b))
	}
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: vars}); err != nil {
		return Config{}, nameVariables(err)
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = defaultAddr
	}
	return c, c.validate()
}

// nameVariables rewrites the parser's errors, which name Go fields, to name the variables.
func nameVariables(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	t := reflect.TypeFor[Config]()
	out := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				out = append(out, fmt.Errorf("%s: %w", f.Tag.Get("env"), pe.Err))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func (c *Config) validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("BULLPEN_DATABASE_URL", "must be a postgres:// URL")
	}
	if u, err := url.Parse(c.RedisURL); err != nil || !slices.Contains(redisSchemes, u.Scheme) {
		bad("BULLPEN_REDIS_URL", "must be a redis:// (or rediss://, redis+cluster://, rediss+cluster://) URL")
	}
	for _, b := range c.KafkaBrokers {
		if !strings.Contains(b, ":") {
			bad("BULLPEN_KAFKA_BROKERS", "%q is not host:port", b)
		}
	}
	if c.KafkaTopic == "" {
		bad("BULLPEN_KAFKA_TOPIC", "must not be empty")
	}
	if c.KafkaDLQTopic == "" || c.KafkaDLQTopic == c.KafkaTopic {
		bad("BULLPEN_KAFKA_DLQ_TOPIC", "must be set and differ from BULLPEN_KAFKA_TOPIC")
	}
	if c.KafkaGroup == "" {
		bad("BULLPEN_KAFKA_GROUP", "must not be empty")
	}
	errs = append(errs, c.kafkaSecurityErrors()...)
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency {
		bad("BULLPEN_CURRENCY", "must be an ISO 4217 code such as USD")
	}
	if c.Grace < 0 {
		bad("BULLPEN_GRACE", "must not be negative")
	}
	for _, o := range c.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" {
			bad("BULLPEN_ALLOWED_ORIGINS", "%q is not an origin such as https://floor.example.com", o)
		}
	}
	for _, o := range c.FrameAncestors {
		if !frameAncestor(o) {
			bad("BULLPEN_FRAME_ANCESTORS", "%q is not an origin such as https://signage.example.com (or https://*.example.com)", o)
		}
	}
	if _, err := c.TrustedProxyRanges(); err != nil {
		bad("BULLPEN_TRUSTED_PROXIES", "%v", err)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" || c.Timezone == "Local" {
		bad("BULLPEN_TIMEZONE", "%q is not an IANA time zone such as Europe/Berlin", c.Timezone)
	}
	if _, err := Weekdays(c.SellingDays); err != nil {
		bad("BULLPEN_SELLING_DAYS", "%v", err)
	}
	for _, d := range c.Holidays {
		if _, err := time.Parse(time.DateOnly, strings.TrimSpace(d)); err != nil {
			bad("BULLPEN_HOLIDAYS", "%q is not a date such as 2026-12-25", d)
		}
	}
	if _, err := c.Level(); err != nil {
		bad("BULLPEN_LOG_LEVEL", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if c.HTTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
			bad("BULLPEN_HTTP_ADDR", "%q is not host:port or :port", c.HTTPAddr)
		}
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			bad("BULLPEN_METRICS_ADDR", "%q is not host:port or :port", c.MetricsAddr)
		} else if c.MetricsAddr == c.HTTPAddr {
			bad("BULLPEN_METRICS_ADDR", "%q is BULLPEN_HTTP_ADDR too: give metrics an address of their own, or leave it unset", c.MetricsAddr)
		}
	}
	if c.RedisPrefix == "" || strings.ContainsAny(c.RedisPrefix, " {}") {
		bad("BULLPEN_REDIS_PREFIX", "must be set, without spaces or braces")
	}
	if c.BatchWait <= 0 {
		bad("BULLPEN_BATCH_WAIT", "must be more than 0 (such as 5ms)")
	}
	if c.ShutdownTimeout <= 0 {
		bad("BULLPEN_SHUTDOWN_TIMEOUT", "must be more than 0 (such as 20s)")
	}
	if _, err := bullpen.ParseRate(c.RateLimit); err != nil {
		bad("BULLPEN_RATE_LIMIT", "%v", err)
	}
	if _, err := bullpen.ParseRate(c.RateLimitAuthFailures); err != nil {
		bad("BULLPEN_RATE_LIMIT_AUTH_FAILURES", "%v", err)
	}
	if c.BatchSize < 1 || c.BatchSize > 100000 {
		bad("BULLPEN_BATCH_SIZE", "must be between 1 and 100000")
	}
	if c.FinalizeCheck < 100*time.Millisecond {
		bad("BULLPEN_FINALIZE_CHECK", "must be at least 100ms")
	}
	if c.ProjectionCheck < 100*time.Millisecond {
		bad("BULLPEN_PROJECTION_CHECK", "must be at least 100ms")
	}
	if c.KafkaSessionTimeout < time.Second {
		bad("BULLPEN_KAFKA_SESSION_TIMEOUT", "must be at least 1s")
	}
	return errors.Join(errs...)
}

// Level is the log level BULLPEN_LOG_LEVEL names.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// Limits are the request limits, as configured (checked at Load).
func (c *Config) Limits() (perToken, authFailures bullpen.Rate) {
	perToken, _ = bullpen.ParseRate(c.RateLimit)
	authFailures, _ = bullpen.ParseRate(c.RateLimitAuthFailures)
	return perToken, authFailures
}

// RequireAdminToken reports a missing bootstrap token (the server needs it; the consumer not).
func (c *Config) RequireAdminToken() error {
	if len(c.AdminToken) < 16 {
		return errors.New("BULLPEN_ADMIN_TOKEN: required, at least 16 characters (or BULLPEN_ADMIN_TOKEN_FILE)")
	}
	return nil
}

var weekdayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Weekdays reads a list of three-letter day names (mon,tue,…) into weekdays: at least one,
// none twice.
func Weekdays(names []string) ([]time.Weekday, error) {
	out := make([]time.Weekday, 0, len(names))
	seen := map[time.Weekday]bool{}
	for _, n := range names {
		d, ok := weekdayNames[strings.ToLower(strings.TrimSpace(n))]
		if !ok {
			return nil, fmt.Errorf("%q is not a day such as mon", n)
		}
		if seen[d] {
			return nil, fmt.Errorf("%q is named twice", n)
		}
		seen[d] = true
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one day")
	}
	return out, nil
}

// TrustedProxyRanges reads BULLPEN_TRUSTED_PROXIES: each entry an address (one host) or a CIDR
// range.
func (c Config) TrustedProxyRanges() ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(c.TrustedProxies))
	for _, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR range such as 10.0.0.0/8", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
