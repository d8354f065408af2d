// Types of `kinesis-edge/engine`: the in-process Kinesis and Firehose simulation.

export type Bytes = string | Uint8Array | ArrayBuffer | ArrayBufferView;

export interface Faults {
  /** Share (0..1) of PutRecords records failed alone. */
  recordFailureRate?: number;
  /** How they fail (default 'InternalFailure'). */
  recordFault?: 'InternalFailure' | 'Throttling';
  /** Share (0..1) of PutRecord(s), GetShardIterator and GetRecords requests failed with HTTP 500. */
  requestFailureRate?: number;
  /** Delay of every data-plane answer through `fetch`, in ms. */
  latencyMs?: number;
}

export interface ShardEngineOptions {
  throttling?: boolean;
  writeRecordsPerSecond?: number;
  writeBytesPerSecond?: number;
  readCallsPerSecond?: number;
  readBytesPerSecond?: number;
  accountId?: string;
  region?: string;
  createDelayMs?: number;
  /** How long a stream stays UPDATING after a reshard, UpdateShardCount, Start/StopStreamEncryption or UpdateStreamMode; the change is made when it ends (default 0: at once). */
  updateDelayMs?: number;
  /** How long a deleted stream stays DELETING (default 0: gone at once). */
  deleteDelayMs?: number;
  /** Enforce AWS's control-plane call rates (DescribeStream 10 a second per account, ListShards 1,000 per stream, GetShardIterator 5 per shard, …); default false. */
  controlPlaneLimits?: boolean;
  seed?: number;
  maxRecordsPerShard?: number;
  /** Memory bound per shard in bytes (data plus partition keys; default 1 GiB): the oldest records go first. */
  maxBytesPerShard?: number;
  defaultShardCount?: number;
  /** Largest record of new streams, data plus partition key: 1 MiB (the default) up to 10 MiB (as after UpdateMaxRecordSize). */
  maxRecordBytes?: number;
  verifySignatures?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date | number };
  faults?: Faults;
  now?: () => number;
}

/** A shard as ListShards returns it (the service's shape). */
export interface Shard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

export type PutResult = { sequenceNumber: string; shardId: string } | { errorCode: string; errorMessage: string };

export interface ShardStats {
  shardId: string;
  parentShardId: string | null;
  adjacentParentShardId: string | null;
  open: boolean;
  startingHashKey: string;
  endingHashKey: string;
  recordsIn: number;
  bytesIn: number;
  writeThrottles: number;
  injectedFailures: number;
  recordsOut: number;
  bytesOut: number;
  readThrottles: number;
  stored: number;
}

export interface RawResponse {
  status: number;
  body: Uint8Array;
  delayMs: number;
}

export interface HttpResponse extends Omit<RawResponse, 'body'> {
  /**
   * The answer; for a SubscribeToShard that succeeded, a stream of AWS's
   * event stream messages that closes when the subscription ends (cancel
   * it to end the subscription).
   */
  body: Uint8Array | ReadableStream<Uint8Array>;
  /** `application/x-amz-cbor-1.1`, `application/x-amz-json-1.1` or (SubscribeToShard) `application/vnd.amazon.eventstream`. */
  contentType: string;
  /** AWS's error code (for `x-amzn-ErrorType`), or '' on success. */
  errorType: string;
}

export interface Consumer {
  consumerName: string;
  consumerArn: string;
  consumerStatus: 'CREATING' | 'ACTIVE' | 'DELETING';
  consumerCreationTimestamp: Date;
}

export interface SubscribeToShardEvent {
  records: { sequenceNumber: string; partitionKey: string; data: Uint8Array; approximateArrivalTimestamp: Date }[];
  /** Where to subscribe again from (`AFTER_SEQUENCE_NUMBER`), even when the event has no records. */
  continuationSequenceNumber: string;
  millisBehindLatest: number;
  /** At the end of a closed shard (the subscription's last event). */
  childShards?: { ShardId: string; ParentShards: string[]; HashKeyRange: { StartingHashKey: string; EndingHashKey: string } }[];
}

/** `@smithy/types`' HttpHandler, structurally (the package does not depend on the SDK). */
export interface EngineRequestHandler {
  readonly metadata: { handlerProtocol: string };
  /** An SDK request (`@smithy/protocol-http`'s HttpRequest) answered by the engine. */
  handle(
    request: { method: string; hostname?: string; port?: number; path: string; query?: Record<string, string | null | (string | null)[]>; headers: Record<string, string>; body?: any },
    options?: { abortSignal?: { readonly aborted: boolean; addEventListener?(type: 'abort', listener: () => void, options?: { once?: boolean }): void; removeEventListener?(type: 'abort', listener: () => void): void } },
  ): Promise<{ response: { statusCode: number; reason?: string; headers: Record<string, string>; body: any } }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): {};
  destroy(): void;
}

export declare class ShardEngine {
  constructor(options?: ShardEngineOptions);
  readonly firehose: FirehoseApi;
  handle(target: string, body?: string | Uint8Array): RawResponse;
  /** In AWS's CBOR when the request was (`content-type: application/x-amz-cbor-1.1`, the AWS SDK for Java's default), else JSON 1.1. */
  handleHttp(request: { method?: string; path?: string; headers?: [string, string][] | Record<string, string>; body?: string | Uint8Array }): HttpResponse;
  /** `fetch` for the engine: whatever the URL, the request goes to this engine (a Request, a URL or a string; `RequestInfo` is a DOM name that Node-only projects lack). */
  fetch(input: Request | URL | string, init?: RequestInit): Promise<Response>;
  /**
   * A request handler for the AWS SDK for JavaScript v3: `new KinesisClient({ region, credentials,
   * requestHandler: engine.requestHandler })` (or a `FirehoseClient`) has its requests answered by
   * this engine, with no server. The same object each time.
   */
  readonly requestHandler: EngineRequestHandler;
  call(action: string, input?: object): any;
  callFirehose(action: string, input?: object): any;
  createStream(input: { streamName: string; shardCount?: number; tags?: Record<string, string>; maxRecordSizeInKiB?: number; streamMode?: 'PROVISIONED' | 'ON_DEMAND' }): void;
  /** The stream's record limit, 1024 to 10240 KiB; the stream is named by its ARN, as AWS takes it. */
  updateMaxRecordSize(input: { streamArn: string; maxRecordSizeInKiB: number }): void;
  deleteStream(input: { streamName: string; enforceConsumerDeletion?: boolean }): void;
  listStreams(): string[];
  describeStreamSummary(input: { streamName: string }): {
    streamName: string; streamArn: string; streamStatus: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';
    retentionPeriodHours: number; openShardCount: number; maxRecordSizeInKiB: number; streamCreationTimestamp: Date;
    streamMode: 'PROVISIONED' | 'ON_DEMAND'; consumerCount: number; shardLevelMetrics: string[]; encryptionType: 'NONE' | 'KMS'; keyId?: string;
  };
  describeLimits(): { shardLimit: number; openShardCount: number; onDemandStreamCount: number; onDemandStreamCountLimit: number };
  /** Enable (default) or disable shard-level metrics ('ALL' or names); kept and reported, no CloudWatch metrics are sent. */
  setEnhancedMonitoring(input: { streamName: string; shardLevelMetrics: string[]; enable?: boolean }): { current: string[]; desired: string[] };
  /** StartStreamEncryption with a KMS key, or StopStreamEncryption with `keyId: null`; records are stored as they are. */
  setStreamEncryption(input: { streamName: string; keyId: string | null }): void;
  putRecord(input: { streamName: string; data: Bytes; partitionKey: string; explicitHashKey?: string | bigint }): { sequenceNumber: string; shardId: string };
  putRecords(input: { streamName: string; records: { data: Bytes; partitionKey: string; explicitHashKey?: string | bigint }[] }): { failedRecordCount: number; records: PutResult[] };
  /** All pages; `shardFilter` as ListShards' ShardFilter (`timestamp`: a Date or ms since the epoch). */
  listShards(input: {
    streamName: string;
    shardFilter?: { type: 'AFTER_SHARD_ID' | 'AT_TRIM_HORIZON' | 'FROM_TRIM_HORIZON' | 'AT_LATEST' | 'AT_TIMESTAMP' | 'FROM_TIMESTAMP'; shardId?: string; timestamp?: Date | number };
  }): Shard[];
  getShardIterator(input: {
    streamName: string; shardId: string;
    type: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP';
    sequenceNumber?: string; timestamp?: Date | number;
  }): string;
  getRecords(input: { shardIterator: string; limit?: number }): {
    records: { sequenceNumber: string; partitionKey: string; data: Uint8Array; approximateArrivalTimestamp: Date }[];
    nextShardIterator?: string;
    millisBehindLatest: number;
    childShards?: { ShardId: string; ParentShards: string[]; HashKeyRange: { StartingHashKey: string; EndingHashKey: string } }[];
  };
  registerStreamConsumer(input: { streamArn: string; consumerName: string }): Consumer;
  describeStreamConsumer(input: { consumerArn: string } | { streamArn: string; consumerName: string }): Consumer & { streamArn: string };
  listStreamConsumers(input: { streamArn: string }): Consumer[];
  deregisterStreamConsumer(input: { consumerArn: string } | { streamArn: string; consumerName: string }): void;
  /**
   * SubscribeToShard in-process: `onEvent` gets each event (the next waits
   * for a promise it returns); `done` settles when the subscription ends
   * (after 5 minutes, or a closed shard's last event), or rejects with the
   * error that ended it; `cancel()` ends it.
   */
  subscribeToShard(
    input: {
      consumerArn: string; shardId: string;
      startingPosition: { type: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP'; sequenceNumber?: string; timestamp?: Date | number };
    },
    onEvent: (event: SubscribeToShardEvent) => void | Promise<void>,
  ): { done: Promise<void>; cancel(): void };
  splitShard(input: { streamName: string; shardToSplit: string; newStartingHashKey: string | bigint }): void;
  mergeShards(input: { streamName: string; shardToMerge: string; adjacentShardToMerge: string }): void;
  updateShardCount(input: { streamName: string; targetShardCount: number }): { currentShardCount: number; targetShardCount: number };
  addTagsToStream(input: { streamName: string; tags: Record<string, string> }): void;
  removeTagsFromStream(input: { streamName: string; tagKeys: string[] }): void;
  listTagsForStream(input: { streamName: string }): Record<string, string>;
  /** Tags of a stream or a consumer, by its ARN. */
  tagResource(input: { resourceArn: string; tags: Record<string, string> }): void;
  untagResource(input: { resourceArn: string; tagKeys: string[] }): void;
  listTagsForResource(input: { resourceArn: string }): Record<string, string>;
  setVerifySignatures(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date | number } | null): void;
  setFaults(input?: Faults & { streamName?: string }): void;
  stats(input: { streamName: string }): { shards: ShardStats[]; totals: Omit<ShardStats, 'shardId' | 'parentShardId' | 'adjacentParentShardId' | 'open' | 'startingHashKey' | 'endingHashKey'> };
  listBuckets(): string[];
  listObjects(input: { bucket: string }): { key: string; size: number; records: number; lastModified: Date }[];
  getObject(input: { bucket: string; key: string }): Uint8Array | undefined;
}

export interface FirehoseApi {
  createDeliveryStream(input: {
    deliveryStreamName: string; bucket: string; prefix?: string;
    bufferingHints?: { sizeInMBs?: number; intervalInSeconds?: number };
  }): { deliveryStreamArn: string };
  deleteDeliveryStream(input: { deliveryStreamName: string }): void;
  listDeliveryStreams(): string[];
  describeDeliveryStream(input: { deliveryStreamName: string }): any;
  putRecord(input: { deliveryStreamName: string; data: Bytes }): { recordId: string };
  putRecordBatch(input: { deliveryStreamName: string; records: { data: Bytes }[] }): {
    failedPutCount: number;
    records: ({ recordId: string } | { errorCode: string; errorMessage: string })[];
  };
  flush(input: { deliveryStreamName: string }): void;
  stats(input: { deliveryStreamName: string }): {
    bufferedBytes: number; bufferedRecords: number; deliveredObjects: number;
    deliveredRecords: number; sizeInBytes: number; intervalInSeconds: number;
  };
}
