package service

import (
	"context"
	"errors"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/screen"
)

// PairingStore is the ledger's side of pairing by code.
type PairingStore interface {
	// CreatePairing stores a pending pairing (ErrCodeTaken when its code is live already).
	CreatePairing(ctx context.Context, p screen.Pairing, now time.Time) error
	// ClaimPairing claims the live pending pairing of a code's hash for c's screen and token.
	ClaimPairing(ctx context.Context, codeHash []byte, now time.Time, c screen.Pairing) (screen.Pairing, error)
	// CollectPairing answers a display's poll; a claimed pairing's token is minted by tokenHash.
	CollectPairing(ctx context.Context, secretHash []byte, now time.Time, tokenHash []byte) (screen.Pairing, *bullpen.Token, error)
}

// Pairings pairs displays by code.
type Pairings struct {
	store PairingStore
	now   func() time.Time
	taken error // the store's ErrCodeTaken
}

// NewPairings builds the pairing use-cases; taken is the store's error for a code in use.
func NewPairings(store PairingStore, taken error, now func() time.Time) *Pairings {
	now, _ = orDefaults(now, nil)
	return &Pairings{store: store, now: now, taken: taken}
}

// Start opens a pairing for a display.
func (u *Pairings) Start(ctx context.Context) (screen.Started, error) {
	now := u.now().UTC().Truncate(time.Microsecond)
	for range 5 { // 5 live codes in a row already taken would mean millions pending
		p := screen.Started{Code: screen.NewCode(), Secret: screen.NewPairingSecret(), ExpiresAt: now.Add(screen.PairingLife)}
		err := u.store.CreatePairing(ctx, screen.Pairing{SecretHash: bullpen.HashSecret(p.Secret), CodeHash: bullpen.HashSecret(p.Code),
			ExpiresAt: p.ExpiresAt}, now)
		if !errors.Is(err, u.taken) {
			return p, err
		}
	}
	return screen.Started{}, bullpen.Errorf(bullpen.EConflict, "no pairing code is free: try again")
}

// Claim binds the display showing code to a screen: by (a manager or admin) names the display
// token it will be given. The token is minted when the display next polls.
func (u *Pairings) Claim(ctx context.Context, by bullpen.Token, code, screenID, name string) (screen.Pairing, error) {
	if err := bullpen.CheckMint(by.Role, bullpen.Token{Role: bullpen.RoleDisplay, Name: name, ScreenID: screenID}); err != nil {
		return screen.Pairing{}, err
	}
	c, err := screen.NormalizeCode(code)
	if err != nil {
		return screen.Pairing{}, err
	}
	if screenID == "" {
		return screen.Pairing{}, bullpen.Invalid("screen_id", "screen_id is required")
	}
	if name == "" {
		name = "Display " + c
	}
	return u.store.ClaimPairing(ctx, bullpen.HashSecret(c), u.now(), screen.Pairing{ScreenID: screenID, TokenID: newTokenID(),
		TokenName: name, ClaimedBy: by.ID})
}

// Collect is a display's poll with its pairing's secret: pending, or its new token and secret
// (handed over this once).
func (u *Pairings) Collect(ctx context.Context, secret string) (screen.Pairing, *bullpen.Token, string, error) {
	if secret == "" {
		return screen.Pairing{}, nil, "", bullpen.Invalid("secret", "secret is required")
	}
	tokenSecret := newSecret()
	p, t, err := u.store.CollectPairing(ctx, bullpen.HashSecret(secret), u.now(), bullpen.HashSecret(tokenSecret))
	if err != nil || t == nil {
		return p, nil, "", err
	}
	return p, t, tokenSecret, nil
}
