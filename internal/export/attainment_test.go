package export_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/export"
)

func TestAttainmentRowsWriteMoneyPercentAndCurrency(t *testing.T) {
	start, end := time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	rows := []export.AttainmentRow{
		// 1234.56 of 5000.00 is 24.6912 %; the team's target is its reps' sum.
		{Period: "2026-11", Timezone: "Europe/Berlin", Metric: "revenue", TeamID: "east", Start: start, End: end,
			Target: 500000, Value: 123456, Derived: true},
		// A target of 0 has no percent; a formula-like name is escaped; deals carry no currency.
		{Period: "2026-11", Timezone: "Europe/Berlin", Metric: "deals", TeamID: "east", Start: start, End: end,
			RepID: "r-1", Name: "@ana", Target: 0, Value: 300},
		// 2 of 3 is 66.666… %, half up 66.67.
		{Period: "2026-11", Timezone: "Europe/Berlin", Metric: "units", TeamID: "+east", Start: start, End: end,
			RepID: "r-2", Name: "Bo, B", Target: 300, Value: 200},
	}
	var b bytes.Buffer
	cw := export.NewWriter(&b)
	for i := range rows {
		if err := rows[i].Write(cw, "EUR"); err != nil {
			t.Fatal(err)
		}
	}
	want := "2026-11,2026-10-31T23:00:00Z,2026-11-30T23:00:00Z,Europe/Berlin,revenue,east,team,,,5000.00,true,1234.56,24.69,EUR\r\n" +
		"2026-11,2026-10-31T23:00:00Z,2026-11-30T23:00:00Z,Europe/Berlin,deals,east,rep,r-1,'@ana,0.00,false,3.00,,\r\n" +
		"2026-11,2026-10-31T23:00:00Z,2026-11-30T23:00:00Z,Europe/Berlin,units,'+east,rep,r-2,\"Bo, B\",3.00,false,2.00,66.67,\r\n"
	if b.String() != want {
		t.Fatalf("wrote\n%q\nwant\n%q", b.String(), want)
	}
	if len(export.AttainmentColumns) != 14 {
		t.Fatalf("%d columns for rows of 14 cells", len(export.AttainmentColumns))
	}
}

func TestAttainmentFilterNamesTheBadParameter(t *testing.T) {
	for _, tc := range []struct{ period, team, field string }{
		{"", "", "period"}, {"2026-00", "", "period"}, {"26-11", "", "period"}, {"2026-11", "a\x00b", "team_id"},
	} {
		_, err := export.ParseAttainmentFilter(tc.period, tc.team)
		var be *bullpen.Error
		if !errors.As(err, &be) || be.Code != bullpen.EInvalid || be.Field != tc.field {
			t.Errorf("%q %q: %v, want invalid %s", tc.period, tc.team, err, tc.field)
		}
	}
	if f, err := export.ParseAttainmentFilter("2026-Q4", "east"); err != nil || f.Period != "2026-Q4" || f.TeamID != "east" {
		t.Fatalf("%+v %v", f, err)
	}
}
