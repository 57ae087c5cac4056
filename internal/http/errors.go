package http

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

var statusOf = map[string]int{
	bullpen.EInvalid:         fiber.StatusBadRequest,
	bullpen.EUnauthenticated: fiber.StatusUnauthorized,
	bullpen.EPermission:      fiber.StatusForbidden,
	bullpen.ENotFound:        fiber.StatusNotFound,
	bullpen.EConflict:        fiber.StatusConflict,
	bullpen.ERateLimited:     fiber.StatusTooManyRequests,
	bullpen.EInternal:        fiber.StatusInternalServerError,
	bullpen.EUnavailable:     fiber.StatusServiceUnavailable,
}

// unavailableRetry is the Retry-After of a 503 unavailable: long enough for a broker to come
// back or fail over, short enough for a CRM connector's retry to be prompt.
const unavailableRetry = "5"

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// handleError writes every error in the contract's shape. Errors that carry no code are bugs
// or outages: they are logged in full and shown only as "internal".
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, body := s.errorResponse(c, err)
	return c.Status(status).JSON(errorBody{body})
}

func (s *Server) errorResponse(c *fiber.Ctx, err error) (int, errorDetail) {
	var be *bullpen.Error
	if errors.As(err, &be) {
		status, ok := statusOf[be.Code]
		if !ok {
			status = fiber.StatusInternalServerError
		}
		switch status {
		case fiber.StatusInternalServerError:
			s.Logger.Error("request failed", "method", c.Method(), "route", c.Route().Path, "err", err)
		case fiber.StatusServiceUnavailable:
			s.Logger.Warn("request refused: a service it needs is down", "method", c.Method(), "route", c.Route().Path, "err", err)
			c.Set(fiber.HeaderRetryAfter, unavailableRetry)
		}
		return status, errorDetail{Code: be.Code, Message: be.Message, Field: be.Field}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, fiberError(c, fe)
	}
	s.Logger.Error("request failed", "method", c.Method(), "route", c.Route().Path, "err", err)
	return fiber.StatusInternalServerError, errorDetail{Code: bullpen.EInternal, Message: "internal error"}
}

// fiberError translates the router's and the body reader's own errors.
func fiberError(c *fiber.Ctx, fe *fiber.Error) errorDetail {
	switch fe.Code {
	case fiber.StatusNotFound:
		return errorDetail{Code: bullpen.ENotFound, Message: fmt.Sprintf("no such endpoint: %s %s", c.Method(), c.Path())}
	case fiber.StatusMethodNotAllowed:
		return errorDetail{Code: bullpen.EInvalid, Message: fmt.Sprintf("method %s is not allowed here", c.Method())}
	case fiber.StatusRequestEntityTooLarge:
		return errorDetail{Code: bullpen.EInvalid, Message: fmt.Sprintf("the body is larger than %d bytes", maxBody)}
	case fiber.StatusUnauthorized:
		return errorDetail{Code: bullpen.EUnauthenticated, Message: fe.Message}
	case fiber.StatusForbidden:
		return errorDetail{Code: bullpen.EPermission, Message: fe.Message}
	case fiber.StatusConflict:
		return errorDetail{Code: bullpen.EConflict, Message: fe.Message}
	case fiber.StatusTooManyRequests:
		return errorDetail{Code: bullpen.ERateLimited, Message: fe.Message}
	}
	if fe.Code >= 500 {
		return errorDetail{Code: bullpen.EInternal, Message: "internal error"}
	}
	return errorDetail{Code: bullpen.EInvalid, Message: fe.Message}
}
