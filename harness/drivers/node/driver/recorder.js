'use strict';
// The rows a scenario's listeners and logger report, buffered until their command ends and then
// written in the protocol's deterministic order (docs/driver-protocol.md, "Rows").

const util = require('util');

// Frame order within one instant: status, store status, changes, logs, evaluations.
const ORDER = { status: 0, store_status: 1, changes: 2, logs: 3, evaluations: 4 };

class Recorder {
  /** @param {() => number} now the scenario's virtual time, in microseconds since the epoch */
  constructor(now) {
    this.now = now;
    this.rows = [];
    this.seq = 0;
    this.muted = true; // the client's own start-up and shutdown lines describe the kit's wiring
  }

  /** One row; `key` sorts the change events and the log lines of one instant. */
  add(body, key = '') {
    if (this.muted && body.row === 'logs') return;
    this.rows.push({ t: this.now(), order: ORDER[body.row], key, seq: this.seq++, body });
  }

  /** Write the buffered rows of command `id`: by time, then frame, then key, then arrival. */
  flush(id, out) {
    const rows = this.rows;
    this.rows = [];
    rows.sort((a, b) => a.t - b.t || a.order - b.order || compare(a.key, b.key) || a.seq - b.seq);
    for (const row of rows) out({ ...row.body, t: row.t, re: id });
  }

  /** The SDK's logger: INFO and above are recorded, each level mapped to the kit's word. */
  logger() {
    const line = (level) => (...args) => {
      const message = util.format(...args);
      this.add({ row: 'logs', level, message }, `${level} ${message}`);
    };
    return { error: line('ERROR'), warn: line('WARNING'), info: line('INFO'), debug() {} };
  }
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

module.exports = { Recorder };
