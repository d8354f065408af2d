/** AWS credentials. Long-term keys must never ship in a page: use a gateway or temporary credentials. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Session token of temporary credentials (STS, Cognito Identity). */
  sessionToken?: string;
}

/** A request to sign. */
export interface SignRequestInput {
  /** HTTP method, e.g. "POST". */
  method: string;
  /** Absolute URL exactly as sent: path and query already percent-encoded (as `new URL(u).href` gives). */
  url: string;
  /** Headers that will be sent. Host may be left out: it is taken from the URL. */
  headers?: [string, string][] | Record<string, string> | Headers;
  /** The body; default empty. */
  body?: Uint8Array | ArrayBuffer | ArrayBufferView | string;
  /** e.g. "us-east-1". */
  region: string;
  /** Signing name, e.g. "kinesis", "firehose", "s3". */
  service: string;
  credentials: Credentials;
  /** Signing time: a Date, ms since the epoch, or ISO 8601. Default: now. */
  signingDate?: Date | number | string;
  /** Remove dot segments and empty segments (default: true, false for s3). */
  normalizePath?: boolean;
  /** URI-encode the (already encoded) path once more (default: true, false for s3). */
  doubleEncodePath?: boolean;
  /** Add and sign x-amz-content-sha256 (default: false, true for s3). */
  signPayloadHeader?: boolean;
  /** Overrides sha256(body), e.g. "UNSIGNED-PAYLOAD". */
  payloadHash?: string;
  /** Where the session token goes: signed (default) or appended after signing. */
  sessionTokenPlacement?: 'signed' | 'appended';
}

export interface SignRequestResult {
  /** The headers to set on the request, in order (each replaces any of the same name). */
  headers: [string, string][];
  authorization: string;
  signature: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
}

export interface PresignUrlInput extends SignRequestInput {
  /** Seconds the URL stays valid: 1 to 604800 (7 days). */
  expiresIn: number;
}

export interface PresignUrlResult {
  /** The presigned URL. */
  url: string;
  signature: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
}

/** Error codes thrown by the signer, on `err.code`. */
export type SigningErrorCode =
  | 'InvalidInput'
  | 'InvalidMethod'
  | 'InvalidUrl'
  | 'InvalidHeader'
  | 'InvalidBody'
  | 'InvalidCredentials'
  | 'InvalidExpiresIn'
  | 'InvalidSigningDate'
  | 'InvalidScope'
  | 'InvalidPayloadHash'
  | 'InvalidOption';

/** Every error this package throws: a real Error with an AWS-style `code`. */
export interface KinesisEdgeError extends Error {
  name: 'KinesisEdgeError';
  code: SigningErrorCode | string;
}

/** Signs a request with SigV4 (Authorization header). Throws KinesisEdgeError on bad input. */
export declare function signRequest(input: SignRequestInput): SignRequestResult;

/** Like signRequest, but hashes large bodies with SubtleCrypto where available. */
export declare function signRequestAsync(input: SignRequestInput): Promise<SignRequestResult>;

/** Presigns a URL with SigV4 query parameters. Throws KinesisEdgeError on bad input. */
export declare function presignUrl(input: PresignUrlInput): PresignUrlResult;

/** The hash key (decimal) of a partition key: MD5 of its UTF-8 bytes, big-endian. Throws ValidationException for keys outside 1..256 characters. */
export declare function hashKeyOf(partitionKey: string): string;

export interface ShardInfo {
  shardId: string;
  startingHashKey: string;
  endingHashKey: string;
  /** Open shards take writes; closed ones are parents of a reshard. */
  open: boolean;
  parentShardId?: string;
  adjacentParentShardId?: string;
}

/** A stream's shards: which one a record lands on, and their lineage. */
export declare class ShardMap {
  private constructor();
  /** The even split CreateStream makes for `shardCount` shards. */
  static uniform(shardCount: number): ShardMap;
  /** From a ListShards (or DescribeStream) response, or an array of its shards. */
  static fromListShards(response: object): ShardMap;
  get shards(): ShardInfo[];
  /** The id of the open shard a record goes to. */
  shardFor(partitionKey: string, explicitHashKey?: string | bigint): string;
  /** A decimal ExplicitHashKey inside the given shard; `pick` chooses where in its range. */
  explicitHashKeyIn(shardId: string, pick?: string | bigint): string;
}

export interface UserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: Uint8Array;
}

/** KPL-aggregates user records (see the README). Never exceeds maxBytes per aggregate; a lone or too-large record is returned as it was. */
export declare function aggregate(
  records: { partitionKey: string; explicitHashKey?: string | bigint; data: Uint8Array | string }[],
  options?: { maxBytes?: number; shardMap?: ShardMap },
): { partitionKey: string; explicitHashKey?: string; data: Uint8Array; userRecords: number }[];

/** Reads a Kinesis record as the KCL does: an aggregate gives its user records; anything else comes back as it is. */
export declare function deaggregate(record: { partitionKey: string; explicitHashKey?: string; data: Uint8Array; sequenceNumber?: string }):
  { partitionKey: string; explicitHashKey?: string; data: Uint8Array; subSequenceNumber?: number; sequenceNumber?: string }[];

/** `application/x-amz-json-1.1` */
export declare const CONTENT_TYPE: string;

/** A Kinesis PutRecords body, byte-identical to @aws-sdk/client-kinesis's. */
export declare function encodePutRecords(input: {
  streamName?: string;
  streamArn?: string;
  records: { partitionKey: string; explicitHashKey?: string | bigint; data: Uint8Array | string }[];
}): { target: string; contentType: string; body: Uint8Array };

/** A Firehose PutRecordBatch body. */
export declare function encodePutRecordBatch(input: { deliveryStreamName: string; records: (Uint8Array | string | { data: Uint8Array | string })[] }):
  { target: string; contentType: string; body: Uint8Array };

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ProducerOptions {
  /** Required unless `gateway`. */
  region?: string;
  /** Required unless `gateway`. */
  credentials?: Credentials | (() => Promise<Credentials & { expiration?: Date | number | string }>);
  /** Send JSON events to an ingestion gateway at `endpoint` (examples/cloudflare-worker) instead of to AWS: no credentials in the page. */
  gateway?: boolean;
  endpoint?: string;
  fetch?: typeof fetch;
  aggregation?: boolean;
  lingerMs?: number;
  maxInFlight?: number;
  recordTtlMs?: number;
  maxBufferedBytes?: number;
  maxBufferedRecords?: number;
  onFull?: 'reject' | 'wait';
  ordered?: boolean;
  rateLimitPercent?: number;
  /** The stream's largest record, data plus partition key: 1 MiB (the default) up to 10 MiB for a stream that raised it (UpdateMaxRecordSize). Kinesis only. */
  maxRecordBytes?: number;
  /** How long a request (credentials, signing, fetch and its answer) may take before it is given up on and its records go again: a third of `recordTtlMs`, from 1 s to 30 s, by default. */
  requestTimeoutMs?: number;
  /** In a page: send what is buffered with fetch's keepalive when the page is hidden or goes away (default true). */
  lifecycle?: boolean;
  /** In a page or worker: send nothing while `navigator.onLine` is false, resume on `online` (default true). False for a `fetch` that does not use the network, such as the engine's. */
  pauseWhenOffline?: boolean;
  /** Keep accepted records until acknowledged and resend them after a reload (indexedDbStore from kinesis-edge/persistence). */
  store?: { load(later?: (records: unknown[]) => boolean): Promise<unknown[]>; add(record: unknown): Promise<unknown>; remove(keys: unknown[]): void; stats?(): object; settled?(): Promise<void> };
  onEvent?: (event: { type: 'sent' | 'acknowledged' | 'retried' | 'failed' | 'shardMap' | 'credentialsExpired' | 'networkDown' | 'networkUp'; [key: string]: unknown }) => void;
}

export interface PutResult {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  attempts: number;
}

/**
 * How a record's promise rejects (and `offer`'s refusals): `code` is the
 * AWS code (e.g. `ValidationException`), or the producer's own:
 * `RecordExpired`, `BufferFull`, `Closed`, `InvalidArgument`.
 */
export interface RecordError extends KinesisEdgeError {
  /** Sends tried; 0 for a record that never went out. */
  attempts?: number;
  /**
   * `RecordExpired`: the error of the record's last send or, for one that
   * never went out, what held it back: a failed ListShards, `NetworkError`,
   * `TimeoutError`, `CredentialsProviderError` (a credentials provider that
   * threw) or `InvalidCredentials` (one that answered no keys).
   */
  lastError?: { code: string; message: string };
}

export interface ProducerStats {
  recordsPut: number;
  recordsAcknowledged: number;
  recordsFailed: number;
  recordsExpired: number;
  recordsRetried: number;
  bytesAcknowledged: number;
  requests: number;
  throttles: number;
  transportErrors: number;
  clockCorrections: number;
  bufferedRecords: number;
  bufferedBytes: number;
  latencyMs: { p50: number; p90: number; p99: number };
  perShard: Record<string, number>;
}

/**
 * What `offer` answers: accepted (then `result` settles as `put`'s promise
 * would) or refused at once with the reason. Each side names the other's
 * member as absent, so `offer.accepted ? offer.result : offer.error` reads
 * the right one in TypeScript and in JavaScript alike.
 */
export type Offer =
  | { accepted: true; result: Promise<PutResult>; error?: undefined }
  | { accepted: false; error: RecordError; result?: undefined };

export declare class Producer {
  constructor(options: ProducerOptions & ({ streamName: string } | { gateway: true; endpoint: string }));
  put(data: Uint8Array | ArrayBuffer | ArrayBufferView | string, options?: { partitionKey?: string; explicitHashKey?: string | bigint }): Promise<PutResult>;
  putMany(records: { data: Uint8Array | ArrayBuffer | ArrayBufferView | string; partitionKey?: string; explicitHashKey?: string | bigint }[]): Promise<PutResult[]>;
  /** `put` that never waits: accepted (then delivered, or `result` rejects) or refused at once, with the reason (`BufferFull` too while puts wait for room). */
  offer(data: Uint8Array | ArrayBuffer | ArrayBufferView | string, options?: { partitionKey?: string; explicitHashKey?: string | bigint }):
    Offer;
  /** Sends everything buffered now; resolves when all of it has settled (with a `store`, once it is out of the store too). */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): ProducerStats;
}

export declare class FirehoseProducer {
  constructor(options: ProducerOptions & { deliveryStreamName: string; delimiter?: string | Uint8Array });
  put(data: Uint8Array | ArrayBuffer | ArrayBufferView | string): Promise<PutResult>;
  putMany(records: { data: Uint8Array | string }[]): Promise<PutResult[]>;
  offer(data: Uint8Array | ArrayBuffer | ArrayBufferView | string): Offer;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): ProducerStats;
}
