package service

import (
	"context"

	"bullpen/internal/achievement"
)

// AchievementStore keeps the achievement rules (and records their change in the audit trail).
type AchievementStore interface {
	PutAchievementRules(ctx context.Context, r achievement.Rules, by string) error
}

// Achievements sets the badge rules the consumer awards by.
type Achievements struct {
	store AchievementStore
}

// NewAchievements builds the achievement use-case.
func NewAchievements(store AchievementStore) *Achievements { return &Achievements{store: store} }

// PutRules checks rules as PUT /api/v1/achievements takes them (body: JSON) and stores them,
// made by the token by; it returns them as stored.
func (s *Achievements) PutRules(ctx context.Context, body []byte, by string) (achievement.Rules, error) {
	r, err := achievement.Parse(body)
	if err != nil {
		return achievement.Rules{}, err
	}
	return r, s.store.PutAchievementRules(ctx, r, by)
}
