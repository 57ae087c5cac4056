package live

// A burst's messages by channel: kept as they come (add), handed to the sockets when the burst
// ends (handOut), each channel's as one run that every socket at its start shares.

// burstGroup is one channel's messages in a burst, in the order the log announced them.
type burstGroup struct {
	ch   *watchedChannel
	msgs []channelMessage
	// run is the messages joined one per line, as a frame carries them, when their seqs follow
	// one another in one epoch (as the log publishes them): one copy shared by every socket
	// that is at the seq before the first, which takes the run as one queue entry.
	run         []byte
	first, last int64
	epoch       string
}

// add keeps one message of the burst with its channel's others; handOut gives them to the
// sockets. A channel no local socket watches is skipped.
func (fo *fanOut) add(channel, payload string) {
	ch := fo.channels.lookup(channel)
	if ch == nil {
		return
	}
	m, ok := parseMessage(payload)
	if !ok {
		fo.logger.Error("live: malformed channel message", "channel", ch.name, "message", payload)
		return
	}
	for i := range fo.groups {
		if fo.groups[i].ch == ch {
			fo.groups[i].msgs = append(fo.groups[i].msgs, m)
			return
		}
	}
	if len(fo.groups) < cap(fo.groups) {
		// Reuse a group's slice of messages from an earlier burst.
		fo.groups = fo.groups[:len(fo.groups)+1]
		g := &fo.groups[len(fo.groups)-1]
		g.ch, g.msgs = ch, append(g.msgs[:0], m)
		return
	}
	fo.groups = append(fo.groups, burstGroup{ch: ch, msgs: []channelMessage{m}})
}

// handOut hands each channel's messages of the burst to every local socket watching it: a
// socket takes all of a channel's messages under one lock, and, when it is where the run
// starts, as one queue entry shared with every other socket. Each channel's messages keep
// their order; those of different channels are independent streams (each has its own seq).
// The channel's lock is held only to copy the list of watchers: a subscription added after the
// copy reads the channel's state after these messages were stored, so it misses nothing, and
// what it gets twice its seq drops.
func (fo *fanOut) handOut() {
	for i := range fo.groups {
		g := &fo.groups[i]
		g.joinRun()
		subs := fo.subsBuf[:0]
		g.ch.mu.RLock()
		for sub := range g.ch.subs {
			subs = append(subs, sub)
		}
		g.ch.mu.RUnlock()
		for j, sub := range subs {
			if sub.sock.deliver(sub, g) {
				fo.burst = append(fo.burst, sub.sock)
			}
			subs[j] = nil
		}
		fo.subsBuf = subs[:0]
		clear(g.msgs)
		g.ch, g.msgs, g.run, g.epoch = nil, g.msgs[:0], nil, ""
	}
	fo.groups = fo.groups[:0]
}

// joinRun sets the group's run when its messages follow one another in one epoch. One message
// is its own run, with no copy.
func (g *burstGroup) joinRun() {
	first := g.msgs[0]
	size := len(first.raw)
	for k := 1; k < len(g.msgs); k++ {
		if m := g.msgs[k]; m.epoch != first.epoch || m.seq != first.seq+int64(k) {
			return
		}
		size += 1 + len(g.msgs[k].raw)
	}
	g.first, g.last, g.epoch = first.seq, first.seq+int64(len(g.msgs)-1), first.epoch
	if len(g.msgs) == 1 {
		g.run = first.raw
		return
	}
	run := make([]byte, 0, size)
	for k, m := range g.msgs {
		if k > 0 {
			run = append(run, '\n')
		}
		run = append(run, m.raw...)
	}
	g.run = run
}
