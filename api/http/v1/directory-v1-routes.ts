import { createHash } from "node:crypto";
import { type Request, type Response, Router } from "express";
import { publicList, publicProfile } from "../../feed/public-shapes.ts";
import type { ProfileDoc } from "../../store/documents.ts";
import type { Page, QuerySpec } from "../../store/repository.ts";
import type { Store } from "../../store/store.ts";
import { photoId } from "../../sync/photos.ts";
import { profilesBySource } from "../../sync/profiles.ts";
import { notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { idPath, listsQuery, pageQuery, profilesQuery } from "./schemas.ts";
import { requireScope } from "./scope.ts";

type Param = { name: string; value: string };

const pageOptions = (q: { limit: number; cursor?: string | undefined }) => ({
  pageSize: q.limit,
  ...(q.cursor ? { continuationToken: q.cursor } : {}),
});
const envelope = <T>(data: T[], page: Page<unknown>) => ({
  object: "list" as const,
  data,
  nextCursor: page.continuationToken ?? null,
});

/** Answers one object with a strong ETag of exactly what is sent; If-None-Match gets 304. */
function sendWithEtag(req: Request, res: Response, body: unknown): void {
  const etag = `"${createHash("sha256").update(JSON.stringify(body)).digest("base64url").slice(0, 27)}"`;
  res.set({ etag, "cache-control": "private, no-cache" });
  if (req.headers["if-none-match"] === etag) {
    res.status(304).end();
    return;
  }
  res.json(body);
}

/** The Directory API: profiles, lists and memberships, for applications (keys, app tokens) and people. */
export function directoryV1Routes(store: Store): Router {
  const router = Router();

  router.get("/v1/profiles", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const q = parseInput(profilesQuery, req.query, "query");
    const where: string[] = [];
    const parameters: Param[] = [];
    const add = (clause: string, name: string, value: string) => {
      where.push(clause);
      parameters.push({ name, value });
    };
    if (q.status) add("c.status = @status", "@status", q.status);
    if (q.updatedAfter) add("c.updatedAt > @after", "@after", new Date(q.updatedAfter).toISOString());
    if (q.entraObjectId) add("c.sourceId = @oid", "@oid", q.entraObjectId.toLowerCase());
    if (q.email) add("c.emailKey = @email", "@email", q.email.toLowerCase());
    if (q.list) {
      const list = await store.lists.get(p.tenantId, q.list);
      if (!list) throw notFound(`List ${q.list}`);
      const edges = await store.memberships.page(
        p.tenantId,
        {
          where: "c.listId = @l",
          parameters: [{ name: "@l", value: list.id }],
          orderBy: "c.memberSourceId ASC",
        },
        pageOptions(q),
      );
      const members = await profilesBySource(
        store,
        p.tenantId,
        list.connectionId,
        edges.items.map((e) => e.memberSourceId),
      );
      const keep = (doc: ProfileDoc) =>
        (!q.status || doc.status === q.status) &&
        (!q.updatedAfter || doc.updatedAt > new Date(q.updatedAfter).toISOString()) &&
        (!q.entraObjectId || doc.sourceId === q.entraObjectId.toLowerCase()) &&
        (!q.email || doc.emailKey === q.email.toLowerCase());
      const data = edges.items.flatMap((e) => {
        const doc = members.get(e.memberSourceId);
        return doc && keep(doc) ? [publicProfile(doc)] : [];
      });
      res.json(envelope(data, edges));
      return;
    }
    const spec: QuerySpec = {
      ...(where.length ? { where: where.join(" AND ") } : {}),
      parameters,
      orderBy: "c.id ASC",
    };
    const page = await store.profiles.page(p.tenantId, spec, pageOptions(q));
    res.json(envelope(page.items.map(publicProfile), page));
  });

  router.get("/v1/profiles/:id", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const { id } = parseInput(idPath, req.params, "path");
    const doc = await store.profiles.get(p.tenantId, id);
    if (!doc) throw notFound(`Profile ${id}`);
    sendWithEtag(req, res, publicProfile(doc));
  });

  router.get("/v1/profiles/:id/lists", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const { id } = parseInput(idPath, req.params, "path");
    const q = parseInput(pageQuery, req.query, "query");
    const doc = await store.profiles.get(p.tenantId, id);
    if (!doc) throw notFound(`Profile ${id}`);
    const edges = await store.memberships.page(
      p.tenantId,
      {
        where: "c.connectionId = @c AND c.memberSourceId = @m",
        parameters: [
          { name: "@c", value: doc.connectionId },
          { name: "@m", value: doc.sourceId },
        ],
        orderBy: "c.listId ASC",
      },
      pageOptions(q),
    );
    const lists = await store.lists.readMany(
      p.tenantId,
      edges.items.map((e) => e.listId),
    );
    const data = edges.items.flatMap((e) => {
      const list = lists.get(e.listId);
      return list ? [publicList(list)] : [];
    });
    res.json(envelope(data, edges));
  });

  router.get("/v1/profiles/:id/photo", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const { id } = parseInput(idPath, req.params, "path");
    const photo = await store.photos.get(p.tenantId, photoId(id));
    if (!photo) throw notFound(`A photo of profile ${id}`);
    const etag = `"${photo.hash}"`;
    res.set({
      "content-type": IMAGE_TYPES.has(photo.contentType) ? photo.contentType : "application/octet-stream",
      etag,
      "cache-control": "private, no-cache",
    });
    if (req.headers["if-none-match"] === etag) {
      res.status(304).end();
      return;
    }
    res.send(Buffer.from(photo.data, "base64"));
  });

  router.get("/v1/lists", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const q = parseInput(listsQuery, req.query, "query");
    const where: string[] = [];
    const parameters: Param[] = [];
    if (q.status) {
      where.push("c.status = @status");
      parameters.push({ name: "@status", value: q.status });
    }
    if (q.updatedAfter) {
      where.push("c.updatedAt > @after");
      parameters.push({ name: "@after", value: new Date(q.updatedAfter).toISOString() });
    }
    if (q.entraObjectId) {
      where.push("c.sourceId = @oid");
      parameters.push({ name: "@oid", value: q.entraObjectId.toLowerCase() });
    }
    const spec: QuerySpec = {
      ...(where.length ? { where: where.join(" AND ") } : {}),
      parameters,
      orderBy: "c.id ASC",
    };
    const page = await store.lists.page(p.tenantId, spec, pageOptions(q));
    res.json(envelope(page.items.map(publicList), page));
  });

  router.get("/v1/lists/:id", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const { id } = parseInput(idPath, req.params, "path");
    const doc = await store.lists.get(p.tenantId, id);
    if (!doc) throw notFound(`List ${id}`);
    sendWithEtag(req, res, publicList(doc));
  });

  router.get("/v1/lists/:id/members", async (req, res) => {
    const p = requireScope(req, "directory:read");
    const { id } = parseInput(idPath, req.params, "path");
    const q = parseInput(pageQuery, req.query, "query");
    const list = await store.lists.get(p.tenantId, id);
    if (!list) throw notFound(`List ${id}`);
    const edges = await store.memberships.page(
      p.tenantId,
      { where: "c.listId = @l", parameters: [{ name: "@l", value: id }], orderBy: "c.memberSourceId ASC" },
      pageOptions(q),
    );
    const members = await profilesBySource(
      store,
      p.tenantId,
      list.connectionId,
      edges.items.map((e) => e.memberSourceId),
    );
    const data = edges.items.flatMap((e) => {
      const doc = members.get(e.memberSourceId);
      return doc ? [publicProfile(doc)] : [];
    });
    res.json(envelope(data, edges));
  });

  return router;
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp"]);
