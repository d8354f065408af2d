// Bundled by esbuild for the browser producer benchmark: the AWS SDK's
// Kinesis client as a page ships it (its browser build hashes with
// WebCrypto).
export { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
