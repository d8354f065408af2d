// `make bench` (headless Chromium): the producer comparison in a page.
import { runInBrowser } from './in-browser.mjs';

await runInBrowser({
  peers: 'producer-browser-peers.mjs', peersPath: '/bench/producer-peers.js', page: 'producer-browser-page.mjs',
  rounds: process.env.ROUNDS ?? 5, timeoutMs: 900_000,
});
