import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyListSchema, createdApiKeySchema } from "../../api/contract/api-keys.ts";
import { appEventSchema } from "../../api/contract/app-events.ts";
import { attributeDefinitionSchema } from "../../api/contract/attributes.ts";
import { auditEntrySchema } from "../../api/contract/audit.ts";
import { feedPageSchema } from "../../api/contract/change-feed.ts";
import { errorBodySchema, pageOf } from "../../api/contract/common.ts";
import {
  connectionSchema,
  consentUrlSchema,
  deleteResultSchema,
  liveStatusSchema,
  testResultSchema,
} from "../../api/contract/connections.ts";
import {
  listMemberSchema,
  listSchema,
  peopleSearchSchema,
  profileSchema,
  profileWithListsSchema,
  whyAnswerSchema,
} from "../../api/contract/directory.ts";
import { meSchema } from "../../api/contract/me.ts";
import { taskRecordSchema, taskSchema } from "../../api/contract/tasks.ts";
import { endpointList } from "../../api/contract/webhooks.ts";
import { eventPage } from "../../api/http/v1/schemas.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";

type Schema = { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } };

/**
 * The tab's main screens read these answers; each is checked against the contract the tab is typed with, so
 * an answer that drifts from what the tab expects fails here rather than in front of an admin.
 */
describe("the API's answers match the wire contract the tab reads", () => {
  let s: FullStack;
  let admin: string;
  let connectionId: string;
  let taskId: string;

  /** GETs a path as the admin and returns the body after checking it against the schema. */
  // biome-ignore lint/suspicious/noExplicitAny: bodies are checked by the schema, then read field by field
  const read = async (path: string, schema: Schema, init: RequestInit = {}): Promise<any> => {
    const res = await s.api(path, { token: admin, ...init });
    expect(res.status, `${path}: ${res.text}`).toBeLessThan(300);
    const parsed = schema.safeParse(res.body);
    expect(parsed.error?.issues ?? [], `${path} drifted from the contract`).toEqual([]);
    return res.body;
  };

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
    connectionId = (await s.createDemoConnection(admin)).body.id;
    const started = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(started.status, started.text).toBe(202);
    taskId = started.body.id;
    await s.waitForTask(taskId);
  });
  afterAll(() => s?.close());

  it("who the caller is", async () => {
    await read("/api/me", meSchema);
  });

  it("the connections list, one connection, its test and its live status", async () => {
    const page = await read("/api/connections", pageOf(connectionSchema));
    expect(page.items).toHaveLength(1);
    await read(`/api/connections/${connectionId}`, connectionSchema);
    await read(`/api/connections/${connectionId}/test`, testResultSchema, { method: "POST" });
    await read(`/api/connections/${connectionId}/live`, liveStatusSchema);
    await read(`/api/connections/${connectionId}/consent`, consentUrlSchema, { method: "POST" });
  });

  it("the history, a task and its records", async () => {
    const tasks = await read("/api/tasks", pageOf(taskSchema));
    expect(tasks.items.length).toBeGreaterThan(0);
    await read(`/api/tasks/${taskId}`, taskSchema);
    const records = await read(`/api/tasks/${taskId}/records`, pageOf(taskRecordSchema));
    expect(records.items.length).toBeGreaterThan(0);
    const listRecords = await read(`/api/tasks/${taskId}/records?kind=list`, pageOf(taskRecordSchema));
    expect(listRecords.items.length).toBeGreaterThan(0);
  });

  it("the directory: profiles, a profile, lists, a list's members, why and the people picker", async () => {
    const profiles = await read("/api/profiles", pageOf(profileSchema));
    expect(profiles.items.length).toBeGreaterThan(0);
    await read(`/api/profiles/${encodeURIComponent(profiles.items[0].id)}`, profileWithListsSchema);
    const lists = await read("/api/lists", pageOf(listSchema));
    expect(lists.items.length).toBeGreaterThan(0);
    const members = await read(
      `/api/lists/${encodeURIComponent(lists.items[0].id)}/members`,
      pageOf(listMemberSchema),
    );
    expect(members.items.length).toBeGreaterThan(0);
    const email = profiles.items[0].fields.email as string;
    await read(`/api/why?who=${encodeURIComponent(email)}`, whyAnswerSchema);
    const people = await read(
      `/api/people/search?q=${encodeURIComponent(email.slice(0, 4))}`,
      peopleSearchSchema,
    );
    expect(people.items.length).toBeGreaterThan(0);
  });

  it("the audit trail, the alerts and the custom attributes", async () => {
    const defined = await s.api("/api/attributes", {
      token: admin,
      method: "POST",
      json: { name: "costCentre", label: "Cost centre" },
    });
    expect(attributeDefinitionSchema.safeParse(defined.body).error?.issues ?? []).toEqual([]);
    const attributes = await read("/api/attributes", pageOf(attributeDefinitionSchema));
    expect(attributes.items).toHaveLength(1);
    const audit = await read("/api/audit", pageOf(auditEntrySchema));
    expect(audit.items.length).toBeGreaterThan(0);
    const alerts = await read("/api/events", pageOf(appEventSchema));
    expect(alerts.items.length).toBeGreaterThan(0);
  });

  it("the API and webhooks page: keys, endpoints and the change feed", async () => {
    const created = await s.api("/api/api-keys", {
      token: admin,
      method: "POST",
      json: { name: "Marketing site", scopes: ["directory:read"] },
    });
    expect(createdApiKeySchema.safeParse(created.body).error?.issues ?? []).toEqual([]);
    const keys = await read("/api/api-keys", apiKeyListSchema);
    expect(keys.items).toHaveLength(1);
    await read("/api/v1/webhooks", endpointList);
    const feed = await read("/api/v1/events?after=0&limit=200", feedPageSchema);
    expect(eventPage.safeParse(feed).error?.issues ?? [], "the published shape").toEqual([]);
    expect(feed.data.length).toBeGreaterThan(0);
  });

  it("a refusal, and deleting a connection once confirmed", async () => {
    const refused = await s.api(`/api/connections/${connectionId}`, { token: admin, method: "DELETE" });
    expect(refused.status).toBe(409);
    expect(errorBodySchema.safeParse(refused.body).error?.issues ?? []).toEqual([]);
    const deleted = await read(
      `/api/connections/${connectionId}?confirm=true&data=keep`,
      deleteResultSchema,
      {
        method: "DELETE",
      },
    );
    expect(deleted.deleted).toBe(true);
  });
});
