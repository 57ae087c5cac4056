package http

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/event"
)

// maxEvents bounds one POST /events batch.
const maxEvents = 10_000

// EventService hands a validated batch to the input topic as sent by a token, and records
// the post in the audit trail (service.Events).
type EventService interface {
	Post(ctx context.Context, by string, msgs []event.Record) error
}

// postEvents validates a batch by the consumer's own rules and produces it unchanged, keyed by
// rep_id, marked with the token that sent it. It is all or nothing: one bad event and none is
// produced.
func (s *Server) postEvents(c *fiber.Ctx) error {
	body := bullpen.TrimJSONSpace(c.Body())
	var raws []json.RawMessage
	if len(body) == 0 || body[0] != '[' || json.Unmarshal(body, &raws) != nil {
		return bullpen.Invalid("", "the body must be a JSON array of events")
	}
	switch {
	case len(raws) == 0:
		return bullpen.Invalid("", "the batch is empty")
	case len(raws) > maxEvents:
		return bullpen.Invalid("", "a batch holds at most %d events, not %d", maxEvents, len(raws))
	}
	msgs := make([]event.Record, len(raws))
	for i, raw := range raws {
		ev, verr := event.Decode(raw, s.Currency)
		if verr != nil {
			return bullpen.PrefixField(strconv.Itoa(i), verr.APIError())
		}
		// The body buffer is reused after the request; the producer may hold on longer.
		msgs[i] = event.Record{Key: []byte(ev.RepID), Value: bytes.Clone(raw)}
	}
	if err := s.Events.Post(c.UserContext(), tokenOf(c).ID, msgs); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"accepted": len(msgs)})
}
