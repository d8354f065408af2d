// Loads AWS's SigV4 v4 suite (tests/vectors) into plain objects, in Node.
// Browsers and workerd get the same objects as JSON.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const V4_DIR = fileURLToPath(new URL('../vectors/sigv4/aws-signing-test-suite/v4/', import.meta.url));

export function loadV4Vectors() {
  return readdirSync(V4_DIR).sort().map((name) => {
    const read = (f) => readFileSync(join(V4_DIR, name, f), 'utf8');
    const files = {};
    for (const form of ['header', 'query']) {
      files[form] = {
        canonicalRequest: read(`${form}-canonical-request.txt`),
        stringToSign: read(`${form}-string-to-sign.txt`),
        signature: read(`${form}-signature.txt`),
        signedRequest: read(`${form}-signed-request.txt`),
      };
    }
    return { name, context: JSON.parse(read('context.json')), request: read('request.txt'), ...files };
  });
}
