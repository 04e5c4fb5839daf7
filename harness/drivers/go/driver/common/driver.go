// Package driver replays the kit's low-level commands on the Go SDK's real
// DataSourceUpdateSink, behind a real LDClient, inside a testing/synctest
// bubble so that every SDK timer runs on the bubble's fake clock.
//
// The protocol (docs/driver-protocol.md): one JSON object per line in, one per
// line out. Each command is answered by zero or more row lines, then one reply
// line. The Python side owns the scenario's meaning; this side only obeys.
package driver

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/launchdarkly/go-sdk-common/v3/ldcontext"
	"github.com/launchdarkly/go-sdk-common/v3/ldlog"
	"github.com/launchdarkly/go-sdk-common/v3/ldvalue"
)

// ProtocolVersion is sent in the hello line; the Python side refuses a driver speaking another.
const ProtocolVersion = 1

// epoch is where every synctest bubble's clock starts.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Command is one line from the Python side.
type Command struct {
	Op             string                                `json:"op"`
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
	Type     string `json:"type"`      // memory or persistent
	CacheTTL *int64 `json:"cache_ttl"` // microseconds; absent: the SDK's default
	Forever  bool   `json:"forever"`   // an infinite cache
}

// ErrorInfo is a data source error as the kit writes it.
type ErrorInfo struct {
	Kind       string `json:"kind"`
	StatusCode int    `json:"status_code"`
	Message    string `json:"message"`
}

// Out writes one JSON line to the Python side.
type Out func(v any)

// ----------------------------------------------------------------------------- rows

type row struct {
	at    time.Time
	order int // frame order within one instant: status, store_status, changes, logs
	seq   int
	key   string // sorts change events of one instant
	body  map[string]any
}

const (
	orderStatus = iota
	orderStoreStatus
	orderChanges
	orderLogs
	orderEvaluations
)

// recorder buffers what the SDK's listeners and logger report, until the command ends.
type recorder struct {
	mu    sync.Mutex
	start int64 // Unix microseconds of the scenario's start
	rows  []row
	seq   int
	muted bool
}

func (r *recorder) micros(t time.Time) int64 {
	return r.start + t.Sub(epoch).Microseconds()
}

func (r *recorder) add(order int, key string, body map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.muted && order == orderLogs {
		return
	}
	r.seq++
	r.rows = append(r.rows, row{at: time.Now(), order: order, seq: r.seq, key: key, body: body})
}

// flush writes the buffered rows in a deterministic order: by time, then frame, then
// key for change events (the SDK sends them from a map), then arrival.
func (r *recorder) flush(out Out) {
	r.mu.Lock()
	rows := r.rows
	r.rows = nil
	r.mu.Unlock()
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		if a.order != b.order {
			return a.order < b.order
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.seq < b.seq
	})
	for _, x := range rows {
		x.body["t"] = r.micros(x.at)
		out(x.body)
	}
}

func (r *recorder) status(s dataSourceStatus) {
	body := map[string]any{"row": "status", "state": string(s.State), "since": r.micros(s.StateSince),
		"error_kind": nil, "status_code": nil, "error_message": nil, "error_time": nil}
	if s.LastError.Kind != "" {
		body["error_kind"] = string(s.LastError.Kind)
		body["status_code"] = s.LastError.StatusCode
		body["error_message"] = s.LastError.Message
		body["error_time"] = r.micros(s.LastError.Time)
	}
	r.add(orderStatus, "", body)
}

func (r *recorder) storeStatus(s dataStoreStatus) {
	r.add(orderStoreStatus, "", map[string]any{"row": "store_status", "available": s.Available, "stale": s.NeedsRefresh})
}

// logWriter is an ldlog base logger for one level.
type logWriter struct {
	r     *recorder
	level string
}

func (w logWriter) Println(values ...interface{}) {
	w.write(strings.TrimSuffix(fmt.Sprintln(values...), "\n"))
}

func (w logWriter) Printf(format string, args ...interface{}) {
	w.write(fmt.Sprintf(format, args...))
}

const outagePrefix = "LaunchDarkly data source outage - "

func (w logWriter) write(message string) {
	// The ldlog prefix ("INFO: ") is the level, which is recorded on its own.
	for _, prefix := range []string{"DEBUG: ", "INFO: ", "WARN: ", "ERROR: "} {
		message = strings.TrimPrefix(message, prefix)
	}
	w.r.add(orderLogs, "", map[string]any{"row": "logs", "level": w.level, "message": sortOutageErrors(message)})
}

// sortOutageErrors puts the outage line's error list in a fixed order: the SDK
// builds it from a map, so its order would differ from run to run.
func sortOutageErrors(message string) string {
	const marker = " with the following errors: "
	if !strings.HasPrefix(message, outagePrefix) {
		return message
	}
	at := strings.Index(message, marker)
	if at < 0 {
		return message
	}
	parts := strings.Split(message[at+len(marker):], ", ")
	sort.Strings(parts)
	return message[:at+len(marker)] + strings.Join(parts, ", ")
}

func loggers(r *recorder) ldlog.Loggers {
	var l ldlog.Loggers
	l.SetBaseLoggerForLevel(ldlog.Debug, logWriter{r, "DEBUG"})
	l.SetBaseLoggerForLevel(ldlog.Info, logWriter{r, "INFO"})
	l.SetBaseLoggerForLevel(ldlog.Warn, logWriter{r, "WARNING"})
	l.SetBaseLoggerForLevel(ldlog.Error, logWriter{r, "ERROR"})
	l.SetMinLevel(ldlog.Info)
	return l
}

// ----------------------------------------------------------------------------- store faults

type faults struct {
	mu        sync.Mutex
	down      bool
	fail      map[string]bool
	available bool
	message   string
}

func (f *faults) check(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down && f.fail[op] {
		return errors.New(f.message)
	}
	return nil
}

func (f *faults) isAvailable() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.down || f.available
}

func kindByName(name string) (dataKind, error) {
	switch name {
	case "flags":
		return features(), nil
	case "segments":
		return segments(), nil
	}
	return nil, fmt.Errorf("unknown kind %q", name)
}

var kindNames = []string{"flags", "segments"}

// faultyMemory is the SDK's in-memory store with a fault check in front of each operation.
type faultyMemory struct {
	inner  dataStore
	faults *faults
}

func (m *faultyMemory) Init(all []collection) error {
	if err := m.faults.check("init"); err != nil {
		return err
	}
	return m.inner.Init(all)
}

func (m *faultyMemory) Get(kind dataKind, key string) (itemDescriptor, error) {
	if err := m.faults.check("get"); err != nil {
		return itemDescriptor{}.NotFound(), err
	}
	return m.inner.Get(kind, key)
}

func (m *faultyMemory) GetAll(kind dataKind) ([]keyedItemDescriptor, error) {
	if err := m.faults.check("all"); err != nil {
		return nil, err
	}
	return m.inner.GetAll(kind)
}

func (m *faultyMemory) Upsert(kind dataKind, key string, item itemDescriptor) (bool, error) {
	op := "upsert"
	if item.Item == nil {
		op = "delete"
	}
	if err := m.faults.check(op); err != nil {
		return false, err
	}
	return m.inner.Upsert(kind, key, item)
}

func (m *faultyMemory) IsInitialized() bool             { return m.inner.IsInitialized() }
func (m *faultyMemory) IsStatusMonitoringEnabled() bool { return false }
func (m *faultyMemory) Close() error                    { return m.inner.Close() }

func (m *faultyMemory) peek(kind dataKind, key string) *stored {
	item, err := m.inner.Get(kind, key)
	if err != nil || item.Version < 0 {
		return nil
	}
	return &stored{Version: item.Version, Deleted: item.Item == nil, JSON: json.RawMessage(kind.Serialize(item))}
}

// faultyCore is a PersistentDataStore over a map, with faults and an availability answer.
// It keeps the version rule as a database integration does.
type faultyCore struct {
	mu     sync.Mutex
	data   map[string]map[string]serializedItem
	inited bool
	faults *faults
}

func newFaultyCore(f *faults) *faultyCore {
	return &faultyCore{data: map[string]map[string]serializedItem{"features": {}, "segments": {}}, faults: f}
}

func (c *faultyCore) Init(all []serializedCollection) error {
	if err := c.faults.check("init"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = map[string]map[string]serializedItem{"features": {}, "segments": {}}
	for _, coll := range all {
		for _, item := range coll.Items {
			c.data[coll.Kind.GetName()][item.Key] = item.Item
		}
	}
	c.inited = true
	return nil
}

func (c *faultyCore) Get(kind dataKind, key string) (serializedItem, error) {
	if err := c.faults.check("get"); err != nil {
		return serializedItem{}.NotFound(), err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if item, ok := c.data[kind.GetName()][key]; ok {
		return item, nil
	}
	return serializedItem{}.NotFound(), nil
}

func (c *faultyCore) GetAll(kind dataKind) ([]keyedSerializedItem, error) {
	if err := c.faults.check("all"); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	items := c.data[kind.GetName()]
	keys := make([]string, 0, len(items))
	for key := range items {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := make([]keyedSerializedItem, 0, len(keys))
	for _, key := range keys {
		out = append(out, keyedSerializedItem{Key: key, Item: items[key]})
	}
	return out, nil
}

func (c *faultyCore) Upsert(kind dataKind, key string, item serializedItem) (bool, error) {
	op := "upsert"
	if item.Deleted {
		op = "delete"
	}
	if err := c.faults.check(op); err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.data[kind.GetName()][key]; ok && old.Version >= item.Version {
		return false, nil
	}
	c.data[kind.GetName()][key] = item
	return true, nil
}

func (c *faultyCore) IsInitialized() bool {
	if c.faults.check("get") != nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inited
}

func (c *faultyCore) IsStoreAvailable() bool { return c.faults.isAvailable() }
func (c *faultyCore) Close() error           { return nil }

func (c *faultyCore) peek(kind dataKind, key string) *stored {
	c.mu.Lock()
	defer c.mu.Unlock()
	item, ok := c.data[kind.GetName()][key]
	if !ok {
		return nil
	}
	return &stored{Version: item.Version, Deleted: item.Deleted, JSON: json.RawMessage(item.SerializedItem)}
}

type stored struct {
	Version int             `json:"version"`
	Deleted bool            `json:"deleted"`
	JSON    json.RawMessage `json:"json,omitempty"`
}

type peeker interface {
	peek(kind dataKind, key string) *stored
}

// ----------------------------------------------------------------------------- component factories

type memoryFactory struct{ store *faultyMemory }

func (f memoryFactory) Build(ctx clientContext) (dataStore, error) {
	inner, err := inMemoryDataStore().Build(ctx)
	if err != nil {
		return nil, err
	}
	f.store.inner = inner
	return f.store, nil
}

type coreFactory struct{ core *faultyCore }

func (f coreFactory) Build(ctx clientContext) (persistentDataStore, error) { return f.core, nil }

// simulatedSource is the custom data source: it only hands the kit the sink.
type simulatedSource struct {
	sink        dataSourceUpdateSink
	mu          sync.Mutex
	initialized bool
}

func (s *simulatedSource) IsInitialized() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initialized
}

func (s *simulatedSource) Start(closeWhenReady chan<- struct{}) { close(closeWhenReady) }
func (s *simulatedSource) Close() error                         { return nil }

type sourceFactory struct{ source *simulatedSource }

func (f sourceFactory) Build(ctx clientContext) (dataSource, error) {
	f.source.sink = ctx.GetDataSourceUpdateSink()
	return f.source, nil
}

// ----------------------------------------------------------------------------- one scenario

// Scenario is one scenario's client and the state around it.
type Scenario struct {
	rec      *recorder
	client   *client
	source   *simulatedSource
	faults   *faults
	store    peeker
	changes  <-chan flagChangeEvent
	listener bool
	wait     func() // synctest.Wait: every goroutine of the bubble is blocked
}

// Begin builds the client for a "begin" command. Call it inside the scenario's bubble.
func Begin(cmd Command, wait func()) (*Scenario, error) {
	s := &Scenario{rec: &recorder{start: cmd.Start, muted: true}, source: &simulatedSource{}, faults: &faults{},
		wait: wait}
	cfg := config{DiagnosticOptOut: true, Events: noEvents()}
	cfg.DataSource = sourceFactory{s.source}
	store := cmd.Store
	if store == nil {
		store = &StoreConfig{Type: "memory"}
	}
	switch store.Type {
	case "memory":
		memory := &faultyMemory{faults: s.faults}
		s.store = memory
		cfg.DataStore = memoryFactory{memory}
	case "persistent":
		core := newFaultyCore(s.faults)
		s.store = core
		builder := persistentDataStoreOf(coreFactory{core})
		switch {
		case store.Forever:
			builder = builder.CacheForever()
		case store.CacheTTL != nil && *store.CacheTTL == 0:
			builder = builder.NoCaching()
		case store.CacheTTL != nil:
			builder = builder.CacheTime(time.Duration(*store.CacheTTL) * time.Microsecond)
		}
		cfg.DataStore = builder
	default:
		return nil, fmt.Errorf("unknown store type %q", store.Type)
	}
	logs := logging().Loggers(loggers(s.rec)).MinLevel(ldlog.Info)
	logs = logs.LogDataSourceOutageAsErrorAfter(time.Duration(cmd.OutageLogAfter) * time.Microsecond)
	cfg.Logging = logs
	c, err := makeCustomClient("harness-simulated-sdk-key", cfg, 0)
	if err != nil {
		return nil, err
	}
	s.client = c
	s.rec.status(c.GetDataSourceStatusProvider().GetStatus())
	s.rec.storeStatus(c.GetDataStoreStatusProvider().GetStatus())
	statuses := c.GetDataSourceStatusProvider().AddStatusListener()
	go func() {
		for status := range statuses {
			s.rec.status(status)
		}
	}()
	storeStatuses := c.GetDataStoreStatusProvider().AddStatusListener()
	go func() {
		for status := range storeStatuses {
			s.rec.storeStatus(status)
		}
	}()
	if cmd.Listen {
		s.listen(true)
	}
	s.wait()
	s.rec.mu.Lock()
	s.rec.muted = false // the client's own start-up lines describe the kit's wiring, not the scenario
	s.rec.mu.Unlock()
	return s, nil
}

func (s *Scenario) listen(on bool) {
	tracker := s.client.GetFlagTracker()
	if on && !s.listener {
		changes := tracker.AddFlagChangeListener()
		s.changes = changes
		go func() {
			for event := range changes {
				s.rec.add(orderChanges, event.Key, map[string]any{"row": "changes", "key": event.Key})
			}
		}()
	} else if !on && s.listener {
		tracker.RemoveFlagChangeListener(s.changes)
	}
	s.listener = on
}

// Do carries out one command; the rows it caused are written before its reply.
// It returns false for "end".
func (s *Scenario) Do(cmd Command, out Out) (bool, error) {
	reply := map[string]any{"reply": cmd.Op}
	switch cmd.Op {
	case "init":
		var colls []collection
		for _, name := range kindNames {
			kind, _ := kindByName(name)
			items := cmd.Data[name]
			keys := make([]string, 0, len(items))
			for key := range items {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			coll := collection{Kind: kind}
			for _, key := range keys {
				item, err := kind.Deserialize(items[key])
				if err != nil {
					return true, fmt.Errorf("init: %s %q: %w", name, key, err)
				}
				coll.Items = append(coll.Items, keyedItemDescriptor{Key: key, Item: item})
			}
			colls = append(colls, coll)
		}
		ok := s.source.sink.Init(colls)
		if ok {
			s.source.mu.Lock()
			s.source.initialized = true
			s.source.mu.Unlock()
		}
		reply["ok"] = ok
	case "upsert", "delete":
		kind, err := kindByName(cmd.Kind)
		if err != nil {
			return true, err
		}
		item := itemDescriptor{Version: cmd.Version}
		if cmd.Op == "upsert" {
			if item, err = kind.Deserialize(cmd.Item); err != nil {
				return true, fmt.Errorf("upsert: %s %q: %w", cmd.Kind, cmd.Key, err)
			}
		}
		reply["before"] = s.store.peek(kind, cmd.Key)
		reply["ok"] = s.source.sink.Upsert(kind, cmd.Key, item)
		reply["after"] = s.store.peek(kind, cmd.Key)
	case "status":
		var info dataSourceErrorInfo
		if cmd.Error != nil {
			info = dataSourceErrorInfo{Kind: dataSourceErrorKind(cmd.Error.Kind), StatusCode: cmd.Error.StatusCode,
				Message: cmd.Error.Message, Time: time.Now()}
		}
		s.source.sink.UpdateStatus(dataSourceState(cmd.State), info)
	case "advance":
		due := epoch.Add(time.Duration(cmd.To-s.rec.start) * time.Microsecond)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait) // the bubble's clock moves, firing the SDK's timers in order
		}
	case "peek":
		kind, err := kindByName(cmd.Kind)
		if err != nil {
			return true, err
		}
		reply["record"] = s.store.peek(kind, cmd.Key)
	case "store_down":
		s.faults.mu.Lock()
		s.faults.down, s.faults.available, s.faults.message = true, cmd.Available, cmd.Message
		s.faults.fail = map[string]bool{}
		for _, op := range cmd.Fail {
			s.faults.fail[op] = true
		}
		s.faults.mu.Unlock()
	case "store_up":
		s.faults.mu.Lock()
		s.faults.down = false
		s.faults.mu.Unlock()
	case "listen":
		s.listen(cmd.On)
	case "evaluate":
		fallback := ldvalue.Null()
		if len(cmd.Default) > 0 {
			fallback = ldvalue.Parse(cmd.Default)
		}
		value, detail, _ := s.client.JSONVariationDetail(cmd.Flag, ldcontext.New(cmd.Context), fallback)
		reason := string(detail.Reason.GetKind())
		if reason == "ERROR" {
			reason = "ERROR:" + string(detail.Reason.GetErrorKind())
		}
		s.rec.add(orderEvaluations, "", map[string]any{"row": "evaluations", "flag": cmd.Flag, "context": cmd.Context,
			"value": json.RawMessage(value.JSONString()), "reason": reason})
	case "end":
		s.wait()
		s.rec.flush(out)
		var store [][]any
		for _, name := range kindNames {
			kind, _ := kindByName(name)
			store = append(store, s.snapshot(name, kind)...)
		}
		reply["store"] = store
		s.rec.mu.Lock()
		s.rec.muted = true
		s.rec.mu.Unlock()
		s.client.Close()
		out(reply)
		return false, nil
	default:
		return true, fmt.Errorf("unknown op %q", cmd.Op)
	}
	s.wait()
	s.rec.flush(out)
	out(reply)
	return true, nil
}

func (s *Scenario) snapshot(name string, kind dataKind) [][]any {
	var keys []string
	switch store := s.store.(type) {
	case *faultyMemory:
		items, _ := store.inner.GetAll(kind)
		for _, item := range items {
			keys = append(keys, item.Key)
		}
	case *faultyCore:
		store.mu.Lock()
		for key := range store.data[kind.GetName()] {
			keys = append(keys, key)
		}
		store.mu.Unlock()
	}
	sort.Strings(keys)
	var rows [][]any
	for _, key := range keys {
		if record := s.store.peek(kind, key); record != nil {
			rows = append(rows, []any{name, key, record.Version, record.Deleted})
		}
	}
	return rows
}

// Bench makes the calls of a "bench" command directly on a fresh client's sink, in
// real time (outside any bubble), and returns the seconds they took: the Go
// sink's bare rate, to set the kit's rate through the driver against.
func Bench(cmd Command) (float64, error) {
	source := &simulatedSource{}
	cfg := config{DiagnosticOptOut: true, Events: noEvents()}
	cfg.DataSource = sourceFactory{source}
	cfg.DataStore = memoryFactory{&faultyMemory{faults: &faults{}}}
	cfg.Logging = logging().Loggers(loggers(&recorder{muted: true})).MinLevel(ldlog.Error)
	c, err := makeCustomClient("harness-bench-sdk-key", cfg, 0)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	changes := c.GetFlagTracker().AddFlagChangeListener() // as the kit's runs listen
	go func() {
		for range changes {
		}
	}()
	kind := features()
	var initial []keyedItemDescriptor
	for key, raw := range cmd.Data["flags"] {
		item, err := kind.Deserialize(raw)
		if err != nil {
			return 0, err
		}
		initial = append(initial, keyedItemDescriptor{Key: key, Item: item})
	}
	type call struct {
		key  string
		item itemDescriptor
	}
	calls := make([]call, 0, len(cmd.Ops))
	for _, op := range cmd.Ops {
		name, _ := op[0].(string)
		key, _ := op[1].(string)
		version := int(op[2].(float64))
		item := itemDescriptor{Version: version}
		if name == "upsert" {
			raw := fmt.Sprintf(`{"key":%q,"version":%d,"on":true,"variations":[false,true],"fallthrough":{"variation":0},"offVariation":0,"salt":%q}`, key, version, key)
			if item, err = kind.Deserialize([]byte(raw)); err != nil {
				return 0, err
			}
		}
		calls = append(calls, call{key, item})
	}
	started := time.Now()
	source.sink.Init([]collection{{Kind: kind, Items: initial}, {Kind: segments()}})
	for _, x := range calls {
		source.sink.Upsert(kind, x.key, x.item)
	}
	return time.Since(started).Seconds(), nil
}
