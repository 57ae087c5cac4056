package service

import (
	"context"
	"reflect"
	"strings"

	"bullpen/internal/bullpen"
	"bullpen/internal/screen"
)

// ScreenStore is the ledger's side of the screen use-cases.
type ScreenStore interface {
	// CreateScreen stores a normalized screen with its audit record; it fills in id, version
	// and times.
	CreateScreen(ctx context.Context, s *screen.Screen) error
	// UpdateScreen locks the screen and stores what change makes of it (nil: nothing) with its
	// audit record and its message to the screen's displays.
	UpdateScreen(ctx context.Context, id, by string, change func(*screen.Screen) (*screen.Screen, error)) (*screen.Screen, error)
	// DeleteScreen removes it with its audit record and tells its displays.
	DeleteScreen(ctx context.Context, id, by string) error
	// MissingContests returns those of ids that name no contest.
	MissingContests(ctx context.Context, ids []string) ([]string, error)
}

// Screens creates, changes and deletes screens.
type Screens struct{ store ScreenStore }

// NewScreens builds the screen use-cases.
func NewScreens(store ScreenStore) *Screens { return &Screens{store: store} }

// Create checks and stores a new screen (s.CreatedBy says who).
func (u *Screens) Create(ctx context.Context, s *screen.Screen) (*screen.Screen, error) {
	if err := u.check(ctx, s); err != nil {
		return nil, err
	}
	if err := u.store.CreateScreen(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// Replace gives screen id the configuration of s, on behalf of by. With version (not 0) the
// screen must still be at that version (409 otherwise: someone else changed it since it was
// read). The same configuration again changes nothing.
func (u *Screens) Replace(ctx context.Context, id, by string, s *screen.Screen, version int64) (*screen.Screen, error) {
	if err := u.check(ctx, s); err != nil {
		return nil, err
	}
	return u.store.UpdateScreen(ctx, id, by, func(old *screen.Screen) (*screen.Screen, error) {
		if version != 0 && version != old.Version {
			return nil, bullpen.Errorf(bullpen.EConflict, "the screen was changed since version %d (it is at version %d): read it again", version, old.Version)
		}
		if old.Name == s.Name && reflect.DeepEqual(old.Slides, s.Slides) && old.Seconds == s.Seconds && old.Amounts == s.Amounts &&
			old.Sound == s.Sound && reflect.DeepEqual(old.CelebrateTeams, s.CelebrateTeams) {
			return nil, nil
		}
		return s, nil
	})
}

// Delete removes screen id on behalf of by.
func (u *Screens) Delete(ctx context.Context, id, by string) error {
	return u.store.DeleteScreen(ctx, id, by)
}

// check normalizes s and refuses a contest slide whose contest does not exist.
func (u *Screens) check(ctx context.Context, s *screen.Screen) error {
	if err := s.Normalize(); err != nil {
		return err
	}
	missing, err := u.store.MissingContests(ctx, s.Contests())
	if err != nil || len(missing) == 0 {
		return err
	}
	return bullpen.Invalid(s.ContestSlide(missing[0]), "there is no contest %q", strings.Clone(missing[0]))
}
