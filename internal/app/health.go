package app

import (
	"encoding/json"
	"net/http"
)

// writeReadiness answers /readyz: 200 when every dependency answers, else 503 naming the ones
// that do not.
func writeReadiness(w http.ResponseWriter, checks map[string]error) {
	body := map[string]string{}
	status := http.StatusOK
	for name, err := range checks {
		if err != nil {
			body[name] = err.Error()
			status = http.StatusServiceUnavailable
		} else {
			body[name] = "ok"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
