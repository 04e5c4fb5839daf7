package mystore

import (
	"sync"

	"github.com/launchdarkly/go-server-sdk/v7/subsystems"
	st "github.com/launchdarkly/go-server-sdk/v7/subsystems/ldstoretypes"
)

type id struct{ kind, key string }

// Store keeps what the SDK hands it, and writes only over a lower version.
type Store struct {
	mu     sync.Mutex
	items  map[id]st.SerializedItemDescriptor
	inited bool
}

func New() subsystems.PersistentDataStore { return &Store{items: map[id]st.SerializedItemDescriptor{}} }

func (s *Store) Init(all []st.SerializedCollection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items, s.inited = map[id]st.SerializedItemDescriptor{}, true
	for _, coll := range all {
		for _, item := range coll.Items {
			s.items[id{coll.Kind.GetName(), item.Key}] = item.Item
		}
	}
	return nil
}

func (s *Store) Get(kind st.DataKind, key string) (st.SerializedItemDescriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if item, ok := s.items[id{kind.GetName(), key}]; ok {
		return item, nil
	}
	return st.SerializedItemDescriptor{}.NotFound(), nil
}

func (s *Store) GetAll(kind st.DataKind) ([]st.KeyedSerializedItemDescriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []st.KeyedSerializedItemDescriptor
	for at, item := range s.items {
		if at.kind == kind.GetName() {
			all = append(all, st.KeyedSerializedItemDescriptor{Key: at.key, Item: item})
		}
	}
	return all, nil
}

func (s *Store) Upsert(kind st.DataKind, key string, item st.SerializedItemDescriptor) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.items[id{kind.GetName(), key}]; ok && old.Version >= item.Version {
		return false, nil
	}
	s.items[id{kind.GetName(), key}] = item
	return true, nil
}

func (s *Store) IsInitialized() bool    { s.mu.Lock(); defer s.mu.Unlock(); return s.inited }
func (s *Store) IsStoreAvailable() bool { return true } // the SDK's wrapper polls it during an outage
func (s *Store) Close() error           { return nil }
