import { Router } from "express";
import type { Page } from "../../contract/common.ts";
import {
  type DirectoryQuery,
  directoryQuerySchema,
  type List,
  type ListMember,
  listIdParam,
  listMembersQuerySchema,
  type PeopleSearch,
  type Profile,
  type ProfileWithLists,
  peopleQuerySchema,
  profileIdParam,
  type WhyAnswer,
  whyQuerySchema,
} from "../../contract/directory.ts";
import type { GraphApi } from "../../graph/client.ts";
import type { ConnectionDoc, ListDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { findPeople } from "../../sync/people.ts";
import { photoId } from "../../sync/photos.ts";
import { profilesBySource } from "../../sync/profiles.ts";
import { explainUser } from "../../sync/why.ts";
import { welcomeOfProfile } from "../../welcome/why.ts";
import { requireReader } from "../principal.ts";
import { notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { searchClause } from "./paging.ts";

function filters(q: DirectoryQuery, searchFields: string[]) {
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
    const q = parseInput(directoryQuerySchema, req.query, "query");
    const page = await store.profiles.page(
      principal.tenantId,
      { ...filters(q, ["c.displayName", "c.emailKey", "c.upnKey"]), orderBy: "c.displayName ASC" },
      { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
    );
    const items = page.items.map(({ scim: _resource, ...shown }) => shown);
    res.json({ ...page, items } satisfies Page<Profile>);
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
    // A push connection's copy of the SCIM resource is its own bookkeeping, not part of the profile.
    const { scim: _resource, ...shown } = profile;
    res.json({
      ...shown,
      lists: lists.map((l) => ({ id: l.id, name: l.name, status: l.status })),
    } satisfies ProfileWithLists);
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
    const q = parseInput(directoryQuerySchema, req.query, "query");
    const page = await store.lists.page(
      principal.tenantId,
      { ...filters(q, ["c.name", "c.mail"]), orderBy: "c.name ASC" },
      { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
    );
    res.json(page satisfies Page<List>);
  });

  router.get("/lists/:id/members", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(listIdParam, req.params, "path");
    const q = parseInput(listMembersQuerySchema, req.query, "query");
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
    } satisfies Page<ListMember>);
  });

  router.get("/why", async (req, res) => {
    const principal = requireReader(req);
    const { who } = parseInput(whyQuerySchema, req.query, "query");
    const answer = await explainUser(store, principal.tenantId, who, graphFor);
    const welcome = await welcomeOfProfile(store, principal.tenantId, answer.profile);
    res.json({ ...answer, ...(welcome ? { welcome } : {}) } satisfies WhyAnswer);
  });

  // The "why" screen's people picker: find a person by the name an admin types.
  router.get("/people/search", async (req, res) => {
    const principal = requireReader(req);
    const { q } = parseInput(peopleQuerySchema, req.query, "query");
    res.json((await findPeople(store, principal.tenantId, q, graphFor)) satisfies PeopleSearch);
  });

  return router;
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp"]);

async function listsByIds(store: Store, tenantId: string, ids: string[]): Promise<ListDoc[]> {
  return [...(await store.lists.readMany(tenantId, ids)).values()];
}
