package bullpen

import "testing"

func TestFixedWritesTheShortestDecimal(t *testing.T) {
	cases := map[Fixed]string{0: "0", 5: "0.05", 50: "0.5", 105: "1.05", 100: "1", -5: "-0.05", -123456: "-1234.56", 99999999999999: "999999999999.99"}
	for f, want := range cases {
		if got := f.String(); got != want {
			t.Errorf("Fixed(%d).String() = %q, want %q", int64(f), got, want)
		}
		if got := string(f.Append([]byte("x"))); got != "x"+want {
			t.Errorf("Fixed(%d).Append = %q, want %q", int64(f), got, "x"+want)
		}
	}
}
