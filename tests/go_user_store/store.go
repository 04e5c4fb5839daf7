// Package jsonstore is a user's own PersistentDataStore for the kit's tests: it keeps each item as
// JSON text, as a document database does, and answers reads with the text alone, leaving the SDK
// to read the version and the deleted flag from it (as the SDK's Redis integration does).
// tests/test_go_user_store.py builds the kit's Go driver with it: store: {type: go, core: "./tests/go_user_store:New"}.
package jsonstore

import (
	"encoding/json"
	"sort"
	"sync"

	"github.com/launchdarkly/go-server-sdk/v7/subsystems"
	st "github.com/launchdarkly/go-server-sdk/v7/subsystems/ldstoretypes"
)

// Store is a table of JSON documents by kind and key.
type Store struct {
	mu     sync.Mutex
	docs   map[string]string // "features/f1" -> {"key":"f1","version":3,...}
	inited bool
}

// New makes an empty store: the kit calls it once for each scenario.
func New() subsystems.PersistentDataStore { return &Store{docs: map[string]string{}} }

func id(kind st.DataKind, key string) string { return kind.GetName() + "/" + key }

// versionOf reads a document's version, as a query on the table would.
func versionOf(doc string) int {
	var fields struct{ Version int }
	_ = json.Unmarshal([]byte(doc), &fields)
	return fields.Version
}

func (s *Store) Init(all []st.SerializedCollection) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs = map[string]string{}
	for _, coll := range all {
		for _, item := range coll.Items {
			s.docs[id(coll.Kind, item.Key)] = string(item.Item.SerializedItem)
		}
	}
	s.inited = true
	return nil
}

func (s *Store) Get(kind st.DataKind, key string) (st.SerializedItemDescriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, ok := s.docs[id(kind, key)]
	if !ok {
		return st.SerializedItemDescriptor{}.NotFound(), nil
	}
	return st.SerializedItemDescriptor{SerializedItem: []byte(doc)}, nil // version 0: the SDK reads it from the JSON
}

func (s *Store) GetAll(kind st.DataKind) ([]st.KeyedSerializedItemDescriptor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := kind.GetName() + "/"
	var out []st.KeyedSerializedItemDescriptor
	for name, doc := range s.docs {
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			out = append(out, st.KeyedSerializedItemDescriptor{Key: name[len(prefix):],
				Item: st.SerializedItemDescriptor{SerializedItem: []byte(doc)}})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Upsert writes only over a lower version, as the interface asks.
func (s *Store) Upsert(kind st.DataKind, key string, item st.SerializedItemDescriptor) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.docs[id(kind, key)]; ok && versionOf(old) >= item.Version {
		return false, nil
	}
	s.docs[id(kind, key)] = string(item.SerializedItem)
	return true, nil
}

func (s *Store) IsInitialized() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inited
}

func (s *Store) IsStoreAvailable() bool { return true }
func (s *Store) Close() error           { return nil }
