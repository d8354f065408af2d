// `kinesis-edge/persistence`: a Producer's accepted records kept in IndexedDB until acknowledged.
export interface StoreOptions {
  /** Database `kinesis-edge:<name>` (default 'kinesis-edge'): one per producer. */
  name?: string;
  /** Records kept at most (100,000). */
  maxRecords?: number;
  /** Bytes of data and keys kept at most (50 MiB). */
  maxBytes?: number;
  /** When full: 'reject' (put() rejects with StoreFull) or 'dropOldest' (counted in stats().store.dropped). */
  onFull?: 'reject' | 'dropOldest';
}
export interface StoredRecord {
  key: unknown;
  data: Uint8Array;
  partitionKey: string;
  explicitHashKey?: string;
}
export interface Store {
  /**
   * The records of pages that are gone (closed, reloaded, crashed), oldest first. Those
   * of another tab that goes later are handed to `later` (from `indexedDbStore`: within
   * seconds, through Web Locks); when it returns `false`, no more are taken.
   */
  load(later?: (records: StoredRecord[]) => boolean): Promise<StoredRecord[]>;
  add(record: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }): Promise<unknown>;
  remove(keys: unknown[]): void;
  stats(): { stored: number; storedBytes: number; dropped: number };
  settled(): Promise<void>;
}
export declare function indexedDbStore(options?: StoreOptions): Store;
