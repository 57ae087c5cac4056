package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"bullpen/internal/webhook"
)

func TestBlockedAddresses(t *testing.T) {
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
		"100.64.0.1", "::1", "fe80::1", "fc00::1", "::", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "224.0.0.1"} {
		if !webhook.Blocked(netip.MustParseAddr(a)) {
			t.Errorf("%s is not blocked", a)
		}
	}
	for _, a := range []string{"93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"} {
		if webhook.Blocked(netip.MustParseAddr(a)) {
			t.Errorf("%s is blocked", a)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := r[host]; ok {
		return ips, nil
	}
	return nil, errors.New("no such host")
}

func TestCheckHostRefusesANameThatResolvesInside(t *testing.T) {
	g := webhook.Guard{Resolver: fakeResolver{
		"public.example.com": {netip.MustParseAddr("93.184.216.34")},
		"sneaky.example.com": {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.5")},
	}}
	ctx := context.Background()
	if err := g.CheckHost(ctx, "public.example.com"); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"sneaky.example.com", "127.0.0.1", "::1", "nowhere.example.com"} {
		if err := g.CheckHost(ctx, h); err == nil {
			t.Errorf("%s accepted", h)
		}
	}
	if err := (webhook.Guard{AllowPrivate: true}).CheckHost(ctx, "127.0.0.1"); err != nil {
		t.Errorf("allowed private: %v", err)
	}
}

// The dialer refuses after resolving, so a public name that resolves to loopback when the
// request is sent (DNS rebinding) gets no connection: a real local server never hears it.
func TestTheClientRefusesToConnectToALoopbackReceiver(t *testing.T) {
	heard := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { heard <- struct{}{} }))
	defer srv.Close()
	_, err := webhook.NewClient(webhook.Guard{}, time.Second).Post(srv.URL, "application/json", nil)
	if !errors.Is(err, webhook.ErrBlocked) {
		t.Fatalf("got %v, want the guard's refusal", err)
	}
	select {
	case <-heard:
		t.Fatal("the receiver was reached")
	default:
	}
	resp, err := webhook.NewClient(webhook.Guard{AllowPrivate: true}, time.Second).Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatalf("allowed private: %v", err)
	}
	_ = resp.Body.Close()
}
