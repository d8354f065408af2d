// `kinesis-edge/persistence`: records a Producer accepted, kept in
// IndexedDB until the stream acknowledges them, and sent again after a
// reload or a crash, in order. Pages and Web Workers. Not in the producer
// entry: only pages that import it pay for it.
//
//   import { Producer } from 'kinesis-edge/producer';
//   import { indexedDbStore } from 'kinesis-edge/persistence';
//   const producer = new Producer({ ..., store: indexedDbStore({ name: 'clicks' }) });
//
// A store holds at most `maxRecords` records and `maxBytes` bytes (data and
// keys); when full, `onFull` decides: 'reject' (put() rejects with
// `StoreFull`) or 'dropOldest' (the oldest stored records stop being kept —
// they are still sent by this page — and `stats().store.dropped` counts
// them). Never silent.
//
// Tabs and workers of one site share a store of one name. A store marks
// the records it writes with its own owner id, and holds the Web Lock
// `kinesis-edge:<name>:<owner>` for as long as it keeps any. A page that
// loads takes only the records whose owner's lock is free (their page was
// closed, reloaded or crashed), marking them as its own in the same pass,
// one page at a time, so that two pages never both take them; a tab still
// open sends its own. Every few seconds it looks at which owners hold their
// lock, and takes the records of those that held it and no longer do, and
// of those that a registry of owners (a database of its own) names and
// that hold none: a page that came and went between two looks. A store
// that keeps nothing holds no lock (a held lock keeps a page out of the
// back/forward cache: w3c/web-locks issue 81, Chromium's behaviour). Without Web Locks (an insecure context), a page
// takes everything the store holds when it loads.

const STORE = 'records';
// The registry of owners (its own database, `kinesis-edge-owners:<name>`,
// so that the records' database keeps its version): the stores that hold
// their lock to keep records, so that a store that is open learns of a
// page that came and went between two of its looks.
const OWNERS = 'owners';
// How often a store looks for owners it saw that are gone.
const WATCH_MS = 3000;

// The owner of a stored value ('' for those written before owners were kept).
const ownerOf = (v) => (typeof v?.owner === 'string' ? v.owner : '');

function fail(code, message) {
  const e = new Error(message);
  e.name = 'KinesisEdgeError';
  e.code = code;
  return e;
}

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? fail('StoreAborted', 'the IndexedDB transaction was aborted'));
  });
}

// Calls `f(cursor)` for each stored record, in key order, in one
// transaction; resolves once it has committed.
async function each(db, mode, f) {
  const tx = db.transaction(STORE, mode);
  const committed = done(tx);
  const walk = tx.objectStore(STORE).openCursor();
  walk.onsuccess = () => {
    const c = walk.result;
    if (!c) return;
    f(c);
    c.continue();
  };
  await committed;
}

class IndexedDbStore {
  #name;
  #maxRecords;
  #maxBytes;
  #onFull;
  #db = null;
  #loading = Promise.resolve();
  #sizes = new Map(); // key → bytes, in key order (oldest first)
  #bytes = 0;
  #dropped = 0;
  // Writes wait for the next batch: one transaction for all puts of a tick.
  #adds = [];
  #removes = [];
  #timer = null;
  #last = Promise.resolve();
  // Sharing the store with other tabs (see the top of this file).
  #locks = globalThis.navigator?.locks ?? null;
  #owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  #holding = null; // resolves once this store holds its own lock
  #release = null; // lets it go
  #foreign = new Set(); // owners seen holding their lock, last time it looked
  #later = null; // hands records taken after load to the producer
  #watch = null;
  #registry = null; // the owners registry's connection (a promise)

  constructor({ name = 'kinesis-edge', maxRecords = 100_000, maxBytes = 50 * 1024 * 1024, onFull = 'reject' } = {}) {
    if (typeof globalThis.indexedDB?.open !== 'function') throw fail('InvalidArgument', 'indexedDbStore needs IndexedDB (a page or a Web Worker)');
    if (onFull !== 'reject' && onFull !== 'dropOldest') throw fail('InvalidArgument', "onFull must be 'reject' or 'dropOldest'");
    for (const [n, v] of [['maxRecords', maxRecords], ['maxBytes', maxBytes]]) {
      if (!Number.isSafeInteger(v) || v < 1) throw fail('InvalidArgument', `${n} must be a whole number of at least 1`);
    }
    this.#name = `kinesis-edge:${name}`;
    this.#maxRecords = maxRecords;
    this.#maxBytes = maxBytes;
    this.#onFull = onFull;
  }

  #open() {
    if (!this.#db) {
      const open = globalThis.indexedDB.open(this.#name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { autoIncrement: true });
      const db = request(open);
      this.#db = db;
      db.then(
        (connection) => {
          // Closed by the browser (site data cleared), or wanted by another
          // page's upgrade: the next write opens it again.
          const drop = () => {
            if (this.#db === db) this.#db = null;
          };
          connection.onclose = drop;
          connection.onversionchange = () => {
            connection.close();
            drop();
          };
        },
        () => {
          if (this.#db === db) this.#db = null; // tried again at the next write
        },
      );
    }
    return this.#db;
  }

  /**
   * The records kept, oldest first: `{ key, data, partitionKey, explicitHashKey }`:
   * those of pages that are gone. Records taken later (another tab's, once it
   * is gone) go to `later(records)`; when it answers `false`, no more are taken.
   */
  load(later) {
    this.#later = typeof later === 'function' ? later : null;
    this.#loading = this.#load();
    return this.#loading;
  }

  async #load() {
    const db = await this.#open();
    const { records, live } = await this.#takeOrphans(db, 'everything');
    this.#sizes.clear();
    this.#bytes = 0;
    this.#keep(records);
    this.#foreign = live;
    this.#unhold();
    this.#watchForeign();
    return records;
  }

  // The owners, other than this store, that hold their lock (their page is
  // open); null without Web Locks (every owner then counts as gone).
  async #liveOwners() {
    if (!this.#locks) return null;
    let held;
    try {
      held = (await this.#locks.query()).held ?? [];
    } catch {
      return null; // no locks here after all: as without Web Locks
    }
    const prefix = `${this.#name}:`;
    const live = new Set();
    for (const { name } of held) {
      const owner = name.startsWith(prefix) ? name.slice(prefix.length) : ':';
      if (!owner.includes(':') && owner !== this.#owner) live.add(owner);
    }
    return live;
  }

  // Takes the records whose owner holds no lock (its page is gone), marked
  // as this store's own, in one cursor pass. Takes run one at a time among
  // the site's pages and workers (under the lock `kinesis-edge:<name>:take:`),
  // and a store holds its own lock before it marks any record as its own, so
  // a page that takes after it finds them a live page's. Resolves to the
  // records taken, oldest first, and the owners seen live. `unknown`: what
  // to do when which owners are live cannot be known (no Web Locks here):
  // take everything (a page that loads), or nothing (a look while open).
  async #takeOrphans(db, unknown) {
    const take = async () => {
      const live = await this.#liveOwners();
      if (live === null && unknown === 'nothing') return { records: [], live: new Set() };
      await this.#hold();
      const records = [];
      await each(db, 'readwrite', (c) => {
        const v = c.value;
        const owner = ownerOf(v);
        if (owner === this.#owner || live?.has(owner)) return;
        if (v !== null && typeof v === 'object') c.update({ ...v, owner: this.#owner });
        // (A value that is not a record counts 0; the producer removes it.)
        records.push({ key: c.primaryKey, ...v });
      });
      if (live) await this.#forget(live).catch(() => {});
      return { records, live: live ?? new Set() };
    };
    if (!this.#locks) return take();
    let taken;
    try {
      await this.#locks.request(`${this.#name}:take:`, async () => {
        taken = await take();
      });
    } catch (e) {
      if (taken !== undefined) return taken;
      if (e?.name !== 'SecurityError' && e?.name !== 'NotSupportedError') throw e;
      return take(); // no locks here after all (an opaque origin): as without Web Locks
    }
    return taken;
  }

  #keep(records) {
    for (const r of records) {
      const size = (r.data?.byteLength ?? 0) + (r.partitionKey?.length ?? 0);
      this.#sizes.set(r.key, size);
      this.#bytes += size;
    }
  }

  #lockOf(owner) {
    return `${this.#name}:${owner}`;
  }

  // This store's own lock, held (and the store in the registry) before it
  // writes a record marked as its own.
  #hold() {
    if (!this.#locks) return;
    this.#holding ??= new Promise((held) => {
      this.#locks
        .request(this.#lockOf(this.#owner), () => {
          this.#enrol(true).catch(() => {}).then(held);
          return new Promise((release) => (this.#release = release));
        })
        .catch(() => held()); // refused: the store still works, unshared
    });
    return this.#holding;
  }

  // Let go of it once the store keeps nothing.
  #unhold() {
    if (this.#sizes.size > 0 || !this.#release) return;
    this.#release();
    this.#release = null;
    this.#holding = null;
    this.#enrol(false).catch(() => {});
  }

  #ownersDb() {
    if (!this.#registry) {
      // (Not `<records' database>:owners`, which a store of that name would use.)
      const open = globalThis.indexedDB.open(this.#name.replace('kinesis-edge:', 'kinesis-edge-owners:'), 1);
      open.onupgradeneeded = () => open.result.createObjectStore(OWNERS);
      const db = (this.#registry = request(open));
      const drop = () => {
        if (this.#registry === db) this.#registry = null;
      };
      db.then((connection) => {
        connection.onclose = drop;
        connection.onversionchange = () => {
          connection.close();
          drop();
        };
      }, drop);
    }
    return this.#registry;
  }

  // In the registry (`present`), or out of it.
  async #enrol(present) {
    const tx = (await this.#ownersDb()).transaction(OWNERS, 'readwrite');
    if (present) tx.objectStore(OWNERS).put(Date.now(), this.#owner);
    else tx.objectStore(OWNERS).delete(this.#owner);
    await done(tx);
  }

  // The owners in the registry.
  async #registered() {
    return request((await this.#ownersDb()).transaction(OWNERS, 'readonly').objectStore(OWNERS).getAllKeys());
  }

  // Out of the registry: the owners, other than this store, not in `live`
  // (their records were just taken).
  async #forget(live) {
    const tx = (await this.#ownersDb()).transaction(OWNERS, 'readwrite');
    const store = tx.objectStore(OWNERS);
    const keys = store.getAllKeys();
    keys.onsuccess = () => {
      for (const owner of keys.result) if (owner !== this.#owner && !live.has(owner)) store.delete(owner);
    };
    await done(tx);
  }

  // Every few seconds: the owners whose lock was held last time and is no
  // longer (their page is gone, or keeps nothing now), and those in the
  // registry that hold no lock (a page that came and went since), have
  // their records taken, if they left any.
  #watchForeign() {
    if (this.#watch !== null || !this.#locks || !this.#later) return;
    this.#watch = setTimeout(() => {
      this.#watch = null;
      this.#last = this.#last
        .then(async () => {
          const live = await this.#liveOwners();
          if (live === null) return; // (the locks answer no more: nothing is taken)
          const registered = await this.#registered().catch(() => []);
          const gone = [...this.#foreign, ...registered].some((owner) => owner !== this.#owner && !live.has(owner));
          this.#foreign = live;
          if (!gone) return;
          const taken = await this.#takeOrphans(await this.#open(), 'nothing');
          this.#foreign = taken.live;
          const { records } = taken;
          if (records.length > 0) {
            this.#keep(records);
            this.#sizes = new Map([...this.#sizes].sort((a, b) => a[0] - b[0])); // oldest first
            if (this.#later(records) === false) this.#later = null;
          }
          this.#unhold();
        })
        .catch(() => {})
        .then(() => this.#watchForeign());
    }, WATCH_MS);
  }

  /** Keeps a record; resolves to its key once it is written. */
  add(record) {
    const size = record.data.byteLength + record.partitionKey.length;
    return new Promise((resolve, reject) => {
      this.#adds.push({ record, size, resolve, reject });
      this.#schedule();
    });
  }

  /** Stops keeping these records (acknowledged, or failed for good). */
  remove(keys) {
    for (const k of keys) if (k !== undefined) this.#removes.push(k);
    this.#schedule();
  }

  /** `{ stored, storedBytes, dropped }`. */
  stats() {
    return { stored: this.#sizes.size, storedBytes: this.#bytes, dropped: this.#dropped };
  }

  /** Resolves once every write asked for so far is done. */
  settled() {
    // Those waiting for the next batch go now (a service worker may be
    // stopped once what it waits for has settled).
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#writeBatch();
    }
    return this.#last;
  }

  #schedule() {
    if (this.#timer === null) this.#timer = setTimeout(() => this.#writeBatch(), 0);
  }

  #writeBatch() {
    this.#timer = null;
    const adds = this.#adds.splice(0);
    const removes = this.#removes.splice(0);
    this.#last = this.#last.then(() => this.#write(adds, removes)).catch(() => {});
  }

  // Any failure (the database cannot be opened, a connection the browser
  // closed, a transaction that aborts, a full disk) refuses this write's
  // records — their put() rejects, none hangs — keeps its removals for the
  // next write, and opens the database again then.
  async #write(adds, removes) {
    try {
      await this.#writeOnce(adds, removes);
    } catch (e) {
      const db = this.#db;
      this.#db = null;
      db?.then((connection) => connection.close(), () => {});
      this.#removes.push(...removes);
      for (const a of adds) a.reject(fail('StoreUnavailable', `IndexedDB: ${e?.message ?? e}`));
    }
  }

  // The store's counts change only once the transaction has committed: a
  // write that fails rolls back in IndexedDB (its removals and the oldest
  // records it dropped are still there), and so in the counts.
  async #writeOnce(adds, removes) {
    await this.#loading.catch(() => {});
    if (adds.length > 0) await this.#hold();
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite');
    try {
      const store = tx.objectStore(STORE);
      const gone = new Map(); // key → bytes, of kept records this write deletes
      for (const k of removes) {
        store.delete(k);
        const size = this.#sizes.get(k);
        if (size !== undefined) gone.set(k, size);
      }
      let goneBytes = 0;
      for (const size of gone.values()) goneBytes += size;
      // Which of this batch to write: a full store drops its oldest kept
      // records first, then (dropOldest) the oldest of this batch — still
      // sent by this page, only no longer kept.
      const batch = [];
      const unkept = [];
      let dropped = 0;
      let batchBytes = 0;
      const kept = this.#sizes.entries();
      const full = (size) =>
        this.#sizes.size - gone.size + batch.length + 1 > this.#maxRecords ||
        this.#bytes - goneBytes + batchBytes + size > this.#maxBytes;
      for (const a of adds) {
        if (a.size > this.#maxBytes) {
          a.reject(fail('StoreFull', `a record of ${a.size} bytes is larger than the store (maxBytes ${this.#maxBytes})`));
          continue;
        }
        while (full(a.size) && this.#onFull === 'dropOldest') {
          if (this.#sizes.size > gone.size) {
            let oldest = kept.next().value;
            while (gone.has(oldest[0])) oldest = kept.next().value;
            store.delete(oldest[0]);
            gone.set(oldest[0], oldest[1]);
            goneBytes += oldest[1];
          } else {
            const first = batch.shift();
            batchBytes -= first.size;
            unkept.push(first);
          }
          dropped++;
        }
        if (full(a.size)) {
          a.reject(fail('StoreFull', `the store is full (maxRecords ${this.#maxRecords}, maxBytes ${this.#maxBytes})`));
          continue;
        }
        batch.push(a);
        batchBytes += a.size;
      }
      const written = batch.map((a) => ({ a, r: store.add({ ...a.record, owner: this.#owner }) }));
      await done(tx);
      for (const [k, size] of gone) {
        this.#sizes.delete(k);
        this.#bytes -= size;
      }
      this.#dropped += dropped;
      for (const a of unkept) a.resolve(undefined); // accepted, not kept
      for (const { a, r } of written) {
        this.#sizes.set(r.result, a.size);
        this.#bytes += a.size;
        a.resolve(r.result);
      }
      this.#unhold();
    } catch (e) {
      try {
        tx.abort(); // a write that threw before committing: nothing of it stays
      } catch {
        // Already aborted or finished.
      }
      throw e;
    }
  }
}

/** A store for a Producer's `store` option, in IndexedDB database `kinesis-edge:<name>`. */
export function indexedDbStore(options) {
  return new IndexedDbStore(options);
}
