package app

import (
	"fmt"
	"time"

	"bullpen/internal/config"
	"bullpen/internal/pace"
)

// Calendar is the selling time pace counts, from BULLPEN_TIMEZONE, BULLPEN_SELLING_DAYS and
// BULLPEN_HOLIDAYS (checked by config.Load already). A configuration built by hand without
// selling days gets the documented default, Monday to Friday.
func Calendar(cfg config.Config) (pace.Calendar, error) {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return pace.Calendar{}, fmt.Errorf("BULLPEN_TIMEZONE: %w", err)
	}
	names := cfg.SellingDays
	if len(names) == 0 {
		names = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	days, err := config.Weekdays(names)
	if err != nil {
		return pace.Calendar{}, fmt.Errorf("BULLPEN_SELLING_DAYS: %w", err)
	}
	cal, err := pace.NewCalendar(loc, days, cfg.Holidays)
	if err != nil {
		return pace.Calendar{}, fmt.Errorf("BULLPEN_HOLIDAYS: %w", err)
	}
	return cal, nil
}
