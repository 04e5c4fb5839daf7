package driver

import (
	"encoding/json"
	"sort"
	"sync"
	"time"
)

// restarts carries out the kit's standing order for the store coming back (the
// "recovery" command; docs/driver-protocol.md, harness/replay/reactions.py): when
// the SDK reports the store available after it reported it unavailable, and the
// order's mode says so, the simulated source restarts its stream `after` later:
// an init of the data it last sent, then VALID if the init landed. The kit
// decides everything else (when the stream is up, so an order stands, and what
// the data is); the driver only sees the recovery where it happens, so the kit
// needs no round trip to learn of it.
type restarts struct {
	mu    sync.Mutex
	mode  string        // "restart", "restart_if_stale", or "" while no order stands
	after time.Duration // from the recovery to the restart
	down  bool          // the last store status said unavailable
	due   time.Time     // the restart scheduled, or zero
	view  map[string]map[string]viewEntry
	wake  chan struct{} // an advance sleeping past a restart just scheduled wakes to make it
}

// viewEntry is the newest version of an item the source sent; item is nil for a deletion. An
// init's items are kept as they came, their version read only when needed (a restart, a write of
// the same key): reading every init's items took a twentieth of the driver's time.
type viewEntry struct {
	version int
	known   bool // version has been read
	item    json.RawMessage
}

func (e *viewEntry) versionOf() int {
	if !e.known {
		var head struct {
			Version int `json:"version"`
		}
		_ = json.Unmarshal(e.item, &head) // the kit sends every item with its version
		e.version, e.known = head.Version, true
	}
	return e.version
}

func newRestarts() *restarts {
	return &restarts{view: map[string]map[string]viewEntry{"flags": {}, "segments": {}}, wake: make(chan struct{}, 1)}
}

// order is the kit's recovery command: a mode ("" ends the order: the stream is down) and the
// delay. A new order replaces a restart already scheduled, as the source's connection changes do.
func (r *restarts) order(mode string, after time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mode, r.after, r.due = mode, after, time.Time{}
}

// cancel drops the restart scheduled, if any.
func (r *restarts) cancel() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.due = time.Time{}
}

// seen is a store status the SDK reported (its status listener calls it, at the status's instant).
func (r *restarts) seen(available, stale bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	recovered := available && r.down
	r.down = !available
	if recovered && (r.mode == "restart" || (r.mode == "restart_if_stale" && stale)) && r.due.IsZero() {
		r.due = time.Now().Add(r.after)
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// dueBy is the restart scheduled at or before t, or zero.
func (r *restarts) dueBy(t time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.due.IsZero() && !r.due.After(t) {
		return r.due
	}
	return time.Time{}
}

// The source's view, kept as the kit's source keeps it: an init step replaces it, a write keeps the
// newest version of its item (a deletion too), and a resend of the view leaves it as it is.

func (r *restarts) replace(data map[string]map[string]json.RawMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, kind := range kindNames {
		r.view[kind] = map[string]viewEntry{}
		for key, item := range data[kind] {
			r.view[kind][key] = viewEntry{item: item}
		}
	}
}

func (r *restarts) remember(kind, key string, version int, item json.RawMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	items, ok := r.view[kind]
	if !ok {
		return // the write itself is refused for its kind
	}
	if known, ok := items[key]; !ok || known.versionOf() < version {
		items[key] = viewEntry{version: version, known: true, item: item}
	}
}

// take ends the scheduled restart and hands over the data it sends (the view without its
// deletions) and what that writes, as [kind, key, version] sorted by kind then key.
func (r *restarts) take() (map[string]map[string]json.RawMessage, [][]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.due = time.Time{}
	data := map[string]map[string]json.RawMessage{}
	written := [][]any{}
	for _, kind := range kindNames {
		data[kind] = map[string]json.RawMessage{}
		keys := make([]string, 0, len(r.view[kind]))
		for key, entry := range r.view[kind] {
			if entry.item != nil {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		for _, key := range keys {
			entry := r.view[kind][key]
			data[kind][key] = entry.item
			written = append(written, []any{kind, key, entry.versionOf()})
		}
	}
	return data, written
}

// advance moves the bubble's clock to target, making every restart that falls due on the way
// at its instant: after the SDK's own work of that instant, as the kit's timer would.
func (s *Scenario) advance(target time.Time, id int64, out Out) {
	for {
		if due := s.restarts.dueBy(target); !due.IsZero() {
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
			s.wait()
			s.rec.flush(id, out)
			s.restart(id, out)
			continue
		}
		wait := time.Until(target)
		if wait <= 0 {
			return
		}
		select {
		case <-time.After(wait):
			return
		case <-s.restarts.wake: // a recovery on the way scheduled a restart: it may be due before target
		}
	}
}

// restart makes the source's restart: the init, told to the kit ("made") before the rows it
// caused, and VALID if it landed.
func (s *Scenario) restart(id int64, out Out) {
	data, written := s.restarts.take()
	reply := map[string]any{}
	s.initData(data, reply)
	ok, _ := reply["ok"].(bool)
	t := s.rec.micros(time.Now())
	out(map[string]any{"made": "init", "re": id, "t": t, "ok": ok, "error": reply["error"], "written": written})
	s.wait()
	s.rec.flush(id, out)
	if !ok {
		return
	}
	s.source.sink.UpdateStatus(dataSourceState("VALID"), dataSourceErrorInfo{})
	out(map[string]any{"made": "status", "re": id, "t": t, "state": "VALID"})
	s.wait()
	s.rec.flush(id, out)
}
