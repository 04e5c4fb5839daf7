'use strict';
// The stores a scenario runs on, each failing the operations a store_down names, and each able to
// `peek`: read the stored record itself (tombstones included) past faults and caches, so the kit
// reads every write's outcome from the store and not from the driver's opinion.
//
// Node's store interfaces report a failure only where their callbacks have room for one: an init
// or an upsert may call back with an error, a get or an all cannot, so a failing read answers
// "nothing there" as the SDK's own database integrations do, and a failing delete does nothing.

// ------------------------------------------------------------------------------------------ faults

class Faults {
  constructor() {
    this.set(false, [], true, '');
  }

  set(down, fail, available, message) {
    this.down = down;
    this.fail = new Set(fail);
    this.available = available;
    this.message = message;
  }

  fails(op) {
    return this.down && this.fail.has(op);
  }

  error() {
    return new Error(this.message);
  }

  isAvailable() {
    return !this.down || this.available;
  }
}

// -------------------------------------------------------------------- the SDK's in-memory store

// The SDK does not export its InMemoryFeatureStore, nor a way to read a tombstone from it (its get
// and all hide them). These two reaches are the driver's only ones past the public API, each
// checked, as the Python driver's door.py does for ldclient: one names what a release lacks.
function sdkInMemoryStore(sdk) {
  if (typeof sdk.TransactionalFeatureStore === 'function') {
    // The exported TransactionalFeatureStore keeps one as its memory; make another of its class.
    const held = new sdk.TransactionalFeatureStore({ close() {} })._memoryStore;
    if (held && typeof held.applyChanges === 'function') return new held.constructor();
  }
  // Older releases: the store a client builds when given none.
  const client = sdk.init('harness-door', { offline: true, logger: silentLogger(), sendEvents: false });
  const built = client._featureStore || client.featureStore;
  client.close();
  if (built && typeof built.init === 'function' && allDataOf(built)) return new built.constructor();
  throw new Error('this release of the SDK hides its in-memory store where the driver cannot reach it');
}

function allDataOf(store) {
  return store._allData || store.allData;
}

function silentLogger() {
  return { error() {}, warn() {}, info() {}, debug() {} };
}

/** The SDK's in-memory store with the kit's fault check in front of each operation. */
class FaultyMemory {
  constructor(sdk, faults) {
    this.inner = sdkInMemoryStore(sdk);
    this.faults = faults;
  }

  get(kind, key, callback) {
    if (this.faults.fails('get')) return callback(null);
    return this.inner.get(kind, key, callback);
  }

  all(kind, callback) {
    if (this.faults.fails('all')) return callback({});
    return this.inner.all(kind, callback);
  }

  init(allData, callback, initMetadata) {
    if (this.faults.fails('init')) return callback(this.faults.error());
    return this.inner.init(allData, callback, initMetadata);
  }

  delete(kind, key, version, callback) {
    if (this.faults.fails('delete')) return callback();
    return this.inner.delete(kind, key, version, callback);
  }

  upsert(kind, data, callback) {
    if (this.faults.fails(data.deleted ? 'delete' : 'upsert')) return callback(this.faults.error());
    return this.inner.upsert(kind, data, callback);
  }

  initialized(callback) {
    return this.inner.initialized(callback);
  }

  close() {
    this.inner.close();
  }

  getDescription() {
    return 'memory';
  }

  peek(namespace, key) {
    const items = (allDataOf(this.inner) || {})[namespace] || {};
    if (!Object.prototype.hasOwnProperty.call(items, key)) return null;
    const item = items[key];
    return { version: item.version, deleted: !!item.deleted, identity: item };
  }

  keys(namespace) {
    return Object.keys((allDataOf(this.inner) || {})[namespace] || {});
  }
}

// -------------------------------------------------------------------------- the persistent core

/**
 * A PersistentDataStore over two maps, with faults and an availability answer, keeping the version
 * rule as a database integration does. It keeps a tombstone in one of the two forms the interface
 * allows: `serialized` keeps what the SDK hands over (its placeholder JSON with `deleted: true`
 * among it), `flag` keeps only the version and the deleted flag, and answers no serialized item.
 */
class FaultyCore {
  constructor(faults, tombstones) {
    this.faults = faults;
    this.tombstones = tombstones || 'serialized';
    this.data = { features: new Map(), segments: new Map() };
    this.inited = false;
  }

  keep(descriptor) {
    if (descriptor.deleted && this.tombstones === 'flag') return { version: descriptor.version, deleted: true };
    return { version: descriptor.version, deleted: !!descriptor.deleted, serializedItem: descriptor.serializedItem };
  }

  init(allData, callback) {
    if (this.faults.fails('init')) return callback(this.faults.error());
    this.data = { features: new Map(), segments: new Map() };
    for (const { key: kind, item: items } of allData) {
      for (const { key, item } of items) this.data[kind.namespace].set(key, this.keep(item));
    }
    this.inited = true;
    return callback();
  }

  get(kind, key, callback) {
    if (this.faults.fails('get')) return callback(undefined);
    const stored = this.data[kind.namespace].get(key);
    return callback(stored && { ...stored });
  }

  getAll(kind, callback) {
    if (this.faults.fails('all')) return callback(undefined);
    const items = this.data[kind.namespace];
    return callback([...items.keys()].sort().map((key) => ({ key, item: { ...items.get(key) } })));
  }

  upsert(kind, key, descriptor, callback) {
    if (this.faults.fails(descriptor.deleted ? 'delete' : 'upsert')) return callback(this.faults.error());
    const items = this.data[kind.namespace];
    const old = items.get(key);
    if (old && old.version >= descriptor.version) return callback(undefined, { ...old });
    const kept = this.keep(descriptor);
    items.set(key, kept);
    return callback(undefined, { ...kept });
  }

  initialized(callback) {
    callback(!this.faults.fails('get') && this.inited);
  }

  isStoreAvailable(callback) {
    callback(this.faults.isAvailable());
  }

  close() {}

  getDescription() {
    return 'the kit\'s fault-injectable core';
  }

  peek(namespace, key) {
    const stored = this.data[namespace].get(key);
    if (!stored) return null;
    return { version: stored.version, deleted: stored.deleted, identity: stored.serializedItem };
  }

  keys(namespace) {
    return [...this.data[namespace].keys()];
  }
}

// Redis, DynamoDB and Consul's Node integrations cache for 15 s unless told otherwise.
const DEFAULT_CACHE_TTL_SECONDS = 15;

/**
 * The scenario's store as the SDK's `featureStore` option takes it, its faults, and what to peek at.
 * `setting` is begin.store: {type, cache_ttl (µs or null), infinite, tombstones}.
 */
function makeStore(sdk, setting) {
  const faults = new Faults();
  if (!setting || setting.type === 'memory') {
    const memory = new FaultyMemory(sdk, faults);
    return { store: memory, faults, peeker: memory };
  }
  if (setting.type !== 'persistent') throw new Error(`unknown store type ${JSON.stringify(setting.type)}`);
  const core = new FaultyCore(faults, setting.tombstones);
  // The wrapper's TTL is in seconds; 0 turns its cache off. It has no infinite mode: its nearest is a
  // TTL that never runs out (reads stay cached; nothing is written back after a failure).
  let ttl = DEFAULT_CACHE_TTL_SECONDS;
  if (setting.infinite) ttl = Infinity;
  else if (setting.cache_ttl !== null && setting.cache_ttl !== undefined) ttl = setting.cache_ttl / 1e6;
  // A factory, as the SDK's own integrations give it: the wrapper logs through the client's logger.
  const store = (clientContext) => new sdk.PersistentDataStoreWrapper(core, ttl, clientContext.basicConfiguration.logger);
  return { store, faults, peeker: core };
}

module.exports = { makeStore, silentLogger };
