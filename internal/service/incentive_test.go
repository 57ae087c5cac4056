package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/incentive"
	"bullpen/internal/service"
)

type fakeIncentives struct {
	stored map[string]*incentive.Incentive
}

func (f *fakeIncentives) CreateIncentive(_ context.Context, i *incentive.Incentive) error {
	i.ID, i.CreatedAt = "i1", now
	v := *i
	f.stored[i.ID] = &v
	return nil
}

func (f *fakeIncentives) EndIncentive(_ context.Context, id, _ string, end func(*incentive.Incentive) error) (*incentive.Incentive, error) {
	i, ok := f.stored[id]
	if !ok {
		return nil, bullpen.Errorf(bullpen.ENotFound, "incentive %s not found", id)
	}
	v := *i
	if err := end(&v); err != nil {
		return nil, err
	}
	f.stored[id] = &v
	return &v, nil
}

func (f *fakeIncentives) Incentive(_ context.Context, id string) (*incentive.Incentive, error) {
	v := *f.stored[id]
	return &v, nil
}

func spot() *incentive.Incentive {
	return &incentive.Incentive{Title: "Spot", Condition: incentive.Condition{Type: "deal.won"}, RewardPoints: 50,
		MaxWinners: 1, EndsAt: now.Add(time.Hour), CreatedBy: "tok_m"}
}

func TestCreateIncentiveStartsNowByTheServiceClock(t *testing.T) {
	store := &fakeIncentives{stored: map[string]*incentive.Incentive{}}
	s := service.NewIncentives(service.IncentiveDeps{Store: store, Now: clock})
	i, err := s.Create(context.Background(), spot())
	if err != nil {
		t.Fatal(err)
	}
	if i.ID != "i1" || !i.StartsAt.Equal(now) {
		t.Fatalf("created %+v, want it stored and starting now", i)
	}
	bad := spot()
	bad.Title = ""
	if _, err := s.Create(context.Background(), bad); err == nil || len(store.stored) != 1 {
		t.Fatalf("err %v, %d stored: a bad incentive is refused unwritten", err, len(store.stored))
	}
}

func TestEndIncentiveClosesItOnceAtTheServiceClock(t *testing.T) {
	store := &fakeIncentives{stored: map[string]*incentive.Incentive{}}
	s := service.NewIncentives(service.IncentiveDeps{Store: store, Now: clock})
	if _, err := s.Create(context.Background(), spot()); err != nil {
		t.Fatal(err)
	}
	i, err := s.End(context.Background(), "i1", "tok_m")
	if err != nil {
		t.Fatal(err)
	}
	if i.EndedAt == nil || !i.EndedAt.Equal(now) {
		t.Fatalf("ended_at %v, want %v", i.EndedAt, now)
	}
	_, err = s.End(context.Background(), "i1", "tok_m")
	var be *bullpen.Error
	if !errors.As(err, &be) || be.Code != bullpen.EConflict {
		t.Fatalf("err %v, want a conflict for an incentive already closed", err)
	}
}
