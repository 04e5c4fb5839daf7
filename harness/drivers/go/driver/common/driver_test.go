package driver

// TestDriver is the driver's main loop. testing/synctest bubbles exist only
// inside a test binary, so the kit builds this with `go test -c` and runs the
// binary with `-test.run=^TestDriver$`, speaking JSON lines on stdin/stdout.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"testing/synctest"
)

// kept holds every finished scenario's client. The persistent store's cache
// (patrickmn/go-cache) starts a janitor goroutine that is stopped only by a
// finalizer; were the client collected, that finalizer would send on a channel
// of a finished bubble from outside it and kill the process. So clients stay
// referenced, their bubbles end with "blocked goroutines remain" (recovered
// below), and the kit restarts the driver every few hundred scenarios.
var kept []any

// pinnedVersion is set at build time (-ldflags -X) to the version go.mod pins.
var pinnedVersion string

func sdkVersion() string {
	if pinnedVersion != "" {
		return pinnedVersion
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == sdkModule {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func TestDriver(t *testing.T) {
	if os.Getenv("GOGC") == "" {
		// The heap stays small (25 MB after 400 scenarios, 39 MB so), and collecting it at Go's
		// default pace took a fifth of the driver's time: collect four times less often.
		debug.SetGCPercent(400)
	}
	writer := bufio.NewWriterSize(os.Stdout, 1<<16)
	encoder := json.NewEncoder(writer)
	out := func(v any) {
		if err := encoder.Encode(v); err != nil {
			panic(err)
		}
	}

	// Read stdin outside every bubble: a reader inside one would keep its clock from moving.
	commands := make(chan []byte, 1024)
	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		scanner.Buffer(make([]byte, 1<<20), 1<<30)
		for scanner.Scan() {
			commands <- append([]byte(nil), scanner.Bytes()...)
		}
		close(commands)
	}()
	// The kit sends commands in batches and waits for the whole batch's answers, so
	// the output is flushed once no command is waiting: one write per batch.
	next := func() (Command, bool, error) {
		if len(commands) == 0 {
			writer.Flush()
		}
		line, ok := <-commands
		if !ok {
			writer.Flush()
			return Command{}, false, nil
		}
		var cmd Command
		if err := json.Unmarshal(line, &cmd); err != nil {
			return cmd, true, fmt.Errorf("not a command: %v", err)
		}
		return cmd, true, nil
	}
	refuse := func(cmd Command, err error) {
		out(map[string]any{"error": err.Error(), "re": cmd.ID})
	}

	out(map[string]any{"hello": "harness-go-driver", "protocol": ProtocolVersion, "sdk": sdkModule,
		"version": sdkVersion(), "reacts": []string{"store_recovery"}})
	for {
		cmd, ok, err := next()
		if !ok {
			return
		}
		if err == nil && cmd.Op == "bench" {
			seconds, err := Bench(cmd)
			if err != nil {
				refuse(cmd, fmt.Errorf("bench: %w", err))
			} else {
				out(map[string]any{"reply": "bench", "re": cmd.ID, "seconds": seconds})
			}
			continue
		}
		if err != nil || cmd.Op != "begin" {
			if err == nil {
				err = fmt.Errorf("expected begin, got %q", cmd.Op)
			}
			refuse(cmd, err)
			continue
		}
		runBubble(t, cmd, next, out, refuse)
	}
}

func runBubble(t *testing.T, begin Command, next func() (Command, bool, error), out Out, refuse func(Command, error)) {
	defer func() {
		if r := recover(); r != nil && !isLeftoverGoroutines(r) {
			panic(r)
		}
	}()
	synctest.Test(t, func(t *testing.T) {
		scenario, err := Begin(begin, synctest.Wait)
		if err != nil {
			refuse(begin, fmt.Errorf("begin: %w", err))
			return
		}
		kept = append(kept, scenario.client)
		scenario.rec.flush(begin.ID, out)
		out(map[string]any{"reply": "begin", "re": begin.ID})
		for {
			cmd, ok, err := next()
			if !ok {
				return
			}
			if err != nil {
				refuse(cmd, err)
				continue
			}
			more, err := scenario.Do(cmd, out)
			if err != nil {
				refuse(cmd, err)
				continue
			}
			if !more {
				return
			}
		}
	})
}

func isLeftoverGoroutines(r any) bool {
	return strings.Contains(fmt.Sprint(r), "blocked goroutines remain")
}
