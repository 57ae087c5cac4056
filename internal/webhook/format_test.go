package webhook_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bullpen/internal/webhook"
)

func delivery(format, typ, channel, data string) webhook.Delivery {
	return webhook.Delivery{ID: "0b0c5e0e-7a3c-4d4e-9e55-3f4b0a1c2d3e", Type: typ, Channel: channel, Data: []byte(data),
		CreatedAt: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), Format: format}
}

const celebration = `{"rep_id":"ana","name":"Ana <!channel> *Lima*","team_id":"east","deal_id":"D-1","amount":1200.5,"event_id":"e1","occurred_at":"2026-06-01T10:00:00Z"}`

func TestBullpenFormatIsTheLiveMessageWithTheDeliveryID(t *testing.T) {
	body, err := webhook.Renderer{Currency: "USD"}.Render(delivery(webhook.FormatBullpen, "celebration", "floor", celebration))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ID, Type, Channel string
		CreatedAt         time.Time `json:"created_at"`
		Data              map[string]any
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if got.ID != "0b0c5e0e-7a3c-4d4e-9e55-3f4b0a1c2d3e" || got.Type != "celebration" || got.Channel != "floor" ||
		got.Data["deal_id"] != "D-1" || got.Data["amount"] != 1200.5 || !got.CreatedAt.Equal(time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("body %s", body)
	}
}

func TestSlackFormatTellsTheEventAndEscapesNames(t *testing.T) {
	body, err := webhook.Renderer{Currency: "EUR"}.Render(delivery(webhook.FormatSlack, "celebration", "floor", celebration))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Text   string
		Blocks []struct {
			Type string
			Text struct{ Type, Text string }
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if len(got.Blocks) != 2 || got.Blocks[1].Text.Type != "mrkdwn" {
		t.Fatalf("blocks %s", body)
	}
	text := got.Blocks[1].Text.Text
	for _, want := range []string{"Ana &lt;!channel&gt;", "D-1", "1200.5 EUR"} {
		if !strings.Contains(text, want) || !strings.Contains(got.Text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "<!channel>") {
		t.Errorf("a name pinged the channel: %q", text)
	}
}

func TestTeamsFormatIsAMessageCard(t *testing.T) {
	for typ, c := range map[string]struct{ channel, data, want string }{
		"incentive.won": {"floor", `{"incentive_id":"i1","rep_id":"bo","name":"Bo","points":50,"note":"Friday blitz"}`, "Bo won a place"},
		"contest.final": {"floor", `{"id":"c1","name":"Q4 push","status":"final"}`, "Q4 push is final"},
		"reward":        {"rep:cy", `{"points":25,"balance":300,"reason":"prize","note":"1st"}`, "cy earned 25 points"},
		"achievement":   {"floor", `{"rep_id":"cy","title":"First win of the day"}`, "cy earned First win of the day"},
		"webhook.test":  {"", `{}`, "can reach this webhook"},
	} {
		body, err := webhook.Renderer{Currency: "USD"}.Render(delivery(webhook.FormatTeams, typ, c.channel, c.data))
		if err != nil {
			t.Fatal(err)
		}
		var card map[string]string
		if err := json.Unmarshal(body, &card); err != nil {
			t.Fatalf("%s: %s: %v", typ, body, err)
		}
		if card["@type"] != "MessageCard" || card["@context"] != "https://schema.org/extensions" ||
			card["summary"] == "" || card["themeColor"] == "" || card["title"] == "" {
			t.Errorf("%s: card %s", typ, body)
		}
		if !strings.Contains(card["text"], c.want) {
			t.Errorf("%s: text %q lacks %q", typ, card["text"], c.want)
		}
	}
}

// A badge goes to chat from the floor's copy (no points), earned or revoked, names escaped.
func TestAchievementsTellTheBadgeFromTheFloor(t *testing.T) {
	if !webhook.Sends("achievement", "floor") || webhook.Sends("achievement", "rep:ana") {
		t.Fatal("a badge must go to webhooks from the floor alone: the rep's copy has points and the balance")
	}
	if !webhook.Sends("reward", "rep:ana") || !webhook.Sends("celebration", "floor") || webhook.Sends("rank", "floor") {
		t.Fatal("the other types go as subscribed, whatever their channel")
	}
	earned := `{"id":7,"rep_id":"ana","name":"Ana <!here>","kind":"hat_trick","key":"2026-06-01","title":"Hat-trick","note":"3 wins on 2026-06-01","awarded_at":"2026-06-01T10:00:00Z","revoked":false}`
	revoked := `{"id":7,"rep_id":"ana","name":"Ana","kind":"hat_trick","key":"2026-06-01","title":"Hat-trick","awarded_at":"2026-06-01T10:00:00Z","revoked":true,"revoked_reason":"deal D-2 reversed"}`
	for data, want := range map[string]string{
		earned:  "Ana &lt;!here&gt; earned Hat-trick",
		revoked: "Ana's Hat-trick badge was revoked: deal D-2 reversed",
	} {
		body, err := webhook.Renderer{Currency: "USD"}.Render(delivery(webhook.FormatSlack, "achievement", "floor", data))
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Text string }
		if err := json.Unmarshal(body, &got); err != nil || !strings.Contains(got.Text, want) {
			t.Errorf("slack text %q (%v), want it to say %q", got.Text, err, want)
		}
	}
}
