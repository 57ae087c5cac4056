package http

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
	"bullpen/internal/webhook"
)

// WebhookService is the webhook use-cases (service.Webhooks).
type WebhookService interface {
	// Create returns the new endpoint and its signing secret, shown this once.
	Create(ctx context.Context, by bullpen.Token, spec webhook.Spec) (webhook.Endpoint, string, error)
	Change(ctx context.Context, by bullpen.Token, id string, p webhook.Patch) (webhook.Endpoint, error)
	// Rotate returns the endpoint with its new secret, shown this once.
	Rotate(ctx context.Context, by bullpen.Token, id string) (webhook.Endpoint, string, error)
	Delete(ctx context.Context, by bullpen.Token, id string) error
	// Test queues a test delivery and returns its delivery id.
	Test(ctx context.Context, by bullpen.Token, id string) (string, error)
}

// WebhookReader reads endpoints and their delivery logs.
type WebhookReader interface {
	Webhook(ctx context.Context, id string) (webhook.Endpoint, error)
	Webhooks(ctx context.Context, limit, offset int) ([]webhook.Endpoint, error)
	// WebhookAttempts is a page of the endpoint's log, newest first.
	WebhookAttempts(ctx context.Context, id string, limit, offset int) ([]webhook.Attempt, error)
}

type webhookInput struct {
	Name   string   `json:"name"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Format string   `json:"format"`
}

type webhookPatch struct {
	Name    *string   `json:"name"`
	URL     *string   `json:"url"`
	Events  *[]string `json:"events"`
	Format  *string   `json:"format"`
	Enabled *bool     `json:"enabled"`
}

// withWebhookSecret is an endpoint as creating and rotating answer it: with its secret, once.
type withWebhookSecret struct {
	webhook.Endpoint
	Secret string `json:"secret"`
}

func (s *Server) createWebhook(c *fiber.Ctx) error {
	var in webhookInput
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	e, secret, err := s.Webhooks.Create(c.UserContext(), tokenOf(c),
		webhook.Spec{Name: in.Name, URL: in.URL, Events: in.Events, Format: in.Format})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(withWebhookSecret{e, secret})
}

func (s *Server) listWebhooks(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	items, err := s.WebhookReader.Webhooks(c.UserContext(), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(list[webhook.Endpoint]{items})
}

func (s *Server) getWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.WebhookReader.Webhook(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

func (s *Server) patchWebhook(c *fiber.Ctx) error {
	var in webhookPatch
	if err := decodeBody(c.Body(), &in); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.Webhooks.Change(c.UserContext(), tokenOf(c), strings.Clone(id),
		webhook.Patch{Name: in.Name, URL: in.URL, Events: in.Events, Format: in.Format, Enabled: in.Enabled})
	if err != nil {
		return err
	}
	return c.JSON(e)
}

func (s *Server) rotateWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, secret, err := s.Webhooks.Rotate(c.UserContext(), tokenOf(c), strings.Clone(id))
	if err != nil {
		return err
	}
	return c.JSON(withWebhookSecret{e, secret})
}

func (s *Server) deleteWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.Webhooks.Delete(c.UserContext(), tokenOf(c), strings.Clone(id)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) testWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	deliveryID, err := s.Webhooks.Test(c.UserContext(), tokenOf(c), strings.Clone(id))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"delivery_id": deliveryID})
}

func (s *Server) webhookDeliveries(c *fiber.Ctx) error {
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	items, err := s.WebhookReader.WebhookAttempts(c.UserContext(), id, limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(list[webhook.Attempt]{items})
}
