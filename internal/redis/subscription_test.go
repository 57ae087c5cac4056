package redis_test

import (
	"context"
	"testing"
	"time"

	"bullpen/internal/bullpen"
	"bullpen/internal/testenv"
)

// TestSubscriptionSpeaksChannelNames: a node's subscription is confirmed and announces
// messages under the channel's own name, hears revocations from the start, and hears nothing
// of a channel it left.
func TestSubscriptionSpeaksChannelNames(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	sub, err := s.Listen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Close() }()
	next := func() bullpen.Announcement {
		t.Helper()
		got := make(chan bullpen.Announcement, 1)
		go func() {
			for {
				a, ok := sub.Next()
				if !ok || a.Kind != bullpen.AnnouncedNothing {
					got <- a
					return
				}
			}
		}()
		select {
		case a := <-got:
			return a
		case <-time.After(5 * time.Second):
			t.Fatal("nothing announced")
		}
		return bullpen.Announcement{}
	}
	if err := sub.Subscribe(ctx, "contest:k1"); err != nil {
		t.Fatal(err)
	}
	if a := next(); a.Kind != bullpen.AnnouncedSubscribed || a.Channel != "contest:k1" {
		t.Fatalf("confirmation %+v", a)
	}
	msg, err := s.Publish(ctx, "contest:k1", "update", []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if a := next(); a.Kind != bullpen.AnnouncedMessage || a.Channel != "contest:k1" || a.Payload != msg {
		t.Fatalf("message %+v, want %s on contest:k1", a, msg)
	}
	if err := s.PublishRevocation(ctx, "tok-1"); err != nil {
		t.Fatal(err)
	}
	if a := next(); a.Kind != bullpen.AnnouncedRevocation || a.Payload != "tok-1" || a.Channel != "" {
		t.Fatalf("revocation %+v", a)
	}
	if err := sub.Unsubscribe(ctx, "contest:k1"); err != nil {
		t.Fatal(err)
	}
	// Unsubscribe only sends the command: wait until Redis has taken it, or the publish below
	// (on another connection) can overtake it.
	testenv.Eventually(t, 5*time.Second, "the unsubscribe to reach Redis", func() bool {
		return testenv.NumSub(ctx, t, s.Client(), s.NoticeChannel("contest:k1")) == 0
	})
	if _, err := s.Publish(ctx, "contest:k1", "update", []byte(`{"n":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishRevocation(ctx, "tok-2"); err != nil {
		t.Fatal(err)
	}
	if a := next(); a.Kind != bullpen.AnnouncedRevocation || a.Payload != "tok-2" {
		t.Fatalf("after leaving the channel: %+v", a)
	}
}

// TestPresenceRoundTrip: entries written are read back by field, and deleted ones are gone.
func TestPresenceRoundTrip(t *testing.T) {
	s := mustStore(t)
	ctx := context.Background()
	if err := s.SetPresence(ctx, map[string][]byte{"n1:a": []byte(`{"token_id":"a"}`), "n1:b": []byte(`{"token_id":"b"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePresence(ctx, "n1:a"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Presence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["n1:b"] != `{"token_id":"b"}` {
		t.Fatalf("presence %v", got)
	}
}
