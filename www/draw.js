// The tutorial's pictures, drawn as SVG: the hash key space split into
// shards, the lineage of a resharded stream, and a chart per shard.
const NS = 'http://www.w3.org/2000/svg';
const SPACE = 2n ** 128n;

/** A shard id's number ("shardId-000000000012" → 12). */
export const shardNumber = (id) => Number(id.slice(id.lastIndexOf('-') + 1));
/** A short label for a shard id. */
export const shortId = (id) => `shard ${shardNumber(id)}`;
/** The position (0..1) of a hash key in the hash key space. */
export const position = (hashKey) => Number((BigInt(hashKey) * 1_000_000n) / SPACE) / 1_000_000;
/** A shard's colour, stable across redraws. */
export const colour = (id) => PALETTE[shardNumber(id) % PALETTE.length];
// Dark enough for white labels.
const PALETTE = ['#1f6fb2', '#b4480b', '#2e7d32', '#8e24aa', '#c62860', '#00796b', '#5d4037', '#3949ab', '#827717', '#6a1b9a'];

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// Drawn in the SVG's own pixels (so text keeps its size on a phone); 1,000
// wide while hidden.
function widthOf(svg) {
  const w = Math.round(svg.getBoundingClientRect().width);
  return w > 0 ? Math.max(300, w) : 1000;
}

/**
 * The open shards as a bar over the hash key space. `markers` are
 * [{ hashKey, label }]; `highlight` is a shard id drawn emphasised.
 */
export function drawHashBar(svg, shards, { markers = [], highlight } = {}) {
  const W = widthOf(svg);
  const H = 74;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  for (const s of shards.filter((s) => s.open)) {
    const x0 = position(s.startingHashKey) * W;
    const x1 = (position(s.endingHashKey) + 1e-6) * W;
    const g = el('g', { 'data-shard': s.shardId, class: s.shardId === highlight ? 'hl' : '' });
    g.append(el('rect', { x: x0, y: 18, width: Math.max(1, x1 - x0), height: 34, fill: colour(s.shardId), opacity: highlight && s.shardId !== highlight ? 0.35 : 0.9, stroke: '#fff', 'stroke-width': 2 }));
    g.append(el('title', {}, `${s.shardId}: ${s.startingHashKey} … ${s.endingHashKey}`));
    if (x1 - x0 > 56) g.append(el('text', { x: (x0 + x1) / 2, y: 40, 'text-anchor': 'middle', class: 'on-bar' }, shortId(s.shardId)));
    svg.append(g);
  }
  svg.append(el('text', { x: 0, y: 68, class: 'axis' }, '0'));
  svg.append(el('text', { x: W, y: 68, 'text-anchor': 'end', class: 'axis' }, '2¹²⁸ − 1'));
  svg.append(el('text', { x: W / 2, y: 68, 'text-anchor': 'middle', class: 'axis' }, '2¹²⁷'));
  for (const m of markers) {
    const x = position(m.hashKey) * W;
    const g = el('g', { class: 'marker', 'data-position': position(m.hashKey).toFixed(6) });
    g.append(el('line', { x1: x, x2: x, y1: 14, y2: 56, stroke: '#111', 'stroke-width': 3 }));
    if (m.label) g.append(el('text', { x: Math.min(W - 4, Math.max(4, x)), y: 10, 'text-anchor': x < 100 ? 'start' : x > W - 100 ? 'end' : 'middle', class: 'marker-label' }, m.label));
    svg.append(g);
  }
}

/**
 * Every shard, open and closed: one row per generation (a child is one row
 * below its lowest parent), each drawn over its hash range, with lines from
 * parents to children.
 */
export function drawLineage(svg, shards) {
  const W = widthOf(svg);
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const depth = new Map();
  const depthOf = (s) => {
    if (depth.has(s.shardId)) return depth.get(s.shardId);
    const parents = [s.parentShardId, s.adjacentParentShardId].filter((p) => p && byId.has(p));
    const d = parents.length ? Math.max(...parents.map((p) => depthOf(byId.get(p)))) + 1 : 0;
    depth.set(s.shardId, d);
    return d;
  };
  shards.forEach(depthOf);
  const rows = Math.max(0, ...depth.values()) + 1;
  const ROW = 44;
  svg.setAttribute('viewBox', `0 0 ${W} ${rows * ROW + 4}`);
  svg.replaceChildren();
  const box = (s) => {
    const x0 = position(s.startingHashKey) * W;
    const x1 = (position(s.endingHashKey) + 1e-6) * W;
    return { x0, x1, y: depth.get(s.shardId) * ROW + 4 };
  };
  for (const s of shards) {
    for (const p of [s.parentShardId, s.adjacentParentShardId]) {
      if (!p || !byId.has(p)) continue;
      const a = box(byId.get(p));
      const b = box(s);
      svg.append(el('line', { x1: (a.x0 + a.x1) / 2, y1: a.y + 30, x2: (b.x0 + b.x1) / 2, y2: b.y, stroke: '#889', 'stroke-width': 1.5 }));
    }
  }
  for (const s of shards) {
    const { x0, x1, y } = box(s);
    const g = el('g', { 'data-shard': s.shardId, 'data-open': s.open, 'data-depth': depth.get(s.shardId) });
    g.append(el('rect', { x: x0 + 1, y, width: Math.max(1, x1 - x0 - 2), height: 30, rx: 4, fill: s.open ? colour(s.shardId) : '#c9ccd2' }));
    g.append(el('title', {}, `${s.shardId}${s.open ? '' : ' (closed)'}${s.parentShardId ? `, parent ${s.parentShardId}` : ''}${s.adjacentParentShardId ? ` and ${s.adjacentParentShardId}` : ''}`));
    if (x1 - x0 > 56) g.append(el('text', { x: (x0 + x1) / 2, y: y + 20, 'text-anchor': 'middle', class: s.open ? 'on-bar' : 'on-closed' }, shortId(s.shardId)));
    svg.append(g);
  }
}

/**
 * A chart per shard of the last samples: records/s and bytes/s as a share of
 * the shard's write limits (the dashed line is 100 %), throttles as red bars.
 * `series` maps shard id → [{ records, bytes, throttles }] per second.
 */
export function drawCharts(container, series, { limitRecords, limitBytes, window }) {
  const CW = 300;
  const CH = 90;
  const top = 1.5; // the chart shows up to 150 % of the limit
  const y = (share) => CH - (Math.min(share, top) / top) * CH;
  const seen = new Set();
  for (const [shardId, samples] of series) {
    seen.add(shardId);
    let fig = container.querySelector(`figure[data-shard="${shardId}"]`);
    if (!fig) {
      fig = document.createElement('figure');
      fig.dataset.shard = shardId;
      fig.className = 'chart';
      fig.append(document.createElement('figcaption'), el('svg', { viewBox: `0 0 ${CW} ${CH}`, role: 'img', 'aria-label': `Writes to ${shardId}` }));
      container.append(fig);
    }
    const svg = fig.querySelector('svg');
    svg.replaceChildren();
    const dx = CW / (window - 1);
    const offset = window - samples.length;
    samples.forEach((s, i) => {
      if (s.throttles > 0) {
        const h = Math.min(CH, 8 + (s.throttles / limitRecords) * CH);
        svg.append(el('rect', { x: (offset + i) * dx - dx / 2, y: CH - h, width: dx, height: h, class: 'throttle' }));
      }
    });
    const line = (key, limit, cls) => {
      const points = samples.map((s, i) => `${((offset + i) * dx).toFixed(1)},${y(s[key] / limit).toFixed(1)}`).join(' ');
      if (samples.length > 1) svg.append(el('polyline', { points, class: cls }));
    };
    line('bytes', limitBytes, 'byt');
    line('records', limitRecords, 'rec');
    svg.append(el('line', { x1: 0, x2: CW, y1: y(1), y2: y(1), class: 'limit' }));
    const last = samples[samples.length - 1] ?? { records: 0, bytes: 0, throttles: 0 };
    fig.dataset.records = last.records;
    fig.dataset.bytes = last.bytes;
    fig.dataset.throttles = last.throttles;
    fig.dataset.throttled = samples.reduce((n, s) => n + s.throttles, 0);
    fig.querySelector('figcaption').textContent =
      `${shortId(shardId)}: ${last.records} rec/s (${Math.round((last.records / limitRecords) * 100)} %), ` +
      `${(last.bytes / 1024).toFixed(0)} KiB/s (${Math.round((last.bytes / limitBytes) * 100)} %)` +
      (last.throttles ? `, ${last.throttles} throttled/s` : '');
  }
  for (const fig of [...container.querySelectorAll('figure')]) if (!seen.has(fig.dataset.shard)) fig.remove();
}
