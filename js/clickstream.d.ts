// `kinesis-edge/clickstream`: page views, clicks and custom events as JSON lines through a Producer.
export interface ClickstreamEvent {
  v: 1;
  eventId: string;
  type: 'page_view' | 'click' | string;
  sessionId: string;
  timestamp: string;
  url: string;
  path: string;
  referrer: string;
  title?: string;
  target?: { tag: string; id: string | null; text: string; selector: string };
  props?: Record<string, unknown>;
}
export interface Clickstream {
  sessionId: string;
  track(type: string, props?: Record<string, unknown>): { eventId: string; result: Promise<unknown> };
  trackPageView(): { eventId: string; result: Promise<unknown> };
  stop(): void;
}
export declare function clickstream(
  producer: { put(data: Uint8Array, options?: { partitionKey?: string }): Promise<unknown> },
  options?: {
    selector?: string;
    pageViews?: boolean;
    /** A page view at each navigation within the page that changes it (pushState, replaceState, back and forward, `#/` routes). */
    spa?: boolean;
    sessionKey?: string;
    onError?: (e: unknown) => void;
  },
): Clickstream;
export declare function sessionId(key?: string): string;
