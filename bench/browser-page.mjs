// Runs in headless Chromium: kinesis-edge against aws4fetch (WebCrypto)
// and @smithy/signature-v4 + @aws-crypto/sha256-js, interleaved.
import { signRequest, signRequestAsync } from '/pkg/browser.js';
import { SignatureV4, Sha256, AwsV4Signer } from '/bench/peers.js';
import { compare, putRecordsBody, formatTable, fixture } from '/bench/harness.mjs';

const { credentials, region, host, headers, date, amzDate } = fixture;
const smithy = new SignatureV4({ credentials, region, service: 'kinesis', sha256: Sha256, applyChecksum: false });
const aws4fetchCache = new Map();
const rounds = Number(new URLSearchParams(location.search).get('rounds') ?? 7);

const out = [`Signing a Kinesis PutRecords request in ${navigator.userAgent.match(/(Headless)?Chrome\/[\d.]+/)[0]} (medians of ${rounds} interleaved rounds)`, ''];
for (const [label, bytes] of [['1 KB', 1024], ['64 KB', 65536], ['1 MB', 1 << 20], ['5 MB', 5 << 20]]) {
  const body = new TextEncoder().encode(putRecordsBody(bytes));
  const input = { method: 'POST', url: `https://${host}/`, headers, body, region, service: 'kinesis', credentials, signingDate: date };
  const results = await compare(
    [
      ['kinesis-edge', () => signRequest(input)],
      ['kinesis-edge (async)', () => signRequestAsync(input)],
      ['aws4fetch (WebCrypto)', () => new AwsV4Signer({ method: 'POST', url: `https://${host}/`, headers, body, ...credentials, service: 'kinesis', region, datetime: amzDate, cache: aws4fetchCache }).sign()],
      ['@smithy/signature-v4 + sha256-js', () => smithy.sign({ method: 'POST', protocol: 'https:', hostname: host, path: '/', query: {}, headers: { host, ...headers }, body }, { signingDate: date })],
    ],
    { rounds, sliceMs: bytes >= 1 << 20 ? 400 : 150 },
  );
  out.push(formatTable(`body ${label} (${body.length} bytes)`, results), '');
}
window.__bench = out.join('\n');
