// The signing playground: reads the form, signs with the package's public
// API (signRequest / presignUrl), and shows every stage.
import { signRequest, presignUrl } from '/pkg/browser.js';

const form = document.getElementById('request');
const $ = (id) => document.getElementById(id);

form.signingDate.value = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function parseHeaders(text) {
  const headers = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon < 1) throw Object.assign(new Error(`"${line}" is not a "Name: value" header line`), { code: 'InvalidHeader' });
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

function input() {
  const f = form.elements;
  const credentials = { accessKeyId: f.accessKeyId.value, secretAccessKey: f.secretAccessKey.value };
  if (f.sessionToken.value) credentials.sessionToken = f.sessionToken.value;
  return {
    method: f.method.value,
    url: f.url.value,
    headers: parseHeaders(f.headers.value),
    body: f.body.value,
    region: f.region.value,
    service: f.service.value,
    credentials,
    signingDate: f.signingDate.value,
  };
}

// JSON, with [name, value] pairs kept on one line.
const pretty = (value) =>
  JSON.stringify(value, null, 2).replace(/\[\s+("(?:[^"\\]|\\.)*"),\s+("(?:[^"\\]|\\.)*")\s+\]/g, '[$1, $2]');

function codeFor(req, mode, expiresIn) {
  const shown = { ...req, credentials: { accessKeyId: '…', secretAccessKey: '…' } };
  if (mode === 'query') {
    return `import { presignUrl } from 'kinesis-edge';\n\nconst { url } = presignUrl(${pretty({ ...shown, expiresIn })});`;
  }
  return `import { signRequest } from 'kinesis-edge';\n\nconst request = ${pretty(shown)};\nconst { headers } = signRequest(request);\n` +
    'await fetch(request.url, { method: request.method, headers: [...request.headers, ...headers], body: request.body });';
}

function render() {
  const error = $('error');
  try {
    const req = input();
    const mode = form.elements.mode.value;
    const expiresIn = Number(form.elements.expiresIn.value);
    const t0 = performance.now();
    const out = mode === 'query' ? presignUrl({ ...req, expiresIn }) : signRequest(req);
    const dt = performance.now() - t0;
    $('canonicalRequest').textContent = out.canonicalRequest;
    $('stringToSign').textContent = out.stringToSign;
    $('signature').textContent = out.signature;
    $('result-title').textContent = mode === 'query' ? 'The presigned URL' : 'Headers to add';
    $('result').textContent = mode === 'query' ? out.url : out.headers.map(([n, v]) => `${n}: ${v}`).join('\n');
    $('code').textContent = codeFor(req, mode, expiresIn);
    $('timing').textContent = `${(dt * 1000).toFixed(0)} µs`;
    error.hidden = true;
    document.body.dataset.signature = out.signature;
  } catch (e) {
    error.textContent = `${e.code ?? 'Error'}: ${e.message}`;
    error.hidden = false;
    delete document.body.dataset.signature;
  }
}

form.addEventListener('input', render);
form.addEventListener('submit', (e) => e.preventDefault());
render();
document.body.dataset.ready = 'true';
