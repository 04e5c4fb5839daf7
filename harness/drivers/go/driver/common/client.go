package driver

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/launchdarkly/go-sdk-common/v3/ldlog"
)

type memoryFactory struct{ store *faultyMemory }

func (f memoryFactory) Build(ctx clientContext) (dataStore, error) {
	inner, err := inMemoryDataStore().Build(ctx)
	if err != nil {
		return nil, err
	}
	f.store.inner = inner
	return f.store, nil
}

type coreFactory struct{ core *faultyPersistent }

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

// Scenario is one scenario's client and the state around it.
type Scenario struct {
	rec      *recorder
	client   *client
	source   *simulatedSource
	faults   *faults
	store    peeker
	changes  <-chan flagChangeEvent
	listener bool
	wait     func()         // synctest.Wait: every goroutine of the bubble is blocked
	failed   map[int64]bool // ids of the calls that failed, for a command's if_ok
	restarts *restarts      // the kit's standing order for the store coming back
}

// Begin builds the client for a "begin" command. Call it inside the scenario's bubble.
func Begin(cmd Command, wait func()) (*Scenario, error) {
	s := &Scenario{rec: &recorder{start: cmd.Start, muted: true}, source: &simulatedSource{}, faults: &faults{},
		wait: wait, failed: map[int64]bool{}, restarts: newRestarts()}
	cfg := config{DiagnosticOptOut: true, Events: noEvents()}
	cfg.DataSource = sourceFactory{s.source}
	store := cmd.Store
	if store == nil {
		store = &StoreConfig{Type: "memory"}
	}
	tombstones, err := tombstoneForm(store.Tombstones)
	if err != nil {
		return nil, err
	}
	switch store.Type {
	case "memory":
		memory := &faultyMemory{faults: s.faults}
		s.store = memory
		cfg.DataStore = memoryFactory{memory}
	case "persistent":
		core := &faultyPersistent{inner: newMapCore(tombstones), faults: s.faults}
		s.store = core
		cfg.DataStore = withCache(persistentDataStoreOf(coreFactory{core}), store)
	case "go":
		if userCore == nil {
			return nil, fmt.Errorf("this driver is built without a Go store (the kit builds one for each store.core)")
		}
		if store.Core != userCoreName {
			return nil, fmt.Errorf("this driver is built with the Go store %q, not %q", userCoreName, store.Core)
		}
		core := &faultyPersistent{inner: userCore(), faults: s.faults}
		s.store = core
		cfg.DataStore = withCache(persistentDataStoreOf(coreFactory{core}), store)
	case "redis":
		builder, records, err := redisBuilder(store)
		if err != nil {
			return nil, err
		}
		s.store = records
		cfg.DataStore = withCache(builder, store)
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
	storeStatus := c.GetDataStoreStatusProvider().GetStatus()
	s.rec.storeStatus(storeStatus)
	s.restarts.seen(storeStatus.Available, storeStatus.NeedsRefresh)
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
			s.restarts.seen(status.Available, status.NeedsRefresh)
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

// withCache applies the scenario's cache setting to the SDK's persistent store builder.
func withCache(builder *persistentStoreBuilder, store *StoreConfig) *persistentStoreBuilder {
	switch {
	case store.Infinite:
		return builder.CacheForever()
	case store.CacheTTL != nil && *store.CacheTTL == 0:
		return builder.NoCaching()
	case store.CacheTTL != nil:
		return builder.CacheTime(time.Duration(*store.CacheTTL) * time.Microsecond)
	}
	return builder
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

// snapshot is the final store: [kind, key, version, deleted] rows, sorted by kind then key.
func (s *Scenario) snapshot() [][]any {
	rows := [][]any{}
	for _, name := range kindNames {
		kind, _ := kindByName(name)
		keys := s.store.keys(kind)
		sort.Strings(keys)
		for _, key := range keys {
			if record := s.store.peek(kind, key); record != nil {
				rows = append(rows, []any{name, key, record.Version, record.Deleted})
			}
		}
	}
	return rows
}

// close ends the scenario: nothing more is recorded, and the client shuts down.
func (s *Scenario) close() {
	s.rec.mu.Lock()
	s.rec.muted = true
	s.rec.mu.Unlock()
	s.client.Close()
	if closer, ok := s.store.(interface{ close() }); ok {
		closer.close()
	}
}
