package http

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"

	"bullpen/internal/bullpen"
	"bullpen/internal/postgres"
)

type tokenInput struct {
	Role  bullpen.Role `json:"role"`
	RepID string       `json:"rep_id"`
	Name  string       `json:"name"`
}

// mintable lists the roles each role may mint and revoke. Further admins are not minted: the
// bootstrap token is the admin, rotated through the configuration.
var mintable = map[bullpen.Role][]bullpen.Role{
	bullpen.RoleAdmin:   {bullpen.RoleManager, bullpen.RoleRep, bullpen.RoleDisplay, bullpen.RoleIngest},
	bullpen.RoleManager: {bullpen.RoleRep, bullpen.RoleDisplay},
}

func mayManage(by, role bullpen.Role) bool {
	for _, r := range mintable[by] {
		if r == role {
			return true
		}
	}
	return false
}

func (in *tokenInput) validate(by bullpen.Role) error {
	switch {
	case in.Role == "":
		return bullpen.Invalid("role", "role is required")
	case !in.Role.Valid():
		return bullpen.Invalid("role", "role must be manager, rep, display or ingest")
	case in.Role == bullpen.RoleAdmin:
		return bullpen.Invalid("role", "admin tokens are not minted: the bootstrap token is the admin")
	case !mayManage(by, in.Role):
		return bullpen.Errorf(bullpen.EPermission, "a %s token may not mint %s tokens", by, in.Role)
	case in.Role == bullpen.RoleRep && in.RepID == "":
		return bullpen.Invalid("rep_id", "a rep token needs rep_id")
	case in.Role != bullpen.RoleRep && in.RepID != "":
		return bullpen.Invalid("rep_id", "rep_id applies to rep tokens only")
	case utf8.RuneCountInString(in.RepID) > 100:
		return bullpen.Invalid("rep_id", "rep_id is longer than 100 characters")
	case utf8.RuneCountInString(in.Name) > 200:
		return bullpen.Invalid("name", "name is longer than 200 characters")
	}
	return nil
}

// newSecret returns a token's secret: 32 random bytes, recognisable by its prefix in a leak scan.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "bp_" + base64.RawURLEncoding.EncodeToString(b)
}

func newTokenID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "tok_" + hex.EncodeToString(b)
}

func (s *Server) createToken(c *fiber.Ctx) error {
	var in tokenInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	by := tokenOf(c)
	if err := in.validate(by.Role); err != nil {
		return err
	}
	secret := newSecret()
	t := bullpen.Token{ID: newTokenID(), Role: in.Role, RepID: in.RepID, Name: in.Name, CreatedBy: by.ID}
	ctx := c.UserContext()
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		if err := postgres.InsertToken(ctx, tx, &t, hashSecret(secret)); err != nil {
			return err
		}
		return postgres.RecordChange(ctx, tx, by.ID, "token.create", t.ID, t)
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"id": t.ID, "token": secret, "role": t.Role, "rep_id": nullIfEmpty(t.RepID),
		"name": t.Name, "created_by": t.CreatedBy, "created_at": t.CreatedAt,
	})
}

func (s *Server) listTokens(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items, err := s.DB.Tokens(c.UserContext(), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(list[bullpen.Token]{items})
}

func (s *Server) revokeToken(c *fiber.Ctx) error {
	id := c.Params("id")
	by := tokenOf(c)
	if id == bullpen.AdminTokenID {
		return bullpen.Errorf(bullpen.EConflict, "the bootstrap admin token is revoked by changing BULLPEN_ADMIN_TOKEN")
	}
	ctx := c.UserContext()
	err := pgx.BeginFunc(ctx, s.DB.Pool, func(tx pgx.Tx) error {
		t, err := postgres.TokenForUpdate(ctx, tx, id)
		if err != nil {
			return err
		}
		if !mayManage(by.Role, t.Role) {
			return bullpen.Errorf(bullpen.EPermission, "a %s token may not revoke %s tokens", by.Role, t.Role)
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := postgres.RevokeToken(ctx, tx, id, by.ID); err != nil {
			return err
		}
		return postgres.RecordChange(ctx, tx, by.ID, "token.revoke", id, nil)
	})
	if err != nil {
		return err
	}
	s.OnRevoke(strings.Clone(id)) // Fiber's strings die with the request
	return c.SendStatus(fiber.StatusNoContent)
}
