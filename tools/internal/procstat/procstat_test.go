package procstat

import (
	"net"
	"os"
	"strconv"
	"testing"
)

// A service's process is found by the port its URL names, or the default when it names none;
// a URL that does not parse, or a port nobody listens on, finds none.
func TestURLListenerPIDFindsWhoListensOnTheURLsPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	port := ln.Addr().(*net.TCPAddr).Port
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := free.Addr().(*net.TCPAddr).Port
	_ = free.Close()
	for _, c := range []struct {
		url  string
		def  int
		want int
	}{
		{"redis://127.0.0.1:" + strconv.Itoa(port) + "/0", 6379, os.Getpid()},
		{"redis://127.0.0.1/0", port, os.Getpid()}, // no port: the default
		{"redis://127.0.0.1:" + strconv.Itoa(freePort) + "/0", port, 0},
		{"redis://127.0.0.1:port/0", port, 0},
		{"://", port, 0},
	} {
		if got := URLListenerPID(c.url, c.def); got != c.want {
			t.Errorf("%q (default %d): pid %d, want %d", c.url, c.def, got, c.want)
		}
	}
}
