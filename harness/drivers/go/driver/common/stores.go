package driver

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// faults is the store's current fault, set by store_down and cleared by store_up.
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

func (f *faults) set(down bool, fail []string, available bool, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down, f.available, f.message = down, available, message
	f.fail = map[string]bool{}
	for _, op := range fail {
		f.fail[op] = true
	}
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

// peeker reads the stored records past faults and caches: the kit reads each write's outcome from them.
type peeker interface {
	peek(kind dataKind, key string) *stored
	keys(kind dataKind) []string
}

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
	return &stored{Version: item.Version, Deleted: item.Item == nil, identity: item.Item}
}

func (m *faultyMemory) keys(kind dataKind) []string {
	items, _ := m.inner.GetAll(kind)
	keys := make([]string, 0, len(items))
	for _, item := range items {
		keys = append(keys, item.Key)
	}
	return keys
}

// The two forms a PersistentDataStore may keep a deleted item in (begin.store.tombstones).
const (
	tombstonesSerialized = "serialized" // the serialized placeholder the SDK hands over, deleted: true in it
	tombstonesFlag       = "flag"       // only the version and Deleted, no SerializedItem
)

// tombstoneForm checks begin.store.tombstones ("" is the default, serialized).
func tombstoneForm(setting string) (string, error) {
	switch setting {
	case "", tombstonesSerialized:
		return tombstonesSerialized, nil
	case tombstonesFlag:
		return tombstonesFlag, nil
	}
	return "", fmt.Errorf("unknown tombstones form %q (serialized or flag)", setting)
}

// mapCore is the kit's PersistentDataStore: a map that keeps the version rule as a database
// integration does, and a deleted item in the scenario's form of tombstone. faultyPersistent
// puts the faults in front of it.
type mapCore struct {
	mu         sync.Mutex
	data       map[string]map[string]serializedItem
	inited     bool
	tombstones string // tombstonesSerialized or tombstonesFlag
}

func newMapCore(tombstones string) *mapCore {
	return &mapCore{data: map[string]map[string]serializedItem{"features": {}, "segments": {}}, tombstones: tombstones}
}

// keep is what the core stores for an item the SDK hands it.
func (c *mapCore) keep(item serializedItem) serializedItem {
	if item.Deleted && c.tombstones == tombstonesFlag {
		return serializedItem{Version: item.Version, Deleted: true}
	}
	return item
}

func (c *mapCore) Init(all []serializedCollection) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = map[string]map[string]serializedItem{"features": {}, "segments": {}}
	for _, coll := range all {
		for _, item := range coll.Items {
			c.data[coll.Kind.GetName()][item.Key] = c.keep(item.Item)
		}
	}
	c.inited = true
	return nil
}

func (c *mapCore) Get(kind dataKind, key string) (serializedItem, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if item, ok := c.data[kind.GetName()][key]; ok {
		return item, nil
	}
	return serializedItem{}.NotFound(), nil
}

func (c *mapCore) GetAll(kind dataKind) ([]keyedSerializedItem, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	items := c.data[kind.GetName()]
	out := make([]keyedSerializedItem, 0, len(items))
	for _, key := range sortedKeys(items) {
		out = append(out, keyedSerializedItem{Key: key, Item: items[key]})
	}
	return out, nil
}

func (c *mapCore) Upsert(kind dataKind, key string, item serializedItem) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.data[kind.GetName()][key]; ok && old.Version >= item.Version {
		return false, nil
	}
	c.data[kind.GetName()][key] = c.keep(item)
	return true, nil
}

func (c *mapCore) IsInitialized() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inited
}

func (c *mapCore) IsStoreAvailable() bool { return true }
func (c *mapCore) Close() error           { return nil }

// userCore makes a user's own PersistentDataStore, a fresh one for each scenario. It is set by the
// file the kit generates for a driver built with a scenario's store.core (userCoreName): see
// harness/drivers/go/user_store.py. The plain driver has none.
var (
	userCore     func() persistentDataStore
	userCoreName string
)

// adaptCore takes the user's constructor; its type is checked when the driver is built.
func adaptCore[T persistentDataStore](make func() T) func() persistentDataStore {
	return func() persistentDataStore { return make() }
}

// faultyPersistent puts the kit's faults in front of a PersistentDataStore (the kit's mapCore or a
// user's core), with an availability answer. The kit reads each write's outcome from the core itself,
// past the faults and the SDK's cache, as the SDK's wrapper would read it.
type faultyPersistent struct {
	inner  persistentDataStore
	faults *faults
}

func (c *faultyPersistent) Init(all []serializedCollection) error {
	if err := c.faults.check("init"); err != nil {
		return err
	}
	return c.inner.Init(all)
}

func (c *faultyPersistent) Get(kind dataKind, key string) (serializedItem, error) {
	if err := c.faults.check("get"); err != nil {
		return serializedItem{}.NotFound(), err
	}
	return c.inner.Get(kind, key)
}

func (c *faultyPersistent) GetAll(kind dataKind) ([]keyedSerializedItem, error) {
	if err := c.faults.check("all"); err != nil {
		return nil, err
	}
	return c.inner.GetAll(kind)
}

func (c *faultyPersistent) Upsert(kind dataKind, key string, item serializedItem) (bool, error) {
	op := "upsert"
	if item.Deleted {
		op = "delete"
	}
	if err := c.faults.check(op); err != nil {
		return false, err
	}
	return c.inner.Upsert(kind, key, item)
}

func (c *faultyPersistent) IsInitialized() bool {
	return c.faults.check("get") == nil && c.inner.IsInitialized()
}

func (c *faultyPersistent) IsStoreAvailable() bool {
	return c.faults.isAvailable() && c.inner.IsStoreAvailable()
}

func (c *faultyPersistent) Close() error { return c.inner.Close() }

func (c *faultyPersistent) peek(kind dataKind, key string) *stored {
	item, err := c.inner.Get(kind, key)
	if err != nil {
		return nil
	}
	return readStored(kind, item)
}

func (c *faultyPersistent) keys(kind dataKind) []string {
	items, _ := c.inner.GetAll(kind)
	keys := make([]string, 0, len(items))
	for _, item := range items {
		keys = append(keys, item.Key)
	}
	return keys
}

// readStored is a core's answer as the SDK's persistent-store wrapper reads it: a descriptor marked
// deleted or with no serialized item is a tombstone of its version; otherwise the item's JSON says
// (a core may answer with version 0 and leave the version, and a deleted flag, to the JSON).
func readStored(kind dataKind, item serializedItem) *stored {
	if item.Version < 0 && item.SerializedItem == nil {
		return nil // NotFound
	}
	identity := string(item.SerializedItem)
	if item.Deleted || item.SerializedItem == nil {
		return &stored{Version: item.Version, Deleted: true, identity: identity}
	}
	read, err := kind.Deserialize(item.SerializedItem)
	if err != nil {
		return nil // the SDK reads it as not found
	}
	version := item.Version
	if version == 0 {
		version = read.Version
	}
	return &stored{Version: version, Deleted: read.Item == nil, identity: identity}
}

func sortedKeys[V any](items map[string]V) []string {
	keys := make([]string, 0, len(items))
	for key := range items {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
