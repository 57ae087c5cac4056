//go:build !linux

package live

// ringSender is io_uring's sender, which only Linux has: every socket is written with a system
// call of its own.
type ringSender struct{ failed error }

func (fo *fanOut) newRingSender(*flusher) *ringSender { return nil }

func (r *ringSender) usable() bool { return false }

func (r *ringSender) close() {}

func (f *flusher) flushRing(chunk []*socket) {
	for _, sock := range chunk {
		sock.flushNow(f)
	}
}
