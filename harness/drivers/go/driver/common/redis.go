package driver

// The Go SDK's own Redis integration (go-server-sdk-redis-redigo, its major picked in the
// major's redis_sdk.go), against the kit's redis-server through the kit's fault proxy. The kit
// makes the faults on the network (docs/driver-protocol.md, "Store settings"), so the driver
// only builds the store and reads records straight from the server for each write's outcome.
// A release no version of the integration supports is built with redis_off.go instead.

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	r "github.com/gomodule/redigo/redis"
)

// redisDefaultPrefix is the integration's own default prefix.
const redisDefaultPrefix = "launchdarkly"

// redisBuilder is the SDK's persistent store builder over the Redis integration, and the
// records in the server itself.
func redisBuilder(store *StoreConfig) (*persistentStoreBuilder, peeker, error) {
	if store.Host == "" || store.Port == 0 || store.PeekPort == 0 {
		return nil, nil, fmt.Errorf("a redis store needs host, port and peek_port")
	}
	prefix := store.Prefix
	if prefix == "" {
		prefix = redisDefaultPrefix
	}
	integration := redisDataStore().HostAndPort(store.Host, store.Port).Prefix(prefix)
	records := &redisRecords{address: fmt.Sprintf("%s:%d", store.Host, store.PeekPort), prefix: prefix}
	return persistentDataStoreOf(integration), records, nil
}

// redisRecords reads what the server holds, past the fault proxy and the SDK's cache.
type redisRecords struct {
	mu      sync.Mutex
	address string
	prefix  string
	conn    r.Conn
}

func (p *redisRecords) do(command string, args ...any) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		conn, err := r.Dial("tcp", p.address)
		if err != nil {
			return nil, err
		}
		p.conn = conn
	}
	reply, err := p.conn.Do(command, args...)
	if err != nil {
		p.conn.Close() // nolint:errcheck
		p.conn = nil
	}
	return reply, err
}

func (p *redisRecords) hash(kind dataKind) string { return p.prefix + ":" + kind.GetName() }

func (p *redisRecords) peek(kind dataKind, key string) *stored {
	text, err := r.String(p.do("HGET", p.hash(kind), key))
	if err != nil {
		return nil
	}
	var record struct {
		Version int  `json:"version"`
		Deleted bool `json:"deleted"`
	}
	if json.Unmarshal([]byte(text), &record) != nil {
		return nil
	}
	return &stored{Version: record.Version, Deleted: record.Deleted, identity: text}
}

func (p *redisRecords) keys(kind dataKind) []string {
	keys, _ := r.Strings(p.do("HKEYS", p.hash(kind)))
	sort.Strings(keys)
	return keys
}

func (p *redisRecords) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		p.conn.Close() // nolint:errcheck
		p.conn = nil
	}
}
