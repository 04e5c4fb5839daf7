'use strict';
// One scenario: a real LDClient built through the SDK's public options, on a fake clock, and the
// protocol's commands carried out on its update sink (`dataSourceUpdates`). The kit keeps every bit
// of the scenario's meaning; this side only obeys and reports (docs/driver-protocol.md).

const FakeTimers = require('@sinonjs/fake-timers');
const { Recorder } = require('./recorder');
const { makeStore } = require('./stores');

// The kit's kinds as the SDK's data kinds (what DataSourceUpdates and the stores read of them).
const KINDS = {
  flags: { namespace: 'features', streamApiPath: '/flags/' },
  segments: { namespace: 'segments', streamApiPath: '/segments/' },
};

// Only these are faked: the SDK's timers and clock. setImmediate stays real, and is how the driver
// lets every promise callback run (see settle).
const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'];

/** Let every pending promise callback run: microtasks all run before the next macrotask. */
function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

class Scenario {
  /** Build the client for a `begin` command. */
  constructor(sdk, begin) {
    this.sdk = sdk;
    // Date has whole milliseconds; the kit's times are microseconds. The driver keeps its own time
    // in microseconds, and the fake clock on the millisecond that holds it.
    this.nowMicros = begin.start;
    this.clock = FakeTimers.install({ now: Math.floor(begin.start / 1000), toFake: FAKED });
    this.rec = new Recorder(() => this.micros());
    const { store, faults, peeker } = makeStore(sdk, begin.store);
    this.faults = faults;
    this.peeker = peeker;
    this.updates = null; // the SDK's sink, handed over when the client builds its data source
    this.ready = null;
    const source = { start() {}, stop() {}, close() {} };
    this.client = sdk.init('harness-simulated-sdk-key', {
      updateProcessor: (clientContext, dataSourceUpdates, initSuccessHandler) => {
        this.updates = dataSourceUpdates;
        this.ready = initSuccessHandler;
        return source;
      },
      featureStore: store,
      logger: this.rec.logger(),
      sendEvents: false,
      diagnosticOptOut: true,
    });
    // `update` fires once for each flag change; `update:<key>` fires right after it for the same
    // key, so listening to both would record every change twice.
    this.onChange = (event) => this.rec.add({ row: 'changes', key: event.key }, event.key);
    this.listening = false;
    if (begin.listen) this.listen({ on: true });
  }

  /** The virtual time in microseconds: the driver's own, or the fake clock's while it fires timers. */
  micros() {
    const ms = this.clock.now;
    return ms === Math.floor(this.nowMicros / 1000) ? this.nowMicros : ms * 1000;
  }

  async started() {
    await settle();
    this.rec.muted = false;
  }

  // -- the sink calls -------------------------------------------------------------------------

  /** Call `call(callback)` and wait for the callback; its answer, or why it never came. */
  async callSink(call) {
    let answered = false;
    call(() => { answered = true; });
    await settle();
    return answered ? { ok: true } : { ok: false, error: 'the SDK never called back' };
  }

  async init(cmd) {
    let data;
    try {
      data = this.revive(cmd.data.flags || {}, cmd.data.segments || {});
    } catch (e) {
      return { ok: false, error: `the Node SDK cannot read the data: ${e.message}` };
    }
    const reply = await this.callSink((done) => this.updates.init(data, done));
    // The SDK's own streaming source reports success once its put is stored.
    if (reply.ok) this.ready();
    return reply;
  }

  async upsert(cmd) {
    let item;
    try {
      const revived = cmd.kind === 'flags' ? this.revive({ [cmd.key]: cmd.item }, {}) : this.revive({}, { [cmd.key]: cmd.item });
      item = revived[KINDS[cmd.kind].namespace][cmd.key];
    } catch (e) {
      const before = this.peek(cmd);
      return { ok: false, error: `the Node SDK cannot read ${cmd.kind} "${cmd.key}": ${e.message}`, before,
        after: before, changed: false };
    }
    return this.write(cmd, item);
  }

  async delete(cmd) {
    // As the SDK's streaming source turns a delete event into an upsert of a placeholder.
    return this.write(cmd, { key: cmd.key, version: cmd.version, deleted: true });
  }

  async write(cmd, item) {
    const before = this.peekRecord(cmd);
    const reply = await this.callSink((done) => this.updates.upsert(KINDS[cmd.kind], item, done));
    const after = this.peekRecord(cmd);
    return { ...reply, before: stored(before), after: stored(after), changed: !same(before, after) };
  }

  /** The items as the SDK's polling source hands them over: revived as its deserializePoll does. */
  revive(flags, segments) {
    return revive(this.sdk, flags, segments);
  }

  peekRecord(cmd) {
    return this.peeker.peek(KINDS[cmd.kind].namespace, cmd.key);
  }

  peek(cmd) {
    return stored(this.peekRecord(cmd));
  }

  // -- the other commands ---------------------------------------------------------------------

  /**
   * Move the clock to `to`, firing the SDK's timers on the way, in order, each one's promises settled
   * (tickAsync). With no timer set at all, nothing can fire: the clock just moves (tickAsync would wait
   * for a real millisecond or two).
   */
  async advance(cmd) {
    const target = Math.floor(cmd.to / 1000);
    if (target > this.clock.now) {
      if (this.clock.countTimers() === 0) this.clock.tick(target - this.clock.now);
      else await this.clock.tickAsync(target - this.clock.now);
    }
    this.nowMicros = Math.max(this.nowMicros, cmd.to);
    await settle();
    return {};
  }

  async store_down(cmd) {
    this.faults.set(true, cmd.fail, cmd.available, cmd.message);
    return {};
  }

  async store_up() {
    this.faults.set(false, [], true, '');
    return {};
  }

  async listen(cmd) {
    if (cmd.on && !this.listening) this.client.on('update', this.onChange);
    if (!cmd.on && this.listening) this.client.off('update', this.onChange);
    this.listening = cmd.on;
    return {};
  }

  async evaluate(cmd) {
    const fallback = cmd.default === undefined ? null : cmd.default;
    let value = fallback;
    let reason;
    try {
      const detail = await this.client.variationDetail(cmd.flag, { kind: 'user', key: cmd.context }, fallback);
      value = detail.value === undefined ? null : detail.value;
      reason = detail.reason.kind === 'ERROR' ? `ERROR:${detail.reason.errorKind}` : detail.reason.kind;
    } catch (e) {
      reason = `RAISED:${e.name}: ${e.message}`;
    }
    this.rec.add({ row: 'evaluations', flag: cmd.flag, context: cmd.context, value, reason });
    await settle();
    return {};
  }

  /** The final store: [kind, key, version, deleted] rows, sorted by kind then key. */
  snapshot() {
    const rows = [];
    for (const kind of Object.keys(KINDS)) {
      const namespace = KINDS[kind].namespace;
      for (const key of this.peeker.keys(namespace).sort()) {
        const record = this.peeker.peek(namespace, key);
        if (record) rows.push([kind, key, record.version, record.deleted]);
      }
    }
    return rows;
  }

  /** End the scenario: nothing more is recorded, the client shuts down, the clock is real again. */
  close() {
    this.rec.muted = true;
    try {
      this.client.close();
    } finally {
      this.clock.uninstall();
    }
  }
}

function revive(sdk, flags, segments) {
  // reviveFullPayload is deserializePoll without the parse (9.12 on); older releases parse a string.
  const payload = typeof sdk.reviveFullPayload === 'function' ? sdk.reviveFullPayload({ flags, segments })
    : sdk.deserializePoll(JSON.stringify({ flags, segments }));
  return { features: payload.flags, segments: payload.segments };
}

function stored(record) {
  return record === null ? null : { version: record.version, deleted: record.deleted };
}

function same(a, b) {
  if (a === null || b === null) return a === b;
  return a.version === b.version && a.deleted === b.deleted && a.identity === b.identity;
}

module.exports = { Scenario, revive, settle };
