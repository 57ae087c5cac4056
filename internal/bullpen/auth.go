package bullpen

import "time"

// Role is what a token may do (docs/api.md §3).
type Role string

const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleRep     Role = "rep"
	RoleDisplay Role = "display"
	RoleIngest  Role = "ingest"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleManager, RoleRep, RoleDisplay, RoleIngest:
		return true
	}
	return false
}

// AdminTokenID is the id under which changes made with the bootstrap admin token are recorded.
const AdminTokenID = "admin"

// SystemActor is recorded for changes the service makes by itself.
const SystemActor = "system"

// Token is an API credential. Its secret is never stored, only its hash.
type Token struct {
	ID         string     `json:"id"`
	Role       Role       `json:"role"`
	RepID      string     `json:"rep_id,omitempty"`
	Name       string     `json:"name,omitempty"`
	CreatedBy  string     `json:"created_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// ExpiresAt is when the token stops working (nil: never).
	ExpiresAt *time.Time `json:"expires_at"`
	// RotatedAt is the last rotation; the secret it replaced works until PreviousUntil.
	RotatedAt     *time.Time `json:"rotated_at,omitempty"`
	PreviousUntil *time.Time `json:"previous_secret_until,omitempty"`
	// ScreenID is the screen a display token shows (docs/api.md §3 "Screens"); "" for none.
	ScreenID string `json:"screen_id,omitempty"`

	// What authentication learnt of the secret presented, never stored or shown: when it stops
	// working (nil: never), and whether it is the one a rotation replaced.
	SecretUntil *time.Time `json:"-"`
	Replaced    bool       `json:"-"`
}

// Rep is an entry of the rep directory.
type Rep struct {
	RepID  string `json:"rep_id"`
	Name   string `json:"name"`
	TeamID string `json:"team_id"`
}
