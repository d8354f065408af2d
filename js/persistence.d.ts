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
export interface Store {
  load(): Promise<{ key: unknown; data: Uint8Array; partitionKey: string; explicitHashKey?: string }[]>;
  add(record: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }): Promise<unknown>;
  remove(keys: unknown[]): void;
  stats(): { stored: number; storedBytes: number; dropped: number };
  settled(): Promise<void>;
}
export declare function indexedDbStore(options?: StoreOptions): Store;
