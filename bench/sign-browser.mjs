// `make bench` (headless Chromium): the signing comparison in a page.
import { runInBrowser } from './in-browser.mjs';

await runInBrowser({ peers: 'browser-peers.mjs', peersPath: '/bench/peers.js', page: 'browser-page.mjs', rounds: process.env.ROUNDS ?? 7 });
