package http_test

import (
	"encoding/json"
	"slices"
	"testing"

	"bullpen/internal/bullpen"
	httpapi "bullpen/internal/http"
)

type webhookView struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	Format         string   `json:"format"`
	Enabled        bool     `json:"enabled"`
	DisabledReason *string  `json:"disabled_reason"`
	Pending        int      `json:"pending"`
	Secret         string   `json:"secret"`
}

func allowPrivate(d *httpapi.Deps) { d.WebhookAllowPrivate = true }

func TestManagersRegisterChangeAndRemoveWebhooks(t *testing.T) {
	e := newEnv(t, allowPrivate)
	mgr := e.mustMint(adminSecret, bullpen.RoleManager, "")
	var w webhookView
	e.do("POST", "/api/v1/webhooks", mgr.Token, map[string]any{"name": "Sales chat", "url": "http://127.0.0.1:9/hook",
		"events": []string{"reward", "celebration"}, "format": "slack"}).Want(t, 201, &w)
	if w.ID == "" || len(w.Secret) < 40 || w.Format != "slack" || !slices.Equal(w.Events, []string{"celebration", "reward"}) || !w.Enabled {
		t.Fatalf("created %+v", w)
	}
	var got webhookView
	e.do("GET", "/api/v1/webhooks/"+w.ID, mgr.Token, nil).Want(t, 200, &got)
	if got.Secret != "" || got.URL != w.URL || got.Name != "Sales chat" {
		t.Fatalf("read %+v: never the secret", got)
	}
	var l struct{ Items []webhookView }
	e.do("GET", "/api/v1/webhooks", adminSecret, nil).Want(t, 200, &l)
	if len(l.Items) != 1 || l.Items[0].ID != w.ID || l.Items[0].Secret != "" {
		t.Fatalf("list %+v", l)
	}

	e.do("PATCH", "/api/v1/webhooks/"+w.ID, mgr.Token, map[string]any{"enabled": false, "format": "teams"}).Want(t, 200, &got)
	if got.Enabled || got.Format != "teams" || got.DisabledReason == nil || *got.DisabledReason != "turned off by "+mgr.ID {
		t.Fatalf("patched %+v", got)
	}
	e.do("POST", "/api/v1/webhooks/"+w.ID+"/test", mgr.Token, nil).WantError(t, 409, bullpen.EConflict, "")
	e.do("PATCH", "/api/v1/webhooks/"+w.ID, mgr.Token, map[string]any{"enabled": true}).Want(t, 200, &got)
	if !got.Enabled || got.DisabledReason != nil {
		t.Fatalf("turned on again %+v", got)
	}
	var queued struct {
		DeliveryID string `json:"delivery_id"`
	}
	e.do("POST", "/api/v1/webhooks/"+w.ID+"/test", mgr.Token, nil).Want(t, 202, &queued)
	e.do("GET", "/api/v1/webhooks/"+w.ID, mgr.Token, nil).Want(t, 200, &got)
	if queued.DeliveryID == "" || got.Pending != 1 {
		t.Fatalf("test queued %+v, endpoint %+v", queued, got)
	}
	var rotated webhookView
	e.do("POST", "/api/v1/webhooks/"+w.ID+"/rotate", mgr.Token, nil).Want(t, 200, &rotated)
	if rotated.Secret == "" || rotated.Secret == w.Secret {
		t.Fatalf("rotated %+v", rotated)
	}
	var log struct{ Items []map[string]any }
	e.do("GET", "/api/v1/webhooks/"+w.ID+"/deliveries", mgr.Token, nil).Want(t, 200, &log)
	if len(log.Items) != 0 {
		t.Fatalf("log of an endpoint nothing was sent to: %+v", log)
	}

	e.do("DELETE", "/api/v1/webhooks/"+w.ID, mgr.Token, nil).Want(t, 204, nil)
	e.do("GET", "/api/v1/webhooks/"+w.ID, mgr.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("GET", "/api/v1/webhooks/"+w.ID+"/deliveries", mgr.Token, nil).WantError(t, 404, bullpen.ENotFound, "")
	e.do("GET", "/api/v1/webhooks", adminSecret, nil).Want(t, 200, &l)
	if len(l.Items) != 0 {
		t.Fatalf("a deleted endpoint is listed: %+v", l)
	}

	p := e.audit("entity", "webhook:"+w.ID)
	if got := actions(p); !same(got, []string{"webhook.delete webhook:" + w.ID, "webhook.rotate webhook:" + w.ID,
		"webhook.update webhook:" + w.ID, "webhook.update webhook:" + w.ID, "webhook.create webhook:" + w.ID}) {
		t.Fatalf("trail %q", got)
	}
	for _, it := range p.Items {
		for _, f := range []map[string]json.RawMessage{it.Before, it.After} {
			if _, ok := f["secret"]; ok {
				t.Fatalf("the trail holds a secret: %+v", it)
			}
		}
	}
}

func TestBadWebhooksAre400NamingTheField(t *testing.T) {
	e := newEnv(t, allowPrivate)
	for field, body := range map[string]map[string]any{
		"url":      {"url": "http://[::1", "events": []string{"reward"}},
		"events":   {"url": "https://hooks.example.com/", "events": []string{}},
		"events.1": {"url": "https://hooks.example.com/", "events": []string{"reward", "deal.won"}},
		"format":   {"url": "https://hooks.example.com/", "events": []string{"reward"}, "format": "discord"},
		"secret":   {"url": "https://hooks.example.com/", "events": []string{"reward"}, "secret": "mine"},
	} {
		e.do("POST", "/api/v1/webhooks", adminSecret, body).WantError(t, 400, bullpen.EInvalid, field)
	}
	e.do("POST", "/api/v1/webhooks", adminSecret, "url=x", "Content-Type", "application/x-www-form-urlencoded").
		WantError(t, 415, bullpen.EInvalid, "Content-Type")
	var w webhookView
	e.do("POST", "/api/v1/webhooks", adminSecret, map[string]any{"url": "http://127.0.0.1:9/", "events": []string{"reward"}}).Want(t, 201, &w)
	e.do("PATCH", "/api/v1/webhooks/"+w.ID, adminSecret, map[string]any{"events": []string{"nope"}}).WantError(t, 400, bullpen.EInvalid, "events.0")
	e.do("PATCH", "/api/v1/webhooks/"+w.ID, adminSecret, map[string]any{"url": "mailto:x@example.com"}).WantError(t, 400, bullpen.EInvalid, "url")
	e.do("GET", "/api/v1/webhooks/0b7e0000-0000-4000-8000-000000000000", adminSecret, nil).WantError(t, 404, bullpen.ENotFound, "")

	rep := e.mustMint(adminSecret, bullpen.RoleRep, "ana")
	e.do("GET", "/api/v1/webhooks", rep.Token, nil).WantError(t, 403, bullpen.EPermission, "")
	e.do("POST", "/api/v1/webhooks", rep.Token, map[string]any{"url": "http://127.0.0.1:9/", "events": []string{"reward"}}).
		WantError(t, 403, bullpen.EPermission, "")
}

// Without BULLPEN_WEBHOOK_ALLOW_PRIVATE, a URL that resolves to the service's own network is
// refused when it is registered or changed (and again by the deliverer's dialer).
func TestWebhookURLsOnPrivateAddressesAreRefused(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"http://127.0.0.1:8080/", "http://localhost/", "http://10.0.0.8/", "http://169.254.169.254/latest/meta-data",
		"http://[::1]/", "http://[fe80::1]/", "http://0.0.0.0/", "http://192.168.1.20:3000/hook"} {
		e.do("POST", "/api/v1/webhooks", adminSecret, map[string]any{"url": u, "events": []string{"reward"}}).WantError(t, 400, bullpen.EInvalid, "url")
	}
}
