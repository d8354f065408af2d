// Runs inside workerd (`workerd test`): imports the package by name, as a
// Worker module would, and checks it like the Node and browser tests do.
import * as api from 'kinesis-edge';
import { checkAllVectors, checkErrors, kinesisRequests, routingSample } from 'vector-check.mjs';
import vectors from 'vectors.json';
import expected from 'expected.json';
import expectedRouting from 'routing.json';

export default {
  async test() {
    const failures = [];
    if (typeof window !== 'undefined') failures.push('workerd should have no window');
    const { checked, failures: vectorFailures } = checkAllVectors(api, vectors);
    failures.push(...vectorFailures, ...checkErrors(api));
    if (checked !== 76) failures.push(`checked ${checked} vector forms, expected 76`);
    const signatures = kinesisRequests().map((r) => api.signRequest(r).authorization);
    for (let i = 0; i < expected.length; i++) {
      if (signatures[i] !== expected[i]) failures.push(`request ${i}: workerd signed ${signatures[i]}, Node signed ${expected[i]}`);
    }
    const big = { ...kinesisRequests()[0], body: new Uint8Array(100000).fill(1) };
    if ((await api.signRequestAsync(big)).signature !== api.signRequest(big).signature) failures.push('signRequestAsync differs');
    if (JSON.stringify(routingSample(api)) !== JSON.stringify(expectedRouting)) failures.push('routing, aggregation or encoding differs from Node');
    if (failures.length) throw new Error(failures.join('\n'));
    console.log(`workerd: ${checked} vector forms and ${expected.length} Kinesis/Firehose signatures match`);
  },
};
