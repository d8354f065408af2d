// The shapes of signRequest / presignUrl and their input forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { signRequest, presignUrl, signRequestAsync } from '../../pkg/node.js';

const base = {
  method: 'POST',
  url: 'https://kinesis.us-east-1.amazonaws.com/',
  headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.PutRecords' },
  body: '{"StreamName":"s","Records":[]}',
  region: 'us-east-1',
  service: 'kinesis',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  signingDate: Date.UTC(2026, 10, 26, 12, 0, 0),
};

test('signRequest returns the documented shape', () => {
  const out = signRequest(base);
  assert.deepEqual(Object.keys(out).sort(), ['authorization', 'canonicalRequest', 'headers', 'signature', 'signedHeaders', 'stringToSign']);
  assert.deepEqual(out.headers.map(([n]) => n), ['X-Amz-Date', 'Authorization']);
  assert.equal(out.headers[0][1], '20261126T120000Z');
  assert.match(out.signature, /^[0-9a-f]{64}$/);
  assert.equal(out.signedHeaders, 'content-type;host;x-amz-date;x-amz-target');
  assert.equal(
    out.authorization,
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/kinesis/aws4_request, SignedHeaders=${out.signedHeaders}, Signature=${out.signature}`,
  );
  const hash = createHash('sha256').update(base.body).digest('hex');
  assert.ok(out.canonicalRequest.endsWith(`\n${hash}`));
  const creqHash = createHash('sha256').update(out.canonicalRequest).digest('hex');
  assert.equal(out.stringToSign, `AWS4-HMAC-SHA256\n20261126T120000Z\n20261126/us-east-1/kinesis/aws4_request\n${creqHash}`);
});

test('every input form of headers, body and date gives the same signature', () => {
  const want = signRequest(base).signature;
  const bytes = new TextEncoder().encode(base.body);
  const variants = [
    { headers: Object.entries(base.headers) },
    { headers: new Headers(base.headers) },
    { body: bytes },
    { body: bytes.buffer },
    { body: new DataView(bytes.buffer) },
    { signingDate: new Date(base.signingDate) },
    { signingDate: '2026-11-26T12:00:00Z' },
    { signingDate: '2026-11-26T13:00:00+01:00' },
    { signingDate: '20261126T120000Z' },
    { method: 'post' },
    { url: 'https://KINESIS.us-east-1.amazonaws.com:443/' },
    { headers: { ...base.headers, 'User-Agent': 'x', 'X-Amz-Date': '19990101T000000Z' } },
  ];
  for (const v of variants) assert.equal(signRequest({ ...base, ...v }).signature, want, JSON.stringify(Object.keys(v)));
});

test('large bodies hashed natively give the same signature as in wasm', async () => {
  const big = new Uint8Array(300_000).map((_, i) => i * 7);
  const hash = createHash('sha256').update(big).digest('hex');
  const viaHash = signRequest({ ...base, body: undefined, payloadHash: hash });
  assert.equal(signRequest({ ...base, body: big }).signature, viaHash.signature);
  assert.equal((await signRequestAsync({ ...base, body: big })).signature, viaHash.signature);
  // A caller's x-amz-content-sha256 outranks the body's hash.
  const s3 = { ...base, service: 's3', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: big };
  assert.ok(signRequest(s3).canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD'));
});

test('temporary credentials: token signed by default, or appended', () => {
  const credentials = { ...base.credentials, sessionToken: 'TOKEN/+=' };
  const signed = signRequest({ ...base, credentials });
  assert.deepEqual(signed.headers.map(([n]) => n), ['X-Amz-Security-Token', 'X-Amz-Date', 'Authorization']);
  assert.ok(signed.signedHeaders.includes('x-amz-security-token'));
  const appended = signRequest({ ...base, credentials, sessionTokenPlacement: 'appended' });
  assert.ok(!appended.signedHeaders.includes('x-amz-security-token'));
  assert.equal(appended.headers[0][1], 'TOKEN/+=');
  const url = presignUrl({ ...base, credentials, expiresIn: 60 }).url;
  assert.ok(url.includes('&X-Amz-Security-Token=TOKEN%2F%2B%3D&X-Amz-Signature='));
});

test('presignUrl returns the documented shape', () => {
  const out = presignUrl({ ...base, method: 'GET', body: undefined, url: 'https://kinesis.us-east-1.amazonaws.com/?a=b', expiresIn: 300 });
  assert.deepEqual(Object.keys(out).sort(), ['canonicalRequest', 'signature', 'signedHeaders', 'stringToSign', 'url']);
  const url = new URL(out.url);
  assert.equal(url.searchParams.get('a'), 'b');
  assert.equal(url.searchParams.get('X-Amz-Expires'), '300');
  assert.equal(url.searchParams.get('X-Amz-Credential'), 'AKIDEXAMPLE/20261126/us-east-1/kinesis/aws4_request');
  assert.equal(url.searchParams.get('X-Amz-Signature'), out.signature);
});

test('s3 defaults: no normalization, single encoding, x-amz-content-sha256', () => {
  const out = signRequest({ ...base, service: 's3', url: 'https://b.s3.amazonaws.com/a//b%20c', headers: {} });
  assert.ok(out.canonicalRequest.startsWith('POST\n/a//b%20c\n'));
  assert.ok(out.headers.some(([n]) => n === 'x-amz-content-sha256'));
  const overridden = signRequest({ ...base, service: 's3', url: 'https://b.s3.amazonaws.com/a//b%20c', headers: {}, normalizePath: true, doubleEncodePath: true, signPayloadHeader: false });
  assert.ok(overridden.canonicalRequest.startsWith('POST\n/a/b%2520c\n'));
  assert.ok(!overridden.headers.some(([n]) => n === 'x-amz-content-sha256'));
});

test('a body in a transferred (detached) buffer is refused with InvalidBody, not signed as empty', async () => {
  const buffer = new ArrayBuffer(4);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  for (const body of [buffer, view]) {
    assert.throws(() => signRequest({ ...base, body }), { code: 'InvalidBody', message: /detached/ });
    await assert.rejects(signRequestAsync({ ...base, body }), { code: 'InvalidBody', message: /detached/ });
  }
});

test('a signing error says its code once: in `code`, not again in the message', () => {
  assert.throws(() => signRequest({ ...base, url: '/relative' }), { code: 'InvalidUrl', message: /^expected an absolute URL/ });
  assert.throws(() => signRequest({ ...base, method: 'PO ST' }), (e) => e.code === 'InvalidMethod' && !e.message.startsWith('InvalidMethod'));
});
