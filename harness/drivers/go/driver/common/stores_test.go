package driver

// Unit tests of the driver's own stores. The kit runs them from the built driver
// (`driver.test -test.run=^TestStores`, tests/test_go_target.py), not as part of TestDriver.

import "testing"

// TestStoresKeepTombstonesInTheChosenForm: "flag" keeps a deleted item as a version and
// Deleted with no serialized item, on Init and on Upsert; "serialized" keeps what the SDK hands over.
func TestStoresKeepTombstonesInTheChosenForm(t *testing.T) {
	placeholder := []byte(`{"key":"f1","version":2,"deleted":true}`)
	for _, form := range []string{tombstonesSerialized, tombstonesFlag} {
		core := newMapCore(form)
		tombstone := serializedItem{Version: 2, Deleted: true, SerializedItem: placeholder}
		err := core.Init([]serializedCollection{{Kind: features(), Items: []keyedSerializedItem{{Key: "f0", Item: tombstone}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := core.Upsert(features(), "f1", tombstone); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"f0", "f1"} {
			kept, _ := core.Get(features(), key)
			if kept.Version != 2 || !kept.Deleted {
				t.Errorf("%s: %s kept as %+v, not a tombstone of version 2", form, key, kept)
			}
			if keptSerialized := kept.SerializedItem != nil; keptSerialized != (form == tombstonesSerialized) {
				t.Errorf("%s: %s kept with serialized item %q", form, key, kept.SerializedItem)
			}
		}
	}
	if _, err := tombstoneForm("dict"); err == nil || err.Error() != `unknown tombstones form "dict" (serialized or flag)` {
		t.Errorf("an unknown form: %v", err)
	}
}
