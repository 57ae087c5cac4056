package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// sendRun sends a run of one endpoint's line, in order, one request at a time, and returns the
// outcomes of those it tried: it stops after the first that was not delivered (what follows
// waits for it, as the line always does), once RunTime has gone by, or when ctx ends (the
// request ctx cut short has no outcome: it is not the receiver's failure, and is sent again).
func (d *Deliverer) sendRun(ctx context.Context, run []Delivery) []Outcome {
	outs := make([]Outcome, 0, len(run))
	start := time.Now()
	for i, del := range run {
		if ctx.Err() != nil || (i > 0 && time.Since(start) >= d.RunTime) {
			break
		}
		out := d.send(ctx, del)
		if ctx.Err() != nil && !out.Delivered {
			break
		}
		outs = append(outs, out)
		if !out.Delivered {
			break
		}
	}
	return outs
}

// send makes one attempt at del and decides what becomes of it.
func (d *Deliverer) send(ctx context.Context, del Delivery) Outcome {
	res := d.post(ctx, del)
	return d.Schedule.Decide(del, res, d.Now())
}
func (d *Deliverer) post(ctx context.Context, del Delivery) Result {
	body, err := d.Renderer.Render(del)
	if err != nil {
		return Result{Err: err}
	}
	at := d.Now()
	sig, err := Sign(del.Secret, del.ID, at, body)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.URL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Bullpen-Webhooks/1")
	req.Header.Set(HeaderID, del.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	start := time.Now()
	resp, err := d.Client.Do(req)
	if err != nil {
		return Result{Err: withoutURL(err), Latency: time.Since(start)}
	}
	// Read (a little of) the answer, so the connection can be used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return Result{Status: resp.StatusCode, Latency: time.Since(start)}
}

// withoutURL drops the URL from a client error: a chat's webhook URL is a secret of its own,
// and the log says which endpoint anyway.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
