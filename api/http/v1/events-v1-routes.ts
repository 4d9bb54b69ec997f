import { Router } from "express";
import { z } from "zod";
import type { DirectoryEventType } from "../../domain/event-types.ts";
import { type ChangeFeed, CursorExpired } from "../../feed/change-feed.ts";
import {
  cursorOf,
  publicEvent,
  publicList,
  publicMembership,
  publicProfile,
} from "../../feed/public-shapes.ts";
import type { MembershipDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { edgeProfileIds } from "../../sync/member-profiles.ts";
import { badRequest, HttpProblem } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { eventsQuery, eventTypeSchema, snapshotQuery } from "./schemas.ts";
import { requireScope } from "./scope.ts";

/** Where a snapshot is: which kind of object it pages, Cosmos' continuation, and the feed cursor it started at. */
const snapshotToken = z.object({
  stage: z.number().int().min(0).max(2),
  ct: z.string().optional(),
  feed: z.number().int().min(0),
});
type SnapshotToken = z.infer<typeof snapshotToken>;
const encode = (t: SnapshotToken) => Buffer.from(JSON.stringify(t)).toString("base64url");
function decode(cursor: string): SnapshotToken {
  try {
    return snapshotToken.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw badRequest(
      "Invalid query: cursor: not a snapshot cursor from this API",
      "Start the snapshot again without a cursor.",
      {
        cursor: "not a snapshot cursor from this API",
      },
    );
  }
}

const STAGES = ["profiles", "lists", "memberships"] as const;

/**
 * The change feed (GET /v1/events) and the snapshot a consumer starts from (GET /v1/snapshot): the snapshot
 * fixes the feed's position before its first page, so following the feed from its `feedCursor` replays
 * every change made while the snapshot was paged; events carry full objects, so replaying is idempotent.
 */
export function eventsV1Routes(store: Store, feed: ChangeFeed): Router {
  const router = Router();

  router.get("/v1/events", async (req, res) => {
    const p = requireScope(req, "events:read");
    const q = parseInput(eventsQuery, req.query, "query");
    const types = q.types
      ? q.types
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined;
    for (const t of types ?? [])
      if (!eventTypeSchema.safeParse(t).success)
        throw badRequest(
          `Invalid query: types: unknown event type ${t}`,
          "Use the event types listed in the API reference.",
          {
            types: `unknown event type ${t}`,
          },
        );
    try {
      const page = await feed.read(p.tenantId, {
        after: Number(q.after),
        limit: q.limit,
        ...(types ? { types: types as DirectoryEventType[] } : {}),
      });
      res.set("cache-control", "no-store").json({
        object: "list",
        data: page.events.map(publicEvent),
        nextCursor: cursorOf(page.next),
        hasMore: page.hasMore,
      });
    } catch (err) {
      if (err instanceof CursorExpired)
        throw new HttpProblem(410, {
          code: "cursor-expired",
          message: `Cursor ${q.after} is older than the change feed's retention (events up to ${err.trimmedThrough} were removed)`,
          remedy:
            "Take a new snapshot (GET /api/v1/snapshot), replace your copy with it, and follow the feed from its feedCursor.",
        });
      throw err;
    }
  });

  router.get("/v1/snapshot", async (req, res) => {
    const p = requireScope(req, "directory:read");
    requireScope(req, "events:read");
    const q = parseInput(snapshotQuery, req.query, "query");
    let token: SnapshotToken = q.cursor
      ? decode(q.cursor)
      : { stage: 0, feed: await feed.horizon(p.tenantId) };
    const data: unknown[] = [];
    // Fill the page across stages, so a small tenant's snapshot is one request.
    while (data.length < q.limit) {
      const stage = STAGES[token.stage] as (typeof STAGES)[number];
      const options = {
        pageSize: q.limit - data.length,
        ...(token.ct ? { continuationToken: token.ct } : {}),
      };
      const byId = { orderBy: "c.id ASC" };
      let next: string | undefined;
      if (stage === "profiles") {
        const page = await store.profiles.page(p.tenantId, byId, options);
        data.push(...page.items.map(publicProfile));
        next = page.continuationToken;
      } else if (stage === "lists") {
        const page = await store.lists.page(p.tenantId, byId, options);
        data.push(...page.items.map(publicList));
        next = page.continuationToken;
      } else {
        const page = await store.memberships.page(p.tenantId, byId, options);
        const memberProfile = await edgeProfileIds(store, p.tenantId, page.items);
        data.push(...page.items.map((e: MembershipDoc) => publicMembership(e, memberProfile(e))));
        next = page.continuationToken;
      }
      if (next) token = { ...token, ct: next };
      else if (token.stage < 2) token = { stage: token.stage + 1, feed: token.feed };
      else {
        res
          .set("cache-control", "no-store")
          .json({ object: "list", data, nextCursor: null, feedCursor: cursorOf(token.feed) });
        return;
      }
    }
    res
      .set("cache-control", "no-store")
      .json({ object: "list", data, nextCursor: encode(token), feedCursor: null });
  });

  return router;
}
