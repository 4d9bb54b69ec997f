import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { Router } from "express";
import { z } from "zod";
import {
  errorSchema,
  eventPage,
  eventsQuery,
  idPath,
  listPage,
  listSchema,
  listsQuery,
  pageQuery,
  profilePage,
  profileSchema,
  profilesQuery,
  snapshotPage,
  snapshotQuery,
} from "./schemas.ts";
import { webhookOpenApi } from "./webhook-schemas.ts";

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const errors = {
  400: json(errorSchema, "A parameter is invalid; `fields` names it."),
  401: json(errorSchema, "No valid API key or token."),
  403: json(errorSchema, "The key or application lacks the scope this needs."),
};
const notFound = { 404: json(errorSchema, "No such object in your tenant.") };
const etag = {
  headers: z.object({
    ETag: z.string().meta({ description: "Send back as If-None-Match to get 304 when unchanged." }),
  }),
};

/** Every /api/v1 operation, built from the zod schemas the routes validate with. */
function buildOpenApiDocument(serverUrl = "/api") {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An API key (eds_…) created by a Directory Sync admin in the tab, as a bearer token.",
  });
  registry.registerComponent("securitySchemes", "entraAppToken", {
    type: "oauth2",
    description:
      "An Entra ID app-only token (client credentials, from your tenant's token endpoint) for the product's API, carrying app roles such as DirectorySync.Directory.Read.",
    flows: {
      clientCredentials: {
        tokenUrl: "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
        scopes: {},
      },
    },
  });
  const security: Record<string, string[]>[] = [{ apiKey: [] }, { entraAppToken: [] }];
  const route = (config: RouteConfig) => registry.registerPath({ security, ...config });

  route({
    method: "get",
    path: "/v1/profiles",
    summary: "List profiles",
    description: "Scope directory:read. Filters combine; ordered by id.",
    request: { query: profilesQuery },
    responses: { 200: json(profilePage, "A page of profiles."), ...errors, ...notFound },
  });
  route({
    method: "get",
    path: "/v1/profiles/{id}",
    summary: "Get a profile",
    request: { params: idPath },
    responses: {
      200: { ...json(profileSchema, "The profile."), ...etag },
      304: { description: "Not modified." },
      ...errors,
      ...notFound,
    },
  });
  route({
    method: "get",
    path: "/v1/profiles/{id}/lists",
    summary: "The lists a profile is a member of",
    request: { params: idPath, query: pageQuery },
    responses: { 200: json(listPage, "A page of lists."), ...errors, ...notFound },
  });
  route({
    method: "get",
    path: "/v1/profiles/{id}/photo",
    summary: "A profile's photo",
    request: { params: idPath },
    responses: {
      200: {
        description: "The image.",
        content: { "image/jpeg": { schema: z.string().meta({ format: "binary" }) } },
      },
      304: { description: "Not modified." },
      ...errors,
      ...notFound,
    },
  });
  route({
    method: "get",
    path: "/v1/lists",
    summary: "List lists (synced groups)",
    request: { query: listsQuery },
    responses: { 200: json(listPage, "A page of lists."), ...errors },
  });
  route({
    method: "get",
    path: "/v1/lists/{id}",
    summary: "Get a list",
    request: { params: idPath },
    responses: {
      200: { ...json(listSchema, "The list."), ...etag },
      304: { description: "Not modified." },
      ...errors,
      ...notFound,
    },
  });
  route({
    method: "get",
    path: "/v1/lists/{id}/members",
    summary: "A list's members, as full profiles",
    request: { params: idPath, query: pageQuery },
    responses: { 200: json(profilePage, "A page of member profiles."), ...errors, ...notFound },
  });
  route({
    method: "get",
    path: "/v1/events",
    summary: "The change feed",
    description:
      "Scope events:read. Every change to the directory, in one order per tenant. Start from a snapshot's feedCursor; keep each page's nextCursor. Event ids are stable: use them to ignore a repeat.",
    request: { query: eventsQuery },
    responses: {
      200: json(eventPage, "Events after the cursor."),
      410: json(errorSchema, "The cursor is older than the feed's retention: take a new snapshot."),
      ...errors,
    },
  });
  route({
    method: "get",
    path: "/v1/snapshot",
    summary: "Page through the whole directory, then follow the feed",
    description:
      "Scopes directory:read and events:read. Profiles, then lists, then memberships; the last page's feedCursor continues in GET /v1/events with nothing missed.",
    request: { query: snapshotQuery },
    responses: { 200: json(snapshotPage, "A page of the snapshot."), ...errors },
  });

  webhookOpenApi(route, registry, { json, errors, notFound });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Entra Directory Sync: Directory API",
      version: "1.0.0",
      description:
        "Read the directory synced from Microsoft Entra ID (profiles, lists, memberships), follow its ordered change feed, and receive signed webhooks (Standard Webhooks).",
    },
    servers: [{ url: serverUrl }],
  });
}

/** GET /api/v1/openapi.json and a readable reference page, both public (they describe, they do not answer). */
export function openApiRoutes(): Router {
  const router = Router();
  const document = buildOpenApiDocument();
  router.get("/api/v1/openapi.json", (_req, res) => {
    res.set("cache-control", "public, max-age=300").json(document);
  });
  router.get("/api/v1/reference", (_req, res) => {
    res.set("content-type", "text/html; charset=utf-8").send(referencePage(document));
  });
  return router;
}

type Doc = ReturnType<typeof buildOpenApiDocument>;
const escapeHtml = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** A plain page from the document itself (no script, no CDN: the product's CSP allows neither). */
function referencePage(doc: Doc): string {
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      const params = (
        (op.parameters as { name: string; in: string; description?: string; required?: boolean }[]) ?? []
      )
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required ? ", required" : ""}) ${escapeHtml(p.description)}</li>`,
        )
        .join("");
      const responses = Object.entries((op.responses as Record<string, { description?: string }>) ?? {})
        .map(([code, r]) => `<li><code>${escapeHtml(code)}</code> ${escapeHtml(r.description)}</li>`)
        .join("");
      ops.push(
        `<section><h2><code>${escapeHtml(method.toUpperCase())} /api${escapeHtml(path)}</code></h2><p><strong>${escapeHtml(op.summary)}</strong></p><p>${escapeHtml(op.description)}</p>${params ? `<h3>Parameters</h3><ul>${params}</ul>` : ""}<h3>Responses</h3><ul>${responses}</ul></section>`,
      );
    }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<section><h2 id="${escapeHtml(name)}">${escapeHtml(name)}</h2><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></section>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}pre{background:#f4f4f4;padding:1rem;overflow:auto}code{background:#f4f4f4;padding:0 .2rem}</style></head><body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;API key or Entra app-only token&gt;</code>.</p>${ops.join("")}<h1>Schemas</h1>${schemas}</body></html>`;
}
