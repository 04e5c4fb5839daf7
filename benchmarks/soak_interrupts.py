"""A SIGINT storm: Ctrl-C at random instants into runs on every target, and a count of what is left behind.

Run: ``python benchmarks/soak_interrupts.py --interrupts 3000`` (not part of
``make bench``: it judges, where the benchmarks measure). A child process
loops over short and long scenarios on every ready target: single runs, runs
under one shared freeze, and ``run_many`` batches. The parent sends it SIGINT
at random instants, one at a time. After each ``KeyboardInterrupt`` the child,
with SIGINT blocked, checks that

- the clock is real again: ``time.time()`` and ``datetime.now()`` agree with
  the system's real clock, and no freeze is in place;
- the SIGINT handler is Python's own again;
- as many threads run as before the storm;
- no child process runs beyond one driver per driver target, and none is a zombie;
- a following run on the same target succeeds.

The child answers each interrupt with one JSON line. A child that does not
answer within ``--hang-after`` seconds counts as a hang: its stacks are printed
and a fresh child carries on. The parent prints the counts, and exits 1 when
any of hangs, frozen clocks, handlers, leaked threads or drivers, or failed
following runs is not zero.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHORT = ROOT / "scenarios" / "outages" / "persistent_store_down_during_upsert.yaml"
PROBLEMS = ("frozen clock", "handler not restored", "leaked thread", "leaked driver", "following run failed")


# ----------------------------------------------------------------------------- the child

def long_scenario(writes: int):
    """Writes with waits, store outages and evaluations in between: timers fire all along."""
    import harness
    builder = harness.scenario("soak-long", store={"type": "persistent", "cache_ttl": "30s"})
    builder.init(flags={f"f{i}": {"version": 1} for i in range(10)}).status("VALID").listen(True)
    for i in range(writes):
        builder.upsert(flag=f"f{i % 10}", version=i + 2)
        if i % 40 == 20:
            builder.store_down(message="gone").wait("1s").evaluate(f"f{i % 10}").store_up().wait("2s")
    return builder.build()


def children() -> tuple[int, int]:
    """This process's child processes: (running, zombies), read from /proc."""
    running = zombies = 0
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == me:
            zombies += state == "Z"
            running += state != "Z"
    return running, zombies


def frozen_clock() -> str:
    """What is not real about the clock ("" when time.time(), datetime.now() and no freeze agree)."""
    from datetime import datetime

    from harness.replay.freeze import is_frozen
    real = time.clock_gettime(time.CLOCK_REALTIME)  # freezegun does not patch clock_gettime
    wrong = [f"time.time() is {time.time() - real:+.0f} s off"] if abs(time.time() - real) > 5 else []
    if abs(datetime.now().timestamp() - real) > 5:
        wrong.append(f"datetime.now() is {datetime.now()}")
    if is_frozen():
        wrong.append("a freeze is in place")
    return "; ".join(wrong)


def where(error: BaseException) -> str:
    """Where a KeyboardInterrupt was raised, in words."""
    frames = set()
    tb = error.__traceback__
    while tb is not None:
        frames.add(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    if "check_interrupt" in frames:
        return "at a safe point"
    if "_release" in frames:
        return "as a run or freeze ended"
    if "_run" in frames:
        return "in a run (second press)" if "_on_sigint" in frames else "in a run, before or after its handler"
    return "outside a run"


def child(seed: int, long_writes: int) -> None:
    # Blocked before any import: threads started by native libraries (numpy's BLAS) inherit the mask,
    # so that a SIGINT reaches this thread only, and only while it unblocks it for a job.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    import faulthandler

    import harness
    from harness.drivers import all_targets
    from harness.drivers.protocol.target import DriverTarget

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # the parent asks for stacks on a hang
    rng = random.Random(seed)
    names = harness.targets()
    drivers = sum(isinstance(t, DriverTarget) for t in all_targets() if t.name in names)
    short, long = harness.load_scenario(SHORT), long_scenario(long_writes)

    def once(scenario, target):
        harness.run(scenario, target)
        return 1

    def shared_freeze(scenario, target):
        with harness.virtual_time():
            for _ in range(3):
                harness.run(scenario, target)
        return 3

    def batch(scenario, target):
        return len(list(harness.run_many([scenario] * 3, [target])))

    jobs = [(job, scenario, target) for target in names for scenario in (short, long)
            for job in (once, shared_freeze, batch)]
    for target in names:
        assert harness.run(short, target).ok, f"{target}: the short scenario fails before any interrupt"
    threads = threading.active_count()
    print(json.dumps({"ready": names}), flush=True)
    runs = 0
    while not select.select([sys.stdin], [], [], 0)[0]:  # the parent writes a line when it is done
        job, scenario, target = rng.choice(jobs)
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            done = job(scenario, target)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            runs += done
        except KeyboardInterrupt as e:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            running, zombies = children()
            found = {
                "frozen clock": frozen_clock(),
                "handler not restored": signal.getsignal(signal.SIGINT) is not signal.default_int_handler,
                "leaked thread": threading.active_count() != threads,
                "leaked driver": running > drivers or zombies > 0,
            }
            try:
                found["following run failed"] = not harness.run(short, target).ok
                runs += 1
            except Exception as failure:  # noqa: BLE001 (reported, not raised: the storm goes on)
                print(f"following run on {target}: {failure!r}", file=sys.stderr, flush=True)
                found["following run failed"] = True
            print(json.dumps({"runs": runs, "where": where(e), "target": target, "job": job.__name__,
                              "problems": [f"{name} ({bad})" if isinstance(bad, str) else name
                                           for name, bad in found.items() if bad]}), flush=True)
    print(json.dumps({"done": runs}), flush=True)


# ----------------------------------------------------------------------------- the parent

class Child:
    """One child process and the lines it prints, read on a thread so that waits can time out."""

    def __init__(self, seed: int, long_writes: int):
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--child", "--seed", str(seed), "--long-writes", str(long_writes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True, cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def answer(self, seconds: float) -> dict | None:
        """The child's next JSON line, or None if none came in time (or it ended)."""
        try:
            line = self.lines.get(timeout=seconds)
        except queue.Empty:
            return None
        return None if line is None else json.loads(line)

    def stacks_and_kill(self) -> str:
        """Ask a stuck child for its stacks, then end it; returns what it printed on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGUSR1)
            time.sleep(1)
            self.process.kill()
        self.process.wait()
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-6000:]


def storm(interrupts: int, max_delay: float, hang_after: float, seed: int, long_writes: int) -> int:
    rng = random.Random(seed)
    counts: Counter = Counter()
    places: Counter = Counter()
    runs = child_runs = 0
    started = time.perf_counter()
    names: list[str] = []
    current: Child | None = None
    for sent in range(1, interrupts + 1):
        if current is None:
            current = Child(rng.randrange(1 << 30), long_writes)
            hello = current.answer(120)
            if hello is None:
                sys.exit(f"the child did not start:\n{current.stacks_and_kill()}")
            names, child_runs = hello["ready"], 0
        time.sleep(rng.uniform(0, max_delay))
        current.process.send_signal(signal.SIGINT)
        answer = current.answer(hang_after)
        if answer is None:
            counts["hangs"] += 1
            print(f"HANG at interrupt {sent}; the child's stacks:\n{current.stacks_and_kill()}")
            runs, current = runs + child_runs, None
            continue
        if "runs" not in answer:
            sys.exit(f"unexpected answer {answer} at {sent}: {current.stacks_and_kill()}")
        child_runs = answer["runs"]
        places[answer["where"]] += 1
        for problem in answer["problems"]:
            counts[problem.split(" (")[0]] += 1
            print(f"{problem} after an interrupt {answer['where']} in {answer['job']} on {answer['target']}")
    if current is not None:
        current.process.stdin.write("stop\n")
        current.process.stdin.flush()
        done = current.answer(hang_after)
        runs += done["done"] if done else child_runs
        current.process.wait()
    seconds = time.perf_counter() - started
    print(f"soak: {interrupts:,} interrupts and {runs:,} whole runs on {', '.join(names)}, "
          f"in {seconds:.0f} s")
    print("  where they landed: " + ", ".join(f"{place} {n:,}" for place, n in places.most_common()))
    print(f"  hangs: {counts['hangs']}")
    for problem in PROBLEMS:
        print(f"  {problem}: {counts[problem]}")
    return 1 if counts["hangs"] or any(counts[p] for p in PROBLEMS) else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interrupts", type=int, default=3000, help="SIGINTs to send (default 3000)")
    parser.add_argument("--max-delay", type=float, default=0.05,
                        help="at most this many seconds between an answer and the next SIGINT (default 0.05)")
    parser.add_argument("--hang-after", type=float, default=30.0,
                        help="seconds without an answer that count as a hang (default 30)")
    parser.add_argument("--long-writes", type=int, default=600, help="writes in the long scenario (default 600)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.seed, args.long_writes)
    else:
        sys.exit(storm(args.interrupts, args.max_delay, args.hang_after, args.seed, args.long_writes))


if __name__ == "__main__":
    main()
