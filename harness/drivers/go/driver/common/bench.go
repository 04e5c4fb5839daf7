package driver

import (
	"fmt"
	"time"

	"github.com/launchdarkly/go-sdk-common/v3/ldlog"
)

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
		number, _ := op[2].(float64)
		version := int(number)
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
