package driver

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/launchdarkly/go-sdk-common/v3/ldcontext"
	"github.com/launchdarkly/go-sdk-common/v3/ldvalue"
)

// Do carries out one command of a scenario; the rows it caused are written before
// its reply, all tagged with the command's id. It returns false for "end". An
// error is a command the driver cannot obey (the kit's bug, or a broken line).
func (s *Scenario) Do(cmd Command, out Out) (bool, error) {
	reply := map[string]any{"reply": cmd.Op, "re": cmd.ID}
	if cmd.IfOK != 0 && s.failed[cmd.IfOK] { // the call it depends on failed: it is not made
		reply["skipped"] = true
		out(reply)
		return true, nil
	}
	switch cmd.Op {
	case "init":
		if cmd.Resend { // the stream came back: a restart scheduled on the old one never comes
			s.restarts.cancel()
		} else {
			s.restarts.replace(cmd.Data)
		}
		s.initData(cmd.Data, reply)
	case "upsert", "delete":
		var item json.RawMessage
		if cmd.Op == "upsert" {
			item = cmd.Item
		}
		s.restarts.remember(cmd.Kind, cmd.Key, cmd.Version, item)
		if err := s.write(cmd, reply); err != nil {
			return true, err
		}
	case "recovery":
		if cmd.Mode != "" && cmd.Mode != "restart" && cmd.Mode != "restart_if_stale" {
			return true, fmt.Errorf("unknown recovery mode %q", cmd.Mode)
		}
		s.restarts.order(cmd.Mode, time.Duration(cmd.After)*time.Microsecond)
	case "status":
		var info dataSourceErrorInfo
		if cmd.Error != nil {
			info = dataSourceErrorInfo{Kind: dataSourceErrorKind(cmd.Error.Kind), StatusCode: cmd.Error.StatusCode,
				Message: cmd.Error.Message, Time: time.Now()}
		}
		s.source.sink.UpdateStatus(dataSourceState(cmd.State), info)
	case "advance": // the bubble's clock moves, firing the SDK's timers (and a restart) in order
		s.advance(epoch.Add(time.Duration(cmd.To-s.rec.start)*time.Microsecond), cmd.ID, out)
	case "store_down":
		s.faults.set(true, cmd.Fail, cmd.Available, cmd.Message)
	case "store_up":
		s.faults.set(false, nil, false, "")
	case "listen":
		s.listen(cmd.On)
	case "evaluate":
		s.evaluate(cmd)
	case "end":
		s.wait()
		s.rec.flush(cmd.ID, out)
		reply["store"] = s.snapshot()
		s.close()
		out(reply)
		return false, nil
	default:
		return true, fmt.Errorf("unknown op %q", cmd.Op)
	}
	if ok, isWrite := reply["ok"].(bool); isWrite && !ok {
		s.failed[cmd.ID] = true
	}
	s.wait()
	s.rec.flush(cmd.ID, out)
	out(reply)
	return true, nil
}

// initData hands the sink all data. An item the SDK cannot read makes the call fail
// (ok false, with why), as a data source would refuse a payload it cannot parse.
func (s *Scenario) initData(data map[string]map[string]json.RawMessage, reply map[string]any) {
	var colls []collection
	for _, name := range kindNames {
		kind, _ := kindByName(name)
		items := data[name]
		coll := collection{Kind: kind}
		for _, key := range sortedKeys(items) {
			item, err := kind.Deserialize(items[key])
			if err != nil {
				reply["ok"], reply["error"] = false, fmt.Sprintf("the Go SDK cannot read %s %q: %v", name, key, err)
				return
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
}

// write is an upsert or a delete (an upsert of a tombstone). The reply carries the
// stored record before and after, and whether it changed: the kit judges the outcome.
func (s *Scenario) write(cmd Command, reply map[string]any) error {
	kind, err := kindByName(cmd.Kind)
	if err != nil {
		return err
	}
	before := s.store.peek(kind, cmd.Key)
	item := itemDescriptor{Version: cmd.Version}
	if cmd.Op == "upsert" {
		if item, err = kind.Deserialize(cmd.Item); err != nil {
			reply["ok"], reply["error"] = false, fmt.Sprintf("the Go SDK cannot read %s %q: %v", cmd.Kind, cmd.Key, err)
			reply["before"], reply["after"], reply["changed"] = before, before, false
			return nil
		}
	}
	reply["ok"] = s.source.sink.Upsert(kind, cmd.Key, item)
	after := s.store.peek(kind, cmd.Key)
	reply["before"], reply["after"], reply["changed"] = before, after, !same(before, after)
	return nil
}

func (s *Scenario) evaluate(cmd Command) {
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
}
