package wire_test

import (
	"testing"

	"bullpen/internal/bullpen"
	"bullpen/internal/live/wire"
)

func TestMayWatch(t *testing.T) {
	admin := bullpen.Token{Role: bullpen.RoleAdmin}
	manager := bullpen.Token{Role: bullpen.RoleManager}
	display := bullpen.Token{Role: bullpen.RoleDisplay}
	ana := bullpen.Token{Role: bullpen.RoleRep, RepID: "ana"}
	ch := func(name string) wire.Channel {
		c, err := wire.ParseChannel(name)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		tok     bullpen.Token
		channel string
		ok      bool
	}{
		{display, "floor", true}, {ana, "floor", true},
		{display, "contest:c1", true}, {ana, "contest:c1", true},
		{admin, "rep:bo", true}, {manager, "rep:bo", true}, {ana, "rep:ana", true},
		{ana, "rep:bo", false}, {display, "rep:ana", false},
		{admin, "targets:east", true}, {manager, "targets:east", true}, {display, "targets:east", true},
		{ana, "targets:east", true}, // the team is checked against the directory by the caller
		{bullpen.Token{Role: bullpen.RoleIngest}, "targets:east", false},
		{bullpen.Token{Role: bullpen.RoleIngest}, "rep:ana", false},
	} {
		err := wire.MayWatch(tc.tok, ch(tc.channel))
		if tc.ok != (err == nil) || (err != nil && bullpen.ErrorCode(err) != bullpen.EPermission) {
			t.Errorf("%s on %s: %v, want allowed %v", tc.tok.Role, tc.channel, err, tc.ok)
		}
	}
}
