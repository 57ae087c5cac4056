package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"bullpen/internal/bullpen"
)

// Guard keeps requests away from the service's own network: a receiver's host must not
// resolve to a loopback, private, link-local, shared (carrier-grade NAT), multicast or
// unspecified address, unless AllowPrivate (BULLPEN_WEBHOOK_ALLOW_PRIVATE; the tests' receivers
// are on loopback). It is checked twice: when an endpoint is registered or its URL changed
// (CheckHost), and on every connection the deliverer opens (Control), after the name was
// resolved, so a name that later resolves elsewhere (DNS rebinding) is refused too.
type Guard struct {
	AllowPrivate bool
	Resolver     Resolver // default net.DefaultResolver
}

// Resolver looks a host's addresses up.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var sharedNAT = netip.MustParsePrefix("100.64.0.0/10")

// Blocked reports whether a request may never go to ip (unless private addresses are allowed).
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || sharedNAT.Contains(ip)
}

// CheckHost resolves a URL's host and refuses it (400 naming url) when it does not resolve or
// any of its addresses is blocked.
func (g Guard) CheckHost(ctx context.Context, host string) error {
	if g.AllowPrivate {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return refuse(ip)
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ips, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return bullpen.Invalid("url", "the host %q does not resolve", host)
	}
	for _, ip := range ips {
		if err := refuse(ip); err != nil {
			return err
		}
	}
	return nil
}

func refuse(ip netip.Addr) error {
	if Blocked(ip) {
		return bullpen.Invalid("url", "resolves to %s, a loopback, private or link-local address: webhooks go to public addresses only", ip.Unmap())
	}
	return nil
}

// ErrBlocked is the error of a connection the guard refused.
var ErrBlocked = fmt.Errorf("refused: a loopback, private or link-local address")

// Control is a net.Dialer's Control: it refuses a connection to a blocked address, after the
// name was resolved and before anything is sent.
func (g Guard) Control(_, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook dial %s: %w", address, err)
	}
	if Blocked(ap.Addr()) {
		return fmt.Errorf("webhook dial %s: %w", address, ErrBlocked)
	}
	return nil
}
