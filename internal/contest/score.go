package contest

import (
	"bullpen/internal/bullpen"
)

// DealValue is what a won deal scores on this contest's metric, in hundredths.
func (c *Contest) DealValue(amount bullpen.Fixed, units int64) bullpen.Fixed {
	switch c.Metric {
	case MetricRevenue:
		return amount
	case MetricDeals:
		return 100
	case MetricUnits:
		return bullpen.Fixed(units * 100)
	case MetricPoints:
		return c.Weights["deal.won"] + c.revenuePoints(amount)
	}
	return 0
}

// ActivityValue is what an activity scores: its weight on a points contest, else nothing.
func (c *Contest) ActivityValue(activity string) (bullpen.Fixed, bool) {
	if c.Metric != MetricPoints || activity == WeightRevenuePerPoint {
		return 0, false
	}
	w, ok := c.Weights[activity]
	return w, ok
}

// revenuePoints is amount / revenue_per_point rounded half up to two places.
func (c *Contest) revenuePoints(amount bullpen.Fixed) bullpen.Fixed {
	rpp := c.Weights[WeightRevenuePerPoint]
	if rpp <= 0 || amount <= 0 {
		return 0
	}
	// amount/100 / (rpp/100) points = amount/rpp points = amount*100/rpp hundredths.
	return bullpen.Fixed((int64(amount)*200 + int64(rpp)) / (2 * int64(rpp)))
}
