import { Router } from "express";
import { z } from "zod";
import type { GraphApi } from "../../graph/client.ts";
import type { ConnectionDoc, ListDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { findPeople } from "../../sync/people.ts";
import { photoId } from "../../sync/photos.ts";
import { profilesBySource } from "../../sync/profiles.ts";
import { explainUser } from "../../sync/why.ts";
import { idParamOf } from "../ids.ts";
import { requireReader } from "../principal.ts";
import { notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { pagingQuery, searchClause } from "./paging.ts";

const directoryQuery = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: z.enum(["active", "inactive", "deleted"]).optional(),
    connectionId: z.string().max(200).optional(),
    ...pagingQuery,
  })
  .strict();
const profileIdParam = idParamOf("profile");
const listIdParam = idParamOf("list");
const whyQuery = z.object({ who: z.string().trim().min(3, "enter an email or UPN").max(320) }).strict();
const peopleQuery = z
  .object({ q: z.string().trim().min(2, "type at least 2 characters of a name or email").max(120) })
  .strict();

function filters(q: z.infer<typeof directoryQuery>, searchFields: string[]) {
  const search = searchClause(searchFields, q.q);
  const where = [...search.where];
  const parameters = [...search.parameters];
  if (q.status) {
    where.push("c.status = @s");
    parameters.push({ name: "@s", value: q.status });
  }
  if (q.connectionId) {
    where.push("c.connectionId = @c");
    parameters.push({ name: "@c", value: q.connectionId });
  }
  return { where: where.join(" AND ") || undefined, parameters };
}

/** The synced directory: profiles, lists, members, and "why is this user (not) synced?". */
export function directoryRoutes(store: Store, graphFor: (c: ConnectionDoc) => Promise<GraphApi>): Router {
  const router = Router();

  router.get("/profiles", async (req, res) => {
    const principal = requireReader(req);
    const q = parseInput(directoryQuery, req.query, "query");
    const page = await store.profiles.page(
      principal.tenantId,
      { ...filters(q, ["c.displayName", "c.emailKey", "c.upnKey"]), orderBy: "c.displayName ASC" },
      { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
    );
    res.json(page);
  });

  router.get("/profiles/:id", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(profileIdParam, req.params, "path");
    const profile = await store.profiles.get(principal.tenantId, id);
    if (!profile) throw notFound(`Profile ${id}`);
    const edges = await store.memberships.all(principal.tenantId, {
      where: "c.connectionId = @c AND c.memberSourceId = @m",
      parameters: [
        { name: "@c", value: profile.connectionId },
        { name: "@m", value: profile.sourceId },
      ],
    });
    const lists = await listsByIds(store, principal.tenantId, [...new Set(edges.map((e) => e.listId))]);
    res.json({ ...profile, lists: lists.map((l) => ({ id: l.id, name: l.name, status: l.status })) });
  });

  // Photos are served from the product's own origin, so only image types Graph uses go out as such.
  router.get("/profiles/:id/photo", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(profileIdParam, req.params, "path");
    const photo = await store.photos.get(principal.tenantId, photoId(id));
    if (!photo) throw notFound(`A photo of profile ${id}`);
    const etag = `"${photo.hash}"`;
    res.set({
      "content-type": IMAGE_TYPES.has(photo.contentType) ? photo.contentType : "application/octet-stream",
      etag,
      "cache-control": "private, max-age=3600",
    });
    if (req.headers["if-none-match"] === etag) {
      res.status(304).end();
      return;
    }
    res.send(Buffer.from(photo.data, "base64"));
  });

  router.get("/lists", async (req, res) => {
    const principal = requireReader(req);
    const q = parseInput(directoryQuery, req.query, "query");
    const page = await store.lists.page(
      principal.tenantId,
      { ...filters(q, ["c.name", "c.mail"]), orderBy: "c.name ASC" },
      { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
    );
    res.json(page);
  });

  router.get("/lists/:id/members", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(listIdParam, req.params, "path");
    const q = parseInput(z.object(pagingQuery).strict(), req.query, "query");
    const list = await store.lists.get(principal.tenantId, id);
    if (!list) throw notFound(`List ${id}`);
    const page = await store.memberships.page(
      principal.tenantId,
      { where: "c.listId = @l", parameters: [{ name: "@l", value: id }], orderBy: "c.memberSourceId ASC" },
      { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
    );
    const profiles = await profilesBySource(
      store,
      principal.tenantId,
      list.connectionId,
      page.items.map((e) => e.memberSourceId),
    );
    res.json({
      ...page,
      items: page.items.map((e) => {
        const p = profiles.get(e.memberSourceId);
        return {
          sourceId: e.memberSourceId,
          profileId: p?.id,
          displayName: p?.displayName,
          email: p?.fields.email ?? null,
          jobTitle: p?.fields.jobTitle ?? null,
          status: p?.status,
        };
      }),
    });
  });

  router.get("/why", async (req, res) => {
    const principal = requireReader(req);
    const { who } = parseInput(whyQuery, req.query, "query");
    res.json(await explainUser(store, principal.tenantId, who, graphFor));
  });

  // The "why" screen's people picker: find a person by the name an admin types.
  router.get("/people/search", async (req, res) => {
    const principal = requireReader(req);
    const { q } = parseInput(peopleQuery, req.query, "query");
    res.json(await findPeople(store, principal.tenantId, q, graphFor));
  });

  return router;
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp"]);

async function listsByIds(store: Store, tenantId: string, ids: string[]): Promise<ListDoc[]> {
  return [...(await store.lists.readMany(tenantId, ids)).values()];
}
