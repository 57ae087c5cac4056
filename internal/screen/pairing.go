package screen

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"bullpen/internal/bullpen"
)

// Pairing by code (docs/api.md §3 "Pairing a display"): a display without a token asks for a
// pairing and shows its code; a manager types the code into the console and picks a screen; the
// display, polling with the pairing's secret, is handed its new token once.

// CodeAlphabet is what codes are made of: capital letters and digits without the ones a person
// confuses on a TV across a room (0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V). 23 symbols, 6 of them: 23^6 =
// 148,035,889 codes.
const CodeAlphabet = "34679ACDEFGHJKMNPQRTWXY"

// CodeLength is how many symbols a code has.
const CodeLength = 6

// PairingLife is how long a code can be claimed, and a claimed pairing collected.
const PairingLife = 10 * time.Minute

// NewCode is a random code of CodeLength symbols of CodeAlphabet, drawn without bias.
func NewCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < CodeLength {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails
		// 253 = 11 × 23: bytes past it would favour the first symbols.
		if int(buf[0]) < 256-256%len(CodeAlphabet) {
			b.WriteByte(CodeAlphabet[int(buf[0])%len(CodeAlphabet)])
		}
	}
	return b.String()
}

// NormalizeCode reads a code as a person typed it: any case, spaces and dashes ignored. It
// refuses anything that cannot be a code (naming field "code").
func NormalizeCode(typed string) (string, error) {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(typed))
	if len(c) != CodeLength || strings.Trim(c, CodeAlphabet) != "" {
		return "", bullpen.Invalid("code", "a pairing code is %d letters and digits, as the display shows it", CodeLength)
	}
	return c, nil
}

// NewPairingSecret is the display's proof that a pairing is its own: 32 random bytes.
func NewPairingSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "bpp_" + base64.RawURLEncoding.EncodeToString(b)
}

// Pairing is a pairing as stored: by the hashes of its secret and code.
type Pairing struct {
	SecretHash []byte
	CodeHash   []byte
	ExpiresAt  time.Time
	// Once claimed.
	ScreenID  string
	TokenID   string
	TokenName string
	ClaimedBy string
	ClaimedAt *time.Time
}

// Pairing statuses as the display reads them.
const (
	PairingPending = "pending"
	PairingPaired  = "paired"
)

// Started is a new pending pairing as the display gets it: its code, its secret (the display
// keeps it) and when it expires.
type Started struct {
	Code      string    `json:"code"`
	Secret    string    `json:"secret"`
	ExpiresAt time.Time `json:"expires_at"`
}
