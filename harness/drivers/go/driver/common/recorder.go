package driver

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/launchdarkly/go-sdk-common/v3/ldlog"
)

type row struct {
	at    time.Time
	order int // frame order within one instant: status, store_status, changes, logs, evaluations
	seq   int
	key   string // sorts the change events and the log lines of one instant
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

// flush writes the buffered rows of command id in a deterministic order: by time,
// then frame, then key, then arrival. Change events of one instant come from a
// map, and log lines of one instant from goroutines the scheduler orders: both
// are sorted by their text, so the order never depends on the run.
func (r *recorder) flush(id int64, out Out) {
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
		x.body["re"] = id
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
	message = sortOutageErrors(message)
	w.r.add(orderLogs, w.level+" "+message, map[string]any{"row": "logs", "level": w.level, "message": message})
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
