// Runs AWS's SigV4 v4 vectors through the package's public JS API, stage by
// stage. No Node APIs: the same module runs in Node, a page, a Web Worker
// and workerd. Returns failures as strings (empty when every stage matched).

function parseRequest(text) {
  const split = text.indexOf('\n\n');
  const head = split === -1 ? text.replace(/\n+$/, '') : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 2);
  const lines = head.split('\n');
  const requestLine = lines.shift();
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(method.length + 1, requestLine.length - ' HTTP/1.1'.length);
  const headers = [];
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) headers[headers.length - 1][1] += '\n' + line;
    else {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return { method, target, lines, headers, body };
}

function setHeader(lines, name, value) {
  const i = lines.findIndex((l) => !/^[ \t]/.test(l) && l.slice(0, l.indexOf(':')).toLowerCase() === name.toLowerCase());
  if (i === -1) lines.push(`${name}:${value}`);
  else lines[i] = `${name}:${value}`;
}

/** Checks one vector in one form ('header' | 'query'); returns failures. */
export function checkVector(api, vector, form) {
  const ctx = vector.context;
  const req = parseRequest(vector.request);
  const host = req.headers.find(([n]) => n.toLowerCase() === 'host')[1].trim();
  const input = {
    method: req.method,
    url: `https://${host}${req.target}`,
    headers: req.headers,
    body: req.body,
    region: ctx.region,
    service: ctx.service,
    credentials: {
      accessKeyId: ctx.credentials.access_key_id,
      secretAccessKey: ctx.credentials.secret_access_key,
      sessionToken: ctx.credentials.token,
    },
    signingDate: ctx.timestamp,
    normalizePath: ctx.normalize,
    signPayloadHeader: ctx.sign_body,
    sessionTokenPlacement: ctx.omit_session_token ? 'appended' : 'signed',
  };
  const want = vector[form];
  const failures = [];
  const expect = (stage, got, expected) => {
    if (got !== expected) failures.push(`${vector.name} ${form} ${stage}:\n  got      ${JSON.stringify(got)}\n  expected ${JSON.stringify(expected)}`);
  };
  let signedRequest;
  if (form === 'header') {
    const out = api.signRequest(input);
    expect('canonical request', out.canonicalRequest, want.canonicalRequest);
    expect('string to sign', out.stringToSign, want.stringToSign);
    expect('signature', out.signature, want.signature);
    expect('authorization', out.authorization, out.headers.find(([n]) => n === 'Authorization')[1]);
    const lines = req.lines.slice();
    for (const [name, value] of out.headers) setHeader(lines, name, value);
    signedRequest = [`${req.method} ${req.target} HTTP/1.1`, ...lines].join('\n');
  } else {
    const out = api.presignUrl({ ...input, expiresIn: ctx.expiration_in_seconds });
    expect('canonical request', out.canonicalRequest, want.canonicalRequest);
    expect('string to sign', out.stringToSign, want.stringToSign);
    expect('signature', out.signature, want.signature);
    const target = out.url.slice(`https://${host}`.length);
    signedRequest = [`${req.method} ${target} HTTP/1.1`, ...req.lines].join('\n');
  }
  expect('signed request', `${signedRequest}\n\n${req.body}`, want.signedRequest);
  return failures;
}

/** Every vector in both forms; returns { checked, failures }. */
export function checkAllVectors(api, vectors) {
  const failures = [];
  let checked = 0;
  for (const vector of vectors) {
    for (const form of ['header', 'query']) {
      failures.push(...checkVector(api, vector, form));
      checked++;
    }
  }
  return { checked, failures };
}

/** Bad input must throw an Error with the right `code`; returns failures. */
export function checkErrors(api) {
  const base = {
    method: 'POST',
    url: 'https://kinesis.us-east-1.amazonaws.com/',
    region: 'us-east-1',
    service: 'kinesis',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'TOPSECRET', sessionToken: 'SESSIONTOKEN' },
    signingDate: 0,
  };
  const cases = [
    ['signRequest', { ...base, method: 'PO ST' }, 'InvalidMethod'],
    ['signRequest', { ...base, method: 7 }, 'InvalidMethod'],
    ['signRequest', { ...base, url: '/relative' }, 'InvalidUrl'],
    ['signRequest', { ...base, url: 'kinesis.us-east-1.amazonaws.com' }, 'InvalidUrl'],
    ['signRequest', { ...base, credentials: undefined }, 'InvalidCredentials'],
    ['signRequest', { ...base, credentials: { accessKeyId: 'AKID' } }, 'InvalidCredentials'],
    ['signRequest', { ...base, credentials: { accessKeyId: '', secretAccessKey: 'x' } }, 'InvalidCredentials'],
    ['signRequest', { ...base, signingDate: 'yesterday' }, 'InvalidSigningDate'],
    ['signRequest', { ...base, signingDate: new Date('nope') }, 'InvalidSigningDate'],
    ['signRequest', { ...base, signingDate: {} }, 'InvalidSigningDate'],
    ['signRequest', { ...base, headers: [['bad name', 'x']] }, 'InvalidHeader'],
    ['signRequest', { ...base, headers: 'x' }, 'InvalidHeader'],
    ['signRequest', { ...base, body: 42 }, 'InvalidBody'],
    ['signRequest', { ...base, region: '' }, 'InvalidScope'],
    ['signRequest', { ...base, normalizePath: 'yes' }, 'InvalidOption'],
    ['signRequest', { ...base, sessionTokenPlacement: 'header' }, 'InvalidOption'],
    ['signRequest', null, 'InvalidInput'],
    ['presignUrl', { ...base, expiresIn: 0 }, 'InvalidExpiresIn'],
    ['presignUrl', { ...base, expiresIn: 604801 }, 'InvalidExpiresIn'],
    ['presignUrl', { ...base, expiresIn: 1.5 }, 'InvalidExpiresIn'],
    ['presignUrl', { ...base }, 'InvalidExpiresIn'],
  ];
  const failures = [];
  for (const [fn, input, code] of cases) {
    try {
      api[fn](input);
      failures.push(`${fn}(${JSON.stringify(input)}) did not throw (expected ${code})`);
    } catch (e) {
      if (!(e instanceof Error)) failures.push(`${fn}: threw a non-Error ${String(e)}`);
      else if (e.code !== code) failures.push(`${fn}: expected code ${code}, got ${e.code} (${e.message})`);
      else if (!e.message) failures.push(`${fn}: error without a message`);
      else if (/TOPSECRET|SESSIONTOKEN/.test(e.message + e.stack)) failures.push(`${fn}: the error shows a secret`);
    }
  }
  // The edges of the range are accepted.
  for (const expiresIn of [1, 604800]) {
    try {
      api.presignUrl({ ...base, expiresIn });
    } catch (e) {
      failures.push(`presignUrl rejected expiresIn ${expiresIn}: ${e.message}`);
    }
  }
  return failures;
}

/** A fixed set of Kinesis and Firehose requests, for cross-runtime comparison. */
export function kinesisRequests() {
  const out = [];
  const creds = [
    { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    { accessKeyId: 'ASIAXAMPLE', secretAccessKey: 'secret+/=', sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==' },
  ];
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'cn-north-1'];
  for (let i = 0; i < 24; i++) {
    const firehose = i % 3 === 2;
    const region = regions[i % regions.length];
    const records = [];
    for (let r = 0; r < 1 + (i % 5); r++) records.push({ Data: btoa(`event ${i}.${r} \u00e9\u4e2d`.replace(/[^\x00-\xff]/g, '?')), PartitionKey: `user-${i}-${r}` });
    const body = firehose
      ? JSON.stringify({ DeliveryStreamName: `stream-${i}`, Records: records.map(({ Data }) => ({ Data })) })
      : JSON.stringify({ StreamName: `stream-${i}`, Records: records });
    out.push({
      method: 'POST',
      url: `https://${firehose ? 'firehose' : 'kinesis'}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`,
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': firehose ? 'Firehose_20150804.PutRecordBatch' : 'Kinesis_20131202.PutRecords',
      },
      body: i % 2 ? body : new TextEncoder().encode(body),
      region,
      service: firehose ? 'firehose' : 'kinesis',
      credentials: creds[i % 2],
      signingDate: 1_700_000_000_000 + i * 86_399_123,
    });
  }
  return out;
}

/**
 * Shard routing, aggregation and wire encoding, summarized as plain data:
 * every runtime must produce exactly what Node produces.
 */
export function routingSample(api) {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const map = api.ShardMap.uniform(7);
  const records = Array.from({ length: 60 }, (_, i) => ({ partitionKey: `user-${i % 9}-é`, data: new Uint8Array([i, i >> 1, 255 - i]) }));
  const aggregates = api.aggregate(records, { shardMap: map, maxBytes: 200 });
  return {
    hashKeys: ['a', 'séssion-42', '😀'.repeat(256)].map((k) => api.hashKeyOf(k)),
    shards: records.map((r) => map.shardFor(r.partitionKey)),
    aggregates: aggregates.map((a) => [a.partitionKey, a.explicitHashKey ?? null, a.userRecords, hex(a.data)]),
    deaggregated: aggregates.flatMap((a) => api.deaggregate(a).map((u) => [u.partitionKey, hex(u.data)])),
    putRecords: hex(api.encodePutRecords({ streamName: 's', records: records.slice(0, 5) }).body),
  };
}
