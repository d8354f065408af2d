// `make bench` (Node): signing a Kinesis PutRecords request, kinesis-edge
// against aws4 (node:crypto), aws4fetch (WebCrypto) and
// @smithy/signature-v4 with @aws-crypto/sha256-js and with @smithy/hash-node,
// interleaved in one process, medians of 7 rounds, printed as ratios.
import { createRequire } from 'node:module';
import { signRequest } from '../pkg/node.js';
import { compare, putRecordsBody, formatTable, fixture } from './harness.mjs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const aws4 = require('aws4');
const { AwsV4Signer } = await import(require.resolve('aws4fetch'));
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { Hash } = require('@smithy/hash-node');

const { credentials, region, host, headers, date, amzDate } = fixture;
const smithyJs = new SignatureV4({ credentials, region, service: 'kinesis', sha256: Sha256, applyChecksum: false });
const smithyNode = new SignatureV4({ credentials, region, service: 'kinesis', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });

// aws4fetch's AwsClient keeps derived keys in a Map; share one, as a client would.
const aws4fetchCache = new Map();

const sizes = [['1 KB', 1024], ['64 KB', 64 * 1024], ['1 MB', 1024 * 1024], ['5 MB', 5 * 1024 * 1024]];
const rounds = Number(process.env.ROUNDS ?? 7);
console.log(`Signing a Kinesis PutRecords request in Node ${process.version} (medians of ${rounds} interleaved rounds)\n`);
for (const [label, bytes] of sizes) {
  const body = new TextEncoder().encode(putRecordsBody(bytes));
  const smithyRequest = () => ({ method: 'POST', protocol: 'https:', hostname: host, path: '/', query: {}, headers: { host, ...headers }, body });
  const results = await compare(
    [
      ['kinesis-edge', () => signRequest({ method: 'POST', url: `https://${host}/`, headers, body, region, service: 'kinesis', credentials, signingDate: date })],
      ['aws4 (node:crypto)', () => aws4.sign({ host, path: '/', method: 'POST', service: 'kinesis', region, headers: { ...headers, 'X-Amz-Date': amzDate }, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }, credentials)],
      ['aws4fetch (WebCrypto)', () => new AwsV4Signer({ method: 'POST', url: `https://${host}/`, headers, body, ...credentials, service: 'kinesis', region, datetime: amzDate, cache: aws4fetchCache }).sign()],
      ['@smithy/signature-v4 + sha256-js', () => smithyJs.sign(smithyRequest(), { signingDate: date })],
      ['@smithy/signature-v4 + hash-node', () => smithyNode.sign(smithyRequest(), { signingDate: date })],
    ],
    { rounds, sliceMs: bytes >= 1 << 20 ? 400 : 150 },
  );
  console.log(formatTable(`body ${label} (${body.length} bytes)`, results));
  console.log();
}
