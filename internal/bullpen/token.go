package bullpen

import (
	"crypto/sha256"
)

// mintable lists the roles each role may mint and revoke. Further admins are not minted: the
// bootstrap token is the admin, rotated through the configuration.
var mintable = map[Role][]Role{
	RoleAdmin:   {RoleManager, RoleRep, RoleDisplay, RoleIngest},
	RoleManager: {RoleRep, RoleDisplay},
}

// MayManage reports whether a token of role by may mint and revoke tokens of role.
func MayManage(by, role Role) bool {
	for _, r := range mintable[by] {
		if r == role {
			return true
		}
	}
	return false
}

// CheckMint checks a token that a token of role by asks to mint: its role, rep_id and name.
func CheckMint(by Role, t Token) error {
	switch {
	case t.Role == "":
		return Invalid("role", "role is required")
	case !t.Role.Valid():
		return Invalid("role", "role must be manager, rep, display or ingest")
	case t.Role == RoleAdmin:
		return Invalid("role", "admin tokens are not minted: the bootstrap token is the admin")
	case !MayManage(by, t.Role):
		return Errorf(EPermission, "a %s token may not mint %s tokens", by, t.Role)
	case t.Role == RoleRep && t.RepID == "":
		return Invalid("rep_id", "a rep token needs rep_id")
	case t.Role != RoleRep && t.RepID != "":
		return Invalid("rep_id", "rep_id applies to rep tokens only")
	case t.Role != RoleDisplay && t.ScreenID != "":
		return Invalid("screen_id", "screen_id applies to display tokens only")
	}
	if err := CheckText("rep_id", t.RepID, false, 100); err != nil {
		return err
	}
	return CheckText("name", t.Name, false, 200)
}

// Revocable refuses the bootstrap admin token, which is not stored: it is revoked by changing
// its configuration.
func Revocable(id string) error {
	if id == AdminTokenID {
		return Errorf(EConflict, "the bootstrap admin token is revoked by changing BULLPEN_ADMIN_TOKEN")
	}
	return nil
}

// CheckRevoke decides whether a token of role by may revoke t, and whether there is anything
// to write: nothing for a token already revoked.
func CheckRevoke(by Role, t Token) (bool, error) {
	if !MayManage(by, t.Role) {
		return false, Errorf(EPermission, "a %s token may not revoke %s tokens", by, t.Role)
	}
	return t.RevokedAt == nil, nil
}

// HashSecret is what is stored of a token's secret, and what a presented one is looked up by.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
