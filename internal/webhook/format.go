package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Renderer turns a delivery into the body of its request, in its endpoint's format.
type Renderer struct {
	Currency string // BULLPEN_CURRENCY, for amounts in the chat formats
}

// bullpenBody is Bullpen's own format: the live message as its channel carries it, with the
// delivery's id and when the message was made.
type bullpenBody struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Channel   string          `json:"channel"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
}

type slackBody struct {
	Text   string       `json:"text"` // the notification's text, and what a client without blocks shows
	Blocks []slackBlock `json:"blocks"`
}

type teamsCard struct {
	Type       string `json:"@type"`
	Context    string `json:"@context"`
	Summary    string `json:"summary"`
	ThemeColor string `json:"themeColor"`
	Title      string `json:"title"`
	Text       string `json:"text"`
}

// Render is d's request body in its endpoint's format.
func (r Renderer) Render(d Delivery) ([]byte, error) {
	switch d.Format {
	case FormatSlack:
		s := r.summarize(d, slackEscape)
		return json.Marshal(slackBody{Text: s.title + ": " + s.text, Blocks: []slackBlock{
			{Type: "header", Text: slackText{Type: "plain_text", Text: s.icon + " " + s.title}},
			{Type: "section", Text: slackText{Type: "mrkdwn", Text: s.text}},
		}})
	case FormatTeams:
		s := r.summarize(d, teamsEscape)
		return json.Marshal(teamsCard{Type: "MessageCard", Context: "https://schema.org/extensions",
			Summary: s.title, ThemeColor: s.color, Title: s.icon + " " + s.title, Text: s.text})
	default:
		data := json.RawMessage(d.Data)
		if len(data) == 0 {
			data = json.RawMessage("{}")
		}
		return json.Marshal(bullpenBody{ID: d.ID, Type: d.Type, Channel: d.Channel, CreatedAt: d.CreatedAt.UTC(), Data: data})
	}
}

// summary is a message told to people: a title and a line of text (escaped for its chat).
type summary struct {
	icon, title, text, color string
}

// fields are the members of the live messages the chat formats tell of.
type fields struct {
	RepID   string      `json:"rep_id"`
	Name    string      `json:"name"`
	Title   string      `json:"title"`
	DealID  string      `json:"deal_id"`
	Amount  json.Number `json:"amount"`
	Points  int64       `json:"points"`
	Balance int64       `json:"balance"`
	Reason  string      `json:"reason"`
	Note    string      `json:"note"`
	Revoked bool        `json:"revoked"`
	Why     string      `json:"revoked_reason"`
}

func (r Renderer) summarize(d Delivery, esc func(string) string) summary {
	var f fields
	_ = json.Unmarshal(d.Data, &f) // a member it cannot read stays empty
	who := f.Name
	if who == "" {
		who = f.RepID
	}
	if who == "" {
		who = strings.TrimPrefix(d.Channel, "rep:")
	}
	switch d.Type {
	case EventCelebration:
		return summary{"🎉", "Deal won", fmt.Sprintf("%s won deal %s for %s %s", esc(who), esc(f.DealID), esc(f.Amount.String()), esc(r.Currency)), "2EB67D"}
	case EventIncentiveWon:
		text := fmt.Sprintf("%s won a place in a spot incentive: %d points", esc(who), f.Points)
		if f.Note != "" {
			text += " (" + esc(f.Note) + ")"
		}
		return summary{"🏆", "Spot incentive won", text, "ECB22E"}
	case EventContestFinal:
		return summary{"🏁", "Contest final", fmt.Sprintf("%s is final: its standings are settled and its prizes paid", esc(f.Name)), "36C5F0"}
	case EventReward:
		text := fmt.Sprintf("%s earned %d points (%s), balance %d", esc(who), f.Points, esc(f.Reason), f.Balance)
		if f.Note != "" {
			text += ": " + esc(f.Note)
		}
		return summary{"⭐", "Points rewarded", text, "ECB22E"}
	case EventAchievement:
		if f.Revoked {
			return summary{"🏅", "Badge revoked", fmt.Sprintf("%s's %s badge was revoked: %s", esc(who), esc(f.Title), esc(f.Why)), "808080"}
		}
		return summary{"🏅", "Badge earned", fmt.Sprintf("%s earned %s", esc(who), esc(f.Title)), "ECB22E"}
	case EventTest:
		return summary{"🔔", "Test delivery", "Bullpen can reach this webhook.", "808080"}
	default: // types to come: whatever name they carry
		name := f.Title
		if name == "" {
			name = f.Name
		}
		return summary{"🏅", esc(d.Type), esc(strings.TrimSpace(who + " " + name)), "808080"}
	}
}

// slackEscape keeps text from a CRM from being read as Slack markup (<!channel>, links).
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// teamsEscape keeps it from being read as a message card's HTML or Markdown.
var teamsEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "`", "\\`", "#", `\#`).Replace
