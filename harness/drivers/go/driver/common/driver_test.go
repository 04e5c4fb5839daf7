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
	writer := bufio.NewWriterSize(os.Stdout, 1<<16)
	encoder := json.NewEncoder(writer)
	out := func(v any) {
		if err := encoder.Encode(v); err != nil {
			panic(err)
		}
	}
	send := func(v any) { out(v); writer.Flush() }
	flush := func() { writer.Flush() }

	// Read stdin outside every bubble: a reader inside one would keep its clock from moving.
	commands := make(chan []byte, 64)
	go func() {
		scanner := bufio.NewScanner(os.Stdin)
		scanner.Buffer(make([]byte, 1<<20), 1<<30)
		for scanner.Scan() {
			line := append([]byte(nil), scanner.Bytes()...)
			commands <- line
		}
		close(commands)
	}()
	next := func() (Command, bool, error) {
		line, ok := <-commands
		if !ok {
			return Command{}, false, nil
		}
		var cmd Command
		if err := json.Unmarshal(line, &cmd); err != nil {
			return cmd, true, fmt.Errorf("not a command: %v", err)
		}
		return cmd, true, nil
	}

	send(map[string]any{"hello": "harness-go-driver", "protocol": ProtocolVersion, "sdk": sdkModule,
		"version": sdkVersion()})
	for {
		cmd, ok, err := next()
		if !ok {
			return
		}
		if err == nil && cmd.Op == "bench" {
			seconds, err := Bench(cmd)
			if err != nil {
				send(map[string]any{"error": "bench: " + err.Error()})
			} else {
				send(map[string]any{"reply": "bench", "seconds": seconds})
			}
			continue
		}
		if err != nil || cmd.Op != "begin" {
			if err == nil {
				err = fmt.Errorf("expected begin, got %q", cmd.Op)
			}
			send(map[string]any{"error": err.Error()})
			continue
		}
		runBubble(t, cmd, next, out, send, flush)
	}
}

func runBubble(t *testing.T, begin Command, next func() (Command, bool, error), out Out, send func(any), flush func()) {
	defer func() {
		if r := recover(); r != nil && !isLeftoverGoroutines(r) {
			panic(r)
		}
	}()
	synctest.Test(t, func(t *testing.T) {
		scenario, err := Begin(begin, synctest.Wait)
		if err != nil {
			send(map[string]any{"error": "begin: " + err.Error()})
			return
		}
		kept = append(kept, scenario.client)
		scenario.rec.flush(out)
		send(map[string]any{"reply": "begin"})
		for {
			cmd, ok, err := next()
			if !ok {
				return
			}
			if err != nil {
				send(map[string]any{"error": err.Error()})
				continue
			}
			more, err := scenario.Do(cmd, out)
			if err != nil {
				send(map[string]any{"error": err.Error()})
				continue
			}
			flush() // Do wrote the command's rows and its reply
			if !more {
				return
			}
		}
	})
}

func isLeftoverGoroutines(r any) bool {
	return strings.Contains(fmt.Sprint(r), "blocked goroutines remain")
}
