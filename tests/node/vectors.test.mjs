// AWS's public SigV4 vectors through the built package's public API in
// Node: one subtest per case and form, stage by stage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../pkg/node.js';
import { loadV4Vectors } from '../js/vectors.mjs';
import { checkVector, checkErrors } from '../js/vector-check.mjs';

const vectors = loadV4Vectors();

test('the v4 suite has every case', () => {
  assert.equal(vectors.length, 38);
});

for (const vector of vectors) {
  for (const form of ['header', 'query']) {
    test(`v4 ${vector.name} (${form})`, () => {
      assert.deepEqual(checkVector(api, vector, form), []);
    });
  }
}

test('bad input throws Errors with codes, never showing secrets', () => {
  assert.deepEqual(checkErrors(api), []);
});
