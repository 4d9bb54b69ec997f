/**
 * A local copy of a tenant's directory, kept through the Directory API the way an application would:
 * one snapshot, then the change feed (polled) and/or webhooks (pushed). Depends on nothing of the product:
 * only `fetch` and the `standardwebhooks` library to verify deliveries.
 */
import { Webhook } from "standardwebhooks";

export interface DirectoryObject {
  object: "profile" | "list" | "membership";
  id: string;
  [field: string]: unknown;
}

export interface FeedEvent {
  id: string;
  cursor: string;
  type: string;
  data: DirectoryObject | { object: "connection"; id: string };
}

export interface MirrorOptions {
  /** Base URL of the product, e.g. https://sync.example.com (or a function answering it). */
  baseUrl: string | (() => string);
  /** An API key with directory:read and events:read (or an Entra app-only token). */
  apiKey: string;
  fetch?: typeof fetch;
}

export class CursorExpiredError extends Error {}

export class DirectoryMirror {
  readonly objects = new Map<string, DirectoryObject>();
  /** The feed position this copy is complete up to; undefined before the first snapshot. */
  cursor: string | undefined;
  /** Per object: the feed position of the state held, so a late or repeated delivery never goes backwards. */
  private readonly versions = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: MirrorOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  private async get(path: string): Promise<Record<string, unknown>> {
    const base = typeof this.options.baseUrl === "function" ? this.options.baseUrl() : this.options.baseUrl;
    const res = await this.fetchImpl(`${base}${path}`, {
      headers: { authorization: `Bearer ${this.options.apiKey}` },
    });
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status === 410) throw new CursorExpiredError(JSON.stringify(body));
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Replaces the copy with a full snapshot and remembers where the feed continues. */
  async snapshot(): Promise<void> {
    const fresh = new Map<string, DirectoryObject>();
    let cursor: string | null = null;
    let feedCursor: string | null = null;
    do {
      const page = await this.get(
        `/api/v1/snapshot?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      for (const o of page.data as DirectoryObject[]) fresh.set(key(o), o);
      cursor = page.nextCursor as string | null;
      feedCursor = page.feedCursor as string | null;
    } while (cursor);
    this.objects.clear();
    this.versions.clear();
    const at = Number(feedCursor);
    for (const [k, o] of fresh) {
      this.objects.set(k, o);
      this.versions.set(k, at);
    }
    this.cursor = feedCursor ?? "0";
  }

  /** Reads the feed until it is drained; takes a new snapshot when the cursor fell out of retention. */
  async catchUp(): Promise<number> {
    if (this.cursor === undefined) await this.snapshot();
    let applied = 0;
    for (;;) {
      let page: Record<string, unknown>;
      try {
        page = await this.get(`/api/v1/events?after=${this.cursor}&limit=500`);
      } catch (err) {
        if (!(err instanceof CursorExpiredError)) throw err;
        await this.snapshot();
        continue;
      }
      for (const event of page.data as FeedEvent[]) if (this.apply(event)) applied++;
      this.cursor = page.nextCursor as string;
      if (!page.hasMore) return applied;
    }
  }

  /** Applies one event (from the feed or a webhook); repeats and stale deliveries change nothing. */
  apply(event: FeedEvent): boolean {
    if (this.seen.has(event.id)) return false;
    this.seen.add(event.id);
    const data = event.data;
    if (data.object === "connection") return false;
    const k = key(data);
    const seq = Number(event.cursor);
    if ((this.versions.get(k) ?? -1) >= seq) return false;
    this.versions.set(k, seq);
    if (event.type.endsWith(".purged") || event.type === "membership.removed") this.objects.delete(k);
    else this.objects.set(k, data as DirectoryObject);
    return true;
  }

  /**
   * Verifies and applies a webhook delivery (Standard Webhooks). Throws on a bad signature: answer 4xx, and
   * the sender retries with the right one, if it was ever genuine.
   */
  receiveWebhook(secret: string, headers: Record<string, string>, body: string): boolean {
    const event = new Webhook(secret).verify(body, headers) as FeedEvent;
    return this.apply(event);
  }

  /** The copy as plain sorted data, for comparing with the product's own directory. */
  contents(): DirectoryObject[] {
    return [...this.objects.values()].sort((a, b) => key(a).localeCompare(key(b)));
  }
}

const key = (o: { object: string; id: string }) => `${o.object}:${o.id}`;
