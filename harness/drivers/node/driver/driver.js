'use strict';
// The kit's driver for LaunchDarkly's Node server SDK: JSON lines in on stdin, JSON lines out on
// stdout, as docs/driver-protocol.md says. It replays the kit's low-level commands on the SDK's real
// update sink, behind a real client, on @sinonjs/fake-timers, so the SDK's timers run on the
// scenario's virtual clock. Anything for people goes to stderr.

const fs = require('fs');
const path = require('path');
const { StringDecoder } = require('string_decoder');
const sdk = require('@launchdarkly/node-server-sdk');
const { Scenario, revive, settle } = require('./scenario');
const { makeStore, silentLogger } = require('./stores');

const PROTOCOL = 2;
const SDK = '@launchdarkly/node-server-sdk';
// Node's FDv1 client has no data source status and no data store status.
const UNAVAILABLE = ['status', 'store_status'];
const COMMANDS = new Set(['init', 'upsert', 'delete', 'advance', 'store_down', 'store_up', 'listen', 'evaluate']);

// ------------------------------------------------------------------------------ lines in and out

const output = [];
const PAUSE = new Int32Array(new SharedArrayBuffer(4)); // Atomics.wait on it is a synchronous pause
function out(message) {
  output.push(JSON.stringify(message) + '\n');
}

/**
 * Write what is waiting: once a batch is answered (no command waits on stdin), in one write. The write
 * is synchronous (process.stdout.write would wait for a turn of the event loop); if the pipe is full, the
 * kit is reading it as it writes, so the driver waits a millisecond and tries again.
 */
function flush() {
  if (!output.length) return;
  const bytes = Buffer.from(output.splice(0).join(''));
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += fs.writeSync(1, bytes, offset);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}

// Stdin is read synchronously, and only once every line read is obeyed: nothing else needs the event loop
// while the driver waits for commands (the SDK's timers are fake, and every command has settled).
const decoder = new StringDecoder('utf8');
const chunk = Buffer.alloc(1 << 16);
let lines = [];
let next = 0; // the first line not yet obeyed (shifting a long array would cost a copy a line)
let partial = '';
let ended = false;

/** The next command line, or null once stdin is closed; the answers so far go out before the driver waits. */
function nextLine() {
  while (next === lines.length) {
    lines = [];
    next = 0;
    if (ended) return null;
    flush();
    let count;
    try {
      count = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EOF') count = 0;
      else if (e.code === 'EAGAIN') { Atomics.wait(PAUSE, 0, 0, 1); continue; } else throw e;
    }
    if (count === 0) {
      ended = true;
      continue;
    }
    const pieces = (partial + decoder.write(chunk.subarray(0, count))).split('\n');
    partial = pieces.pop();
    for (const piece of pieces) if (piece.trim()) lines.push(piece);
  }
  return lines[next++];
}

// ------------------------------------------------------------------------------------ the commands

function sdkVersion() {
  let folder = path.dirname(require.resolve(SDK));
  while (folder !== path.dirname(folder)) {
    const file = path.join(folder, 'package.json');
    if (fs.existsSync(file)) {
      const found = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (found.name === SDK) return found.version;
    }
    folder = path.dirname(folder);
  }
  return 'unknown';
}

/**
 * A bench command: the same calls made directly on a fresh client's sink, in real time (the clock is
 * not faked between scenarios), with a change listener as the kit's runs have: the sink's bare rate.
 */
async function bench(cmd) {
  let updates = null;
  const { store } = makeStore(sdk, { type: 'memory' });
  const client = sdk.init('harness-bench-sdk-key', {
    updateProcessor: (clientContext, dataSourceUpdates) => {
      updates = dataSourceUpdates;
      return { start() {}, stop() {}, close() {} };
    },
    featureStore: store, logger: silentLogger(), sendEvents: false, diagnosticOptOut: true,
  });
  client.on('update', () => {});
  const kind = { namespace: 'features', streamApiPath: '/flags/' };
  const calls = cmd.ops.map(([op, key, version]) => (op === 'upsert'
    ? { key, version, on: true, variations: [false, true], fallthrough: { variation: 0 }, offVariation: 0, salt: key }
    : { key, version, deleted: true }));
  const data = revive(sdk, cmd.data.flags || {}, {});
  const started = process.hrtime.bigint();
  updates.init(data, () => {});
  for (const item of calls) updates.upsert(kind, item, () => {});
  await settle();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.close();
  return seconds;
}

async function main() {
  out({ hello: 'harness-node-driver', protocol: PROTOCOL, sdk: SDK, version: sdkVersion(), unavailable: UNAVAILABLE });
  let scenario = null;
  let failed = new Set(); // ids of the scenario's writes that failed, for a command's if_ok
  for (let line = nextLine(); line !== null; line = nextLine()) {
    let cmd = null;
    try {
      cmd = JSON.parse(line);
      const reply = { reply: cmd.op, re: cmd.id };
      if (cmd.op === 'bench') {
        reply.seconds = await bench(cmd);
      } else if (cmd.op === 'begin') {
        if (scenario) throw new Error('begin while a scenario is running');
        scenario = new Scenario(sdk, cmd);
        failed = new Set();
        await scenario.started();
        scenario.rec.flush(cmd.id, out);
      } else if (!scenario) {
        throw new Error(`${JSON.stringify(cmd.op)} before begin`);
      } else if (cmd.op === 'status' || (cmd.if_ok && failed.has(cmd.if_ok))) {
        reply.skipped = true; // no status to report (see UNAVAILABLE), or the call it depends on failed
      } else if (cmd.op === 'end') {
        await settle();
        scenario.rec.flush(cmd.id, out);
        reply.store = scenario.snapshot();
        const ending = scenario;
        scenario = null;
        ending.close();
      } else if (COMMANDS.has(cmd.op)) {
        Object.assign(reply, await scenario[cmd.op](cmd));
        if (reply.ok === false) failed.add(cmd.id);
        scenario.rec.flush(cmd.id, out);
      } else {
        throw new Error(`unknown op ${JSON.stringify(cmd.op)}`);
      }
      out(reply);
    } catch (e) {
      process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
      out({ error: `${e && e.message ? e.message : e}`, re: cmd && typeof cmd === 'object' ? cmd.id : null });
      if (scenario) { // the scenario is over: the kit stops this driver and starts another
        try { scenario.close(); } catch (ignored) { /* it was broken already */ }
        scenario = null;
      }
    }
  }
  flush();
  process.exit(0); // every write was synchronous: nothing is left to go out
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  flush();
  process.exit(1);
});
