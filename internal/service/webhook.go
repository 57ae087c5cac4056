package service

import (
	"context"
	"encoding/json"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/webhook"
)

// WebhookStore is the ledger's side of the webhook use-cases.
type WebhookStore interface {
	// CreateWebhook stores a new endpoint with its secret and audit record, filling in its id.
	CreateWebhook(ctx context.Context, e *webhook.Endpoint, secret string) error
	// ChangeWebhook locks the endpoint, asks decide for it as changed, and stores that with its
	// audit record.
	ChangeWebhook(ctx context.Context, id, by string, decide func(webhook.Endpoint) (webhook.Endpoint, error)) (webhook.Endpoint, error)
	RotateWebhookSecret(ctx context.Context, id, by, secret string) (webhook.Endpoint, error)
	DeleteWebhook(ctx context.Context, id, by string) error
	// QueueWebhookTest queues a test delivery behind the endpoint's line; its delivery id.
	QueueWebhookTest(ctx context.Context, id string, data []byte) (string, error)
}

// WebhookDeps is what the webhook use-cases need.
type WebhookDeps struct {
	Store WebhookStore
	Guard webhook.Guard    // refuses URLs that resolve inside (BULLPEN_WEBHOOK_ALLOW_PRIVATE)
	Now   func() time.Time // default time.Now
}

// Webhooks registers, changes and removes outbound webhook endpoints.
type Webhooks struct {
	store WebhookStore
	guard webhook.Guard
	now   func() time.Time
}

// NewWebhooks builds the webhook use-cases.
func NewWebhooks(d WebhookDeps) *Webhooks {
	now, _ := orDefaults(d.Now, nil)
	return &Webhooks{store: d.Store, guard: d.Guard, now: now}
}

// checkURL refuses a URL that does not parse or whose host resolves to an address webhooks may
// not reach. It runs before the transaction: a name lookup holds no lock.
func (s *Webhooks) checkURL(ctx context.Context, raw string) error {
	u, err := webhook.ParseURL(raw)
	if err != nil {
		return err
	}
	return s.guard.CheckHost(ctx, u.Hostname())
}

// Create registers an endpoint on behalf of by and returns it with its signing secret, shown
// this once.
func (s *Webhooks) Create(ctx context.Context, by bullpen.Token, spec webhook.Spec) (webhook.Endpoint, string, error) {
	if err := spec.Normalize(); err != nil {
		return webhook.Endpoint{}, "", err
	}
	if err := s.checkURL(ctx, spec.URL); err != nil {
		return webhook.Endpoint{}, "", err
	}
	e := webhook.Endpoint{Name: spec.Name, URL: spec.URL, Events: spec.Events, Format: spec.Format, CreatedBy: by.ID}
	secret := webhook.NewSecret()
	if err := s.store.CreateWebhook(ctx, &e, secret); err != nil {
		return webhook.Endpoint{}, "", err
	}
	return e, secret, nil
}

// Change applies a patch to endpoint id on behalf of by.
func (s *Webhooks) Change(ctx context.Context, by bullpen.Token, id string, p webhook.Patch) (webhook.Endpoint, error) {
	if p.URL != nil {
		if err := s.checkURL(ctx, *p.URL); err != nil {
			return webhook.Endpoint{}, err
		}
	}
	now := s.now()
	return s.store.ChangeWebhook(ctx, id, by.ID, func(e webhook.Endpoint) (webhook.Endpoint, error) {
		return p.Apply(e, by.ID, now)
	})
}

// Rotate gives endpoint id a new secret and returns it, shown this once.
func (s *Webhooks) Rotate(ctx context.Context, by bullpen.Token, id string) (webhook.Endpoint, string, error) {
	secret := webhook.NewSecret()
	e, err := s.store.RotateWebhookSecret(ctx, id, by.ID, secret)
	if err != nil {
		return webhook.Endpoint{}, "", err
	}
	return e, secret, nil
}

// Delete removes endpoint id on behalf of by; what was queued for it is not sent.
func (s *Webhooks) Delete(ctx context.Context, by bullpen.Token, id string) error {
	return s.store.DeleteWebhook(ctx, id, by.ID)
}

// Test queues a test delivery for endpoint id and returns its delivery id.
func (s *Webhooks) Test(ctx context.Context, by bullpen.Token, id string) (string, error) {
	data, _ := json.Marshal(map[string]any{"test": true, "sent_by": by.ID})
	return s.store.QueueWebhookTest(ctx, id, data)
}
