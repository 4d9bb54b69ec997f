import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { main as simCli } from "../../sim/cli.ts";
import {
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
  type RunningSimulator,
} from "../../sim/index.ts";
import { appToken, graph, startTestSimulator } from "./helpers.ts";
import { shapeMismatches } from "./shape.ts";

const DOCS = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../fixtures/graph/graph-docs-subscriptions.json", import.meta.url)),
    "utf8",
  ),
) as { createSubscriptionResponse: unknown; notification: unknown };

/** A subscriber's endpoint: answers Graph's validation as documented and keeps every notification POST. */
interface Receiver {
  url: string;
  posts: { value: Record<string, unknown>[] }[];
  validations: string[];
  /** How the endpoint answers validation: echo (right), or a wrong answer. */
  answer: "echo" | "wrong" | "json";
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { posts: [], validations: [], answer: "echo" } as unknown as Receiver;
  const server: Server = createServer((req, res) => {
    const token = new URL(req.url ?? "/", "http://x").searchParams.get("validationToken");
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (token !== null) {
        receiver.validations.push(token);
        if (receiver.answer === "json") res.writeHead(200, { "content-type": "application/json" });
        else res.writeHead(200, { "content-type": "text/plain" });
        res.end(receiver.answer === "wrong" ? "something else" : token);
        return;
      }
      receiver.posts.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "localhost", () => r()));
  receiver.url = `http://localhost:${(server.address() as AddressInfo).port}/notify`;
  receiver.close = () => new Promise<void>((r) => server.close(() => r()));
  return receiver;
}

let sim: RunningSimulator;
let token: string;
let receiver: Receiver;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const subscribe = (body: Record<string, unknown>) =>
  graph(sim, token, "/subscriptions", {
    method: "POST",
    body: {
      changeType: "updated,deleted",
      notificationUrl: receiver.url,
      lifecycleNotificationUrl: receiver.url,
      resource: "users",
      expirationDateTime: inDays(20),
      clientState: "secretClientValue",
      ...body,
    },
  });
const notifications = () => receiver.posts.flatMap((p) => p.value);

beforeAll(async () => {
  sim = await startTestSimulator();
  token = await appToken(sim);
  receiver = await startReceiver();
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

beforeEach(() => {
  for (const s of sim.directory.listSubscriptions(DEMO_TENANT_ID)) sim.directory.subscriptions.remove(s.id);
  sim.directory.setNotificationDelivery({ mode: "deliver" });
  receiver.posts.length = 0;
  receiver.validations.length = 0;
  receiver.answer = "echo";
});

describe("subscriptions", () => {
  it("creates one after the validation handshake, in the documented shape, and lists, renews and deletes it", async () => {
    const created = await subscribe({});
    expect(created.status).toBe(201);
    expect(receiver.validations.length).toBe(2); // notification and lifecycle URLs
    expect(shapeMismatches(DOCS.createSubscriptionResponse, created.body)).toEqual([]);
    expect(created.body.applicationId).toBe(DEMO_CUSTOMER_APP.clientId);

    const id = created.body.id as string;
    const list = await graph(sim, token, "/subscriptions");
    expect(list.body.value.map((s: { id: string }) => s.id)).toEqual([id]);

    const renewed = await graph(sim, token, `/subscriptions/${id}`, {
      method: "PATCH",
      body: { expirationDateTime: inDays(28) },
    });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.expirationDateTime)).toBeGreaterThan(Date.now() + 27 * 86_400_000);

    expect((await graph(sim, token, `/subscriptions/${id}`, { method: "DELETE" })).status).toBe(204);
    const gone = await graph(sim, token, `/subscriptions/${id}`);
    expect(gone.status).toBe(404);
  });

  it("refuses an endpoint that does not echo the token as text/plain", async () => {
    receiver.answer = "wrong";
    const wrong = await subscribe({});
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("ValidationError");
    receiver.answer = "json";
    expect((await subscribe({})).status).toBe(400);
    expect(sim.directory.listSubscriptions(DEMO_TENANT_ID)).toEqual([]);
  });

  it("holds expiration to Graph's limit for users and groups and answers errors naming the problem", async () => {
    const tooLong = await subscribe({ expirationDateTime: inDays(30) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain("41760 minutes");
    expect((await subscribe({ expirationDateTime: inDays(-1) })).status).toBe(400);
    const http = await subscribe({ notificationUrl: "http://example.com/notify" });
    expect(http.body.error.message).toContain("HTTPS");
    const created = await subscribe({ changeType: "created" });
    expect(created.status).toBe(400);
    expect((await subscribe({ resource: "me/messages" })).status).toBe(400);
  });

  it("needs read permission on the resource", async () => {
    sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["User.Read.All"]);
    try {
      const limited = await appToken(sim);
      const refused = await graph(sim, limited, "/subscriptions", {
        method: "POST",
        body: {
          changeType: "updated",
          notificationUrl: receiver.url,
          resource: "groups",
          expirationDateTime: inDays(1),
        },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe("Authorization_RequestDenied");
    } finally {
      sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
        "GroupMember.Read.All",
        "Group.Read.All",
        "ProfilePhoto.Read.All",
        "RoleManagement.Read.Directory",
        "AdministrativeUnit.Read.All",
      ]);
    }
  });
});

describe("notifications", () => {
  it("posts a change to a user in the documented payload shape with the subscription's clientState", async () => {
    const sub = (await subscribe({})).body;
    sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Notified" });
    await sim.directory.subscriptions.settle();
    // The documented example is an Outlook message; @odata.etag is documented for Outlook resources only.
    const documented = structuredClone(DOCS.notification) as {
      value: { resourceData: Record<string, unknown> }[];
    };
    for (const item of documented.value) delete item.resourceData["@odata.etag"];
    expect(shapeMismatches(documented, receiver.posts[0])).toEqual([]);
    const [n] = notifications();
    expect(n).toMatchObject({
      subscriptionId: sub.id,
      clientState: "secretClientValue",
      changeType: "updated",
      resource: `Users/${DEMO_ORDINARY_USER_ID}`,
      tenantId: DEMO_TENANT_ID,
      resourceData: { id: DEMO_ORDINARY_USER_ID, "@odata.type": "#Microsoft.Graph.User" },
    });
  });

  it("batches a burst into few POSTs and reports group member changes with members@delta", async () => {
    await subscribe({ resource: "groups" });
    const group = sim.directory.addGroup(DEMO_TENANT_ID, { displayName: "Burst" });
    const users = sim.directory.listUsers(DEMO_TENANT_ID).slice(0, 30);
    for (const u of users) sim.directory.addMember(DEMO_TENANT_ID, group.id, u.id);
    await sim.directory.subscriptions.settle();
    expect(notifications().length).toBe(31);
    expect(receiver.posts.length).toBeLessThanOrEqual(2);
    const member = notifications().find((n) => (n.resourceData as Record<string, unknown>)["members@delta"]);
    expect(member?.resource).toBe(`Groups/${group.id}`);
  });

  it("reports permanent deletion as deleted and soft deletion as updated", async () => {
    await subscribe({});
    const u = sim.directory.addUser(DEMO_TENANT_ID, {
      displayName: "Short Lived",
      givenName: "S",
      surname: "L",
    });
    sim.directory.softDeleteUser(DEMO_TENANT_ID, u.id);
    sim.directory.hardDeleteUser(DEMO_TENANT_ID, u.id);
    await sim.directory.subscriptions.settle();
    expect(notifications().map((n) => n.changeType)).toEqual(["updated", "updated", "deleted"]);
  });

  it("drops or delays notifications on demand", async () => {
    await subscribe({});
    sim.directory.setNotificationDelivery({ mode: "drop" });
    sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Dropped" });
    await sim.directory.subscriptions.settle();
    expect(notifications()).toEqual([]);
    sim.directory.setNotificationDelivery({ mode: "delay", delayMs: 300 });
    sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Delayed" });
    await new Promise((r) => setTimeout(r, 150));
    expect(notifications()).toEqual([]);
    await sim.directory.subscriptions.settle();
    expect(notifications().length).toBe(1);
  });

  it("sends lifecycle events from the CLI; subscriptionRemoved removes the subscription", async () => {
    const sub = (await subscribe({})).body;
    process.env.SIM_URL = sim.url;
    const out = process.stdout.write;
    process.stdout.write = () => true;
    try {
      expect(await simCli(["lifecycle", sub.id, "reauthorizationRequired"])).toBe(0);
      // Until the app reauthorizes, changes are not delivered.
      sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Held" });
      await sim.directory.subscriptions.settle();
      expect(notifications().map((n) => n.lifecycleEvent)).toEqual(["reauthorizationRequired"]);
      const reauth = await graph(sim, token, `/subscriptions/${sub.id}/reauthorize`, { method: "POST" });
      expect(reauth.status).toBe(204);
      expect(await simCli(["lifecycle", sub.id, "missed"])).toBe(0);
      expect(await simCli(["lifecycle", sub.id, "subscriptionRemoved"])).toBe(0);
    } finally {
      process.stdout.write = out;
      delete process.env.SIM_URL;
    }
    await sim.directory.subscriptions.settle();
    expect(notifications().map((n) => n.lifecycleEvent)).toEqual([
      "reauthorizationRequired",
      "missed",
      "subscriptionRemoved",
    ]);
    expect(notifications()[2]).toMatchObject({
      subscriptionId: sub.id,
      tenantId: DEMO_TENANT_ID,
      clientState: "secretClientValue",
    });
    expect((await graph(sim, token, `/subscriptions/${sub.id}`)).status).toBe(404);
  });
});
