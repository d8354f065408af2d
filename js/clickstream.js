// `kinesis-edge/clickstream`: page views, clicks and custom events as JSON
// lines, through a Producer (or FirehoseProducer), partitioned by a session
// id kept in sessionStorage. Opt-in and separate: nothing of it is in the
// producer entry unless imported.
//
//   import { Producer } from 'kinesis-edge/producer';
//   import { clickstream } from 'kinesis-edge/clickstream';
//   const events = clickstream(producer, { selector: '[data-track]' });
//   events.track('add_to_cart', { sku: 'A-1', price: 12.5 });
//
// Every event (one record, UTF-8 JSON ending in "\n"):
//   { v: 1, eventId, type, sessionId, timestamp, url, path, referrer,
//     title?        (page_view),
//     target?       (click: { tag, id, text, selector }),
//     props?        (custom events) }

const SCHEMA_VERSION = 1;
const encoder = new TextEncoder();

// Errors as the rest of the package throws them: an Error with a code.
function invalid(message) {
  const e = new Error(message);
  e.name = 'KinesisEdgeError';
  e.code = 'InvalidArgument';
  return e;
}

function uuid() {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** This tab's session id: kept in sessionStorage under `key` (a new one when storage is unavailable). */
export function sessionId(key = 'kinesis-edge-session') {
  try {
    const s = globalThis.sessionStorage;
    let id = s.getItem(key);
    if (!id) {
      id = uuid();
      s.setItem(key, id);
    }
    return id;
  } catch {
    return (globalThis.__kinesisEdgeSession ??= uuid());
  }
}

// What makes a new page in a single-page app: its path and query, and a
// hash router's route (`#/…`, `#!/…`); not an in-page anchor (`#top`).
function pageOf({ pathname = '', search = '', hash = '' }) {
  return pathname + search + (/^#!?\//.test(hash) ? hash : '');
}

/**
 * Starts tracking. Options: `selector` (clicks on elements matching it,
 * or inside one, are tracked; default `[data-track]`), `pageViews` (track
 * one now; default true), `spa` (a page view at each navigation within the
 * page — history.pushState / replaceState, back and forward, a hash
 * router's routes — that changes the page; default false), `sessionKey`
 * (the sessionStorage key), `onError` (a put's rejection; default:
 * ignored, it is in producer.stats()).
 * Returns `{ track(type, props), trackPageView(), stop(), sessionId }`.
 */
export function clickstream(producer, options = {}) {
  if (typeof producer?.put !== 'function') throw invalid('clickstream needs a Producer');
  const { selector = '[data-track]', pageViews = true, spa = false, sessionKey = 'kinesis-edge-session', onError = () => {} } = options;
  if (typeof onError !== 'function') throw invalid('onError must be a function');
  if (typeof spa !== 'boolean') throw invalid('spa must be true or false');
  const doc = globalThis.document;
  // A selector the page cannot parse would throw at every click, in the
  // page's click handler: it is refused here (without a DOM, only its type).
  const parses = () => {
    try {
      doc?.createDocumentFragment().querySelector(selector);
      return true;
    } catch {
      return false;
    }
  };
  if (typeof selector !== 'string' || !parses()) throw invalid(`selector must be a CSS selector, got ${String(selector)}`);
  const session = sessionId(sessionKey);
  const loc = () => globalThis.location ?? { href: '', pathname: '' };

  const emit = (type, extra) => {
    const event = {
      v: SCHEMA_VERSION,
      eventId: uuid(),
      type,
      sessionId: session,
      timestamp: new Date().toISOString(),
      url: loc().href,
      path: loc().pathname,
      referrer: globalThis.document?.referrer ?? '',
      ...extra,
    };
    let line;
    try {
      line = JSON.stringify(event);
    } catch (e) {
      throw invalid(`an event's props must be JSON (${e.message})`); // a BigInt, a cycle
    }
    const result = producer.put(encoder.encode(`${line}\n`), { partitionKey: session });
    result.catch(onError);
    return { eventId: event.eventId, result };
  };

  const onClick = (e) => {
    const el = e.target?.closest?.(selector);
    if (!el) return;
    emit('click', {
      target: {
        tag: el.tagName.toLowerCase(),
        id: el.id || null,
        text: (el.getAttribute('data-track') || el.textContent || '').trim().slice(0, 100),
        selector,
      },
    });
  };
  doc?.addEventListener('click', onClick, { capture: true });

  let page = pageOf(loc());
  const trackPageView = () => {
    page = pageOf(loc());
    return emit('page_view', { title: doc?.title ?? '' });
  };
  if (pageViews) trackPageView();

  // Single-page apps: history's pushState and replaceState wrapped (as
  // analytics libraries do; a wrapper that someone wraps in turn stays, and
  // passes through once stopped), popstate and hashchange listened to.
  // Looked at a task later, so that a title the app sets as it navigates is
  // the page view's, and a pushState followed at once by a replaceState
  // makes one page view.
  let tracking = true;
  let pending = null;
  const history = globalThis.history;
  const navigated = () => {
    pending ??= setTimeout(() => {
      pending = null;
      if (tracking && pageOf(loc()) !== page) trackPageView();
    }, 0);
  };
  const wrapped = [];
  if (spa && history && globalThis.addEventListener) {
    for (const name of ['pushState', 'replaceState']) {
      const original = history[name];
      const wrapper = function (...args) {
        const r = original.apply(this, args);
        navigated();
        return r;
      };
      history[name] = wrapper;
      wrapped.push([name, original, wrapper]);
    }
    globalThis.addEventListener('popstate', navigated);
    globalThis.addEventListener('hashchange', navigated);
  }

  return {
    sessionId: session,
    /** A custom event: `type` (a string) and JSON-serializable `props`. */
    track(type, props = {}) {
      if (typeof type !== 'string' || type === '') throw invalid('an event type is a non-empty string');
      if (typeof props !== 'object' || props === null || Array.isArray(props)) throw invalid("an event's props are an object");
      return emit(type, { props });
    },
    /** Another page view (single-page apps call it on navigation). */
    trackPageView,
    /** Stops tracking clicks (and, with `spa`, navigations). */
    stop() {
      doc?.removeEventListener('click', onClick, { capture: true });
      tracking = false;
      clearTimeout(pending);
      for (const [name, original, wrapper] of wrapped.splice(0)) if (history[name] === wrapper) history[name] = original;
      globalThis.removeEventListener?.('popstate', navigated);
      globalThis.removeEventListener?.('hashchange', navigated);
    },
  };
}
