package service_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/service"
)

type fakeLedger struct{ entries []bullpen.LedgerEntry }

func (f *fakeLedger) AddAdjustment(_ context.Context, repID string, points int64, note, by string) (bullpen.LedgerEntry, bullpen.Balance, error) {
	e := bullpen.LedgerEntry{ID: int64(len(f.entries) + 1), RepID: repID, Points: points, Note: note, By: by, Reason: bullpen.ReasonAdjustment}
	f.entries = append(f.entries, e)
	return e, bullpen.Balance{Points: points, Version: e.ID}, nil
}

type fakeBalances struct {
	set  []map[string]bullpen.Balance
	fail error
}

func (f *fakeBalances) SetBalances(_ context.Context, b map[string]bullpen.Balance) error {
	f.set = append(f.set, b)
	return f.fail
}

func TestAdjustWritesTheBalanceWithItsVersion(t *testing.T) {
	store, balances := &fakeLedger{}, &fakeBalances{}
	s := service.NewLedger(service.LedgerDeps{Store: store, Balances: balances})
	e, b, err := s.Adjust(context.Background(), "ana", 25, "bonus", "tok_m")
	if err != nil {
		t.Fatal(err)
	}
	if e.Points != 25 || e.By != "tok_m" || b.Points != 25 {
		t.Fatalf("entry %+v, balance %+v", e, b)
	}
	if len(balances.set) != 1 || balances.set[0]["ana"] != (bullpen.Balance{Points: 25, Version: 1}) {
		t.Fatalf("projection got %v, want ana's balance at the entry's version", balances.set)
	}
}

func TestAdjustReportsTheEntryWhenTheProjectionFails(t *testing.T) {
	var logs bytes.Buffer
	s := service.NewLedger(service.LedgerDeps{Store: &fakeLedger{}, Balances: &fakeBalances{fail: errors.New("redis down")},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if _, _, err := s.Adjust(context.Background(), "ana", -5, "correction", "tok_m"); err != nil {
		t.Fatalf("err %v: a committed entry is reported", err)
	}
	if !strings.Contains(logs.String(), "redis down") {
		t.Fatalf("logs %q do not say the balance was not written", logs.String())
	}
}

func TestAdjustRefusesABadEntryWithoutWriting(t *testing.T) {
	store, balances := &fakeLedger{}, &fakeBalances{}
	s := service.NewLedger(service.LedgerDeps{Store: store, Balances: balances})
	for _, tc := range []struct {
		points int64
		note   string
	}{{0, "nothing"}, {bullpen.MaxAdjustment + 1, "too much"}, {5, ""}} {
		_, _, err := s.Adjust(context.Background(), "ana", tc.points, tc.note, "tok_m")
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Code != bullpen.EInvalid {
			t.Fatalf("%d %q: err %v, want invalid", tc.points, tc.note, err)
		}
	}
	if len(store.entries) != 0 || len(balances.set) != 0 {
		t.Fatal("a refused entry was written")
	}
}
