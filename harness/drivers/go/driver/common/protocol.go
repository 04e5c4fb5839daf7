// Package driver replays the kit's low-level commands on the Go SDK's real
// DataSourceUpdateSink, behind a real LDClient, inside a testing/synctest
// bubble so that every SDK timer runs on the bubble's fake clock.
//
// The protocol (docs/driver-protocol.md): one JSON object per line in, one per
// line out. Each command carries an id; it is answered by zero or more row
// lines, then one reply line, each carrying the command's id as "re". The
// Python side owns the scenario's meaning and sends commands in batches; this
// side only obeys, in order.
package driver

import (
	"encoding/json"
	"time"
)

// ProtocolVersion is sent in the hello line; the Python side refuses a driver speaking another.
const ProtocolVersion = 2

// epoch is where every synctest bubble's clock starts.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Command is one line from the Python side.
type Command struct {
	Op             string                                `json:"op"`
	ID             int64                                 `json:"id"`
	IfOK           int64                                 `json:"if_ok"` // carry it out only if that call did not fail
	Start          int64                                 `json:"start"` // begin: the scenario's start, Unix microseconds
	Store          *StoreConfig                          `json:"store"`
	OutageLogAfter int64                                 `json:"outage_log_after"` // microseconds; 0 turns it off
	Listen         bool                                  `json:"listen"`
	Data           map[string]map[string]json.RawMessage `json:"data"`
	Kind           string                                `json:"kind"`
	Key            string                                `json:"key"`
	Version        int                                   `json:"version"`
	Item           json.RawMessage                       `json:"item"`
	State          string                                `json:"state"`
	Error          *ErrorInfo                            `json:"error"`
	To             int64                                 `json:"to"` // advance: Unix microseconds
	Resend         bool                                  `json:"resend"` // init: the source resends its view (it stays as it is)
	Mode           string                                `json:"mode"`   // recovery: restart, restart_if_stale, or "" for none
	After          int64                                 `json:"after"`  // recovery: microseconds from the store's recovery to the restart
	Fail           []string                              `json:"fail"`
	Available      bool                                  `json:"available"`
	Message        string                                `json:"message"`
	On             bool                                  `json:"on"`
	Ops            [][3]any                              `json:"ops"` // bench: [op, key, version]
	Flag           string                                `json:"flag"`
	Context        string                                `json:"context"`
	Default        json.RawMessage                       `json:"default"`
}

// StoreConfig is the scenario's store setting.
type StoreConfig struct {
	Type     string `json:"type"`      // memory, persistent, go (a user's core, built in) or redis
	CacheTTL *int64 `json:"cache_ttl"` // microseconds; absent: the SDK's default
	Infinite bool   `json:"infinite"`  // an infinite cache (CacheForever)
	Host     string `json:"host"`      // redis: where the SDK's client connects (the kit's fault proxy)
	Port     int    `json:"port"`
	PeekPort int    `json:"peek_port"` // redis: the server itself, for reading records past the proxy
	Prefix   string `json:"prefix"`    // redis: the key prefix; "" for the integration's default
	// Tombstones is the form the persistent core keeps a deleted item in: "serialized" (or "") or "flag".
	Tombstones string `json:"tombstones"`
	Core       string `json:"core"` // go: the store.core this driver is built with
}

// ErrorInfo is a data source error as the kit writes it.
type ErrorInfo struct {
	Kind       string `json:"kind"`
	StatusCode int    `json:"status_code"`
	Message    string `json:"message"`
}

// stored is one stored record, as a write's reply reports it.
type stored struct {
	Version int  `json:"version"`
	Deleted bool `json:"deleted"`
	// identity tells this record from another of the same version: the item itself for the
	// in-memory store (a pointer), its serialized JSON for the persistent core (a string).
	identity any
}

// same tells whether two peeks saw the same record (nil for none).
func same(a, b *stored) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Version == b.Version && a.Deleted == b.Deleted && a.identity == b.identity
}

// Out writes one JSON line to the Python side.
type Out func(v any)
