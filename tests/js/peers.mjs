// Independent SigV4 signers, driven with matched header sets. Each returns
// { authorization, headers } for the same logical request, so the caller
// can give kinesis-edge the exact header set the peer signed.
import aws4 from 'aws4';
import { AwsV4Signer } from 'aws4fetch';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { Sha256 } from '@aws-crypto/sha256-js';

export function amzDate(ms) {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** aws4 (node:crypto). */
export function signAws4(req) {
  const url = new URL(req.url);
  const opts = {
    host: url.host,
    path: url.pathname + url.search,
    method: req.method,
    service: req.service,
    region: req.region,
    headers: { ...req.headers, 'X-Amz-Date': amzDate(req.signingDate) },
    body: typeof req.body === 'string' ? req.body : Buffer.from(req.body ?? ''),
  };
  aws4.sign(opts, req.credentials);
  return { authorization: opts.headers.Authorization, headers: opts.headers };
}

/** aws4fetch (WebCrypto). */
export async function signAws4fetch(req) {
  const signer = new AwsV4Signer({
    method: req.method,
    url: req.url,
    headers: req.headers,
    body: req.body,
    ...req.credentials,
    service: req.service,
    region: req.region,
    datetime: amzDate(req.signingDate),
  });
  const signed = await signer.sign();
  return { authorization: signed.headers.get('Authorization'), headers: Object.fromEntries(signed.headers) };
}

/** @smithy/signature-v4, the AWS SDK for JavaScript v3's signer. */
export async function signSmithy(req, hasher = 'node') {
  const url = new URL(req.url);
  const signer = new SignatureV4({
    credentials: req.credentials,
    region: req.region,
    service: req.service,
    sha256: hasher === 'node' ? Hash.bind(null, 'sha256') : Sha256,
    applyChecksum: false,
  });
  const query = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { host: url.host, ...req.headers },
      body: req.body,
    },
    { signingDate: new Date(req.signingDate) },
  );
  return { authorization: signed.headers.authorization, headers: signed.headers };
}

/** The headers a peer signed, minus those kinesis-edge adds itself. */
export function matchedHeaders(peer) {
  const signed = /SignedHeaders=([^,]+)/.exec(peer.authorization)[1].split(';');
  const ours = new Set(['host', 'x-amz-date', 'x-amz-security-token']);
  const out = [];
  for (const [name, value] of Object.entries(peer.headers)) {
    const lower = name.toLowerCase();
    if (signed.includes(lower) && !ours.has(lower)) out.push([name, String(value)]);
  }
  return out;
}

/** A seeded PRNG (mulberry32), so a failure can be replayed. */
export function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
