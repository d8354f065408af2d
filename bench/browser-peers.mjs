// Bundled by esbuild for the browser benchmark: the AWS SDK's signer with
// its pure-JS SHA-256, as a page would ship it.
export { SignatureV4 } from '@smithy/signature-v4';
export { Sha256 } from '@aws-crypto/sha256-js';
export { AwsV4Signer } from 'aws4fetch';
