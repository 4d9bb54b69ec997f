import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { networkInterfaces } from "node:os";
import express from "express";
import { exportJWK, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BotConfig, createBotModule } from "../../api/app/bot-module.ts";
import { createBotRecords } from "../../api/app/bot-records.ts";
import { EventBus } from "../../api/events.ts";
import type { Store } from "../../api/store/store.ts";
import { startFullStack } from "../support/full-stack.ts";
import { startTestStore } from "../support/stack.ts";
import { installation, message } from "./support/activities.ts";
import { ConnectorStandIn } from "./support/connector-stand-in.ts";
import { FakeSync } from "./support/fake-sync.ts";
import { ADMIN, silentLogger, TEAM_ID, TENANT } from "./support/fixtures.ts";

const BOT_APP_ID = "11111111-2222-3333-4444-555555555555";
const CONNECTOR_ISSUER = "https://api.botframework.com";

let stack: Awaited<ReturnType<typeof startTestStore>>;
let store: Store;
let sync: FakeSync;

beforeAll(async () => {
  stack = await startTestStore();
  store = stack.store;
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  sync = new FakeSync(store);
  sync.admins.add(ADMIN.oid);
  await store.conversations.delete(TENANT, TENANT);
});

const listen = (handler: Parameters<typeof createServer>[1]) =>
  new Promise<Server>((resolve) => {
    const s = createServer(handler);
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as AddressInfo).port;
const closeServer = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

/** The bot module's endpoint on its own port, configured like the product would be. */
async function endpointWith(config: Omit<BotConfig, "publicUrl">) {
  const module = createBotModule({
    config: { publicUrl: "https://sync.example.test", ...config },
    records: createBotRecords(store),
    events: new EventBus(store),
    sync,
    logger: silentLogger,
  });
  const app = express();
  app.use(module.router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    post: (activity: object, authorization?: string) =>
      fetch(`http://127.0.0.1:${portOf(server)}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(activity),
      }),
    async close() {
      module.close();
      await closeServer(server);
    },
  };
}

/**
 * The Bot Framework's key publication as the connector's OpenID metadata serves it: a configuration naming a
 * JWKS whose keys carry the channels they may sign for. Tokens signed with `sign` are what the connector sends.
 */
async function connectorKeys() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: "connector-key",
    use: "sig",
    endorsements: ["msteams"],
  };
  const server = await listen((req, res) => {
    res.setHeader("content-type", "application/json");
    const base = `http://127.0.0.1:${portOf(server)}`;
    if (req.url === "/v1/.well-known/openidconfiguration")
      res.end(JSON.stringify({ issuer: CONNECTOR_ISSUER, jwks_uri: `${base}/v1/keys` }));
    else res.end(JSON.stringify({ keys: [jwk] }));
  });
  return {
    metadataUrl: `http://127.0.0.1:${portOf(server)}/v1/.well-known/openidconfiguration`,
    sign: (serviceUrl: string, key = privateKey) =>
      new SignJWT({ serviceurl: serviceUrl })
        .setProtectedHeader({ alg: "RS256", kid: "connector-key" })
        .setIssuer(CONNECTOR_ISSUER)
        .setAudience(BOT_APP_ID)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(key),
    close: () => closeServer(server),
  };
}

const noInternals = (text: string) => {
  expect(text).not.toMatch(/ECONNREFUSED|ENOTFOUND|fetch|127\.0\.0\.1|openid|\bat \S+ \(|stack/i);
};

describe("the bot endpoint in unsigned mode (the local stack)", () => {
  it("listens on the loopback address only, so no other machine can send it unsigned activities", async () => {
    const full = await startFullStack();
    try {
      const port = Number(new URL(full.url).port);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const external = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal && a.family === "IPv4")
        .map((a) => a?.address as string);
      // Every address of this machine that the network can reach refuses the connection.
      for (const address of external) {
        const outcome = await new Promise<string>((resolve) => {
          const socket = connect({ host: address, port }, () => {
            socket.destroy();
            resolve("connected");
          });
          socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
        });
        expect(outcome, `${address}:${port}`).toBe("ECONNREFUSED");
      }
    } finally {
      await full.close();
    }
  });

  it("a stored alert channel keeps its service URL when an unsigned activity names another", async () => {
    const teams = new ConnectorStandIn();
    const attacker = new ConnectorStandIn();
    await teams.start();
    await attacker.start();
    const endpoint = await endpointWith({ BOT_ALLOW_UNSIGNED: true });
    try {
      const install = installation("add", { teamId: TEAM_ID, serviceUrl: teams.serviceUrl, person: ADMIN });
      expect((await endpoint.post(install)).status).toBe(200);
      expect((await store.conversations.get(TENANT, TENANT))?.reference.serviceUrl).toBe(teams.serviceUrl);

      // "set channel" and a reinstall, both pointing the conversation at another service URL.
      const setChannel = { ...message("set channel", ADMIN), serviceUrl: attacker.serviceUrl };
      expect((await endpoint.post(setChannel)).status).toBe(200);
      const reinstall = installation("add-upgrade", {
        teamId: TEAM_ID,
        serviceUrl: attacker.serviceUrl,
        person: ADMIN,
      });
      expect((await endpoint.post(reinstall)).status).toBe(200);

      expect((await store.conversations.get(TENANT, TENANT))?.reference.serviceUrl).toBe(teams.serviceUrl);
    } finally {
      await endpoint.close();
      await teams.close();
      await attacker.close();
    }
  });
});

describe("the bot endpoint in signed mode", () => {
  it("refuses a correctly signed activity whose serviceUrl is not a Bot Connector host, and posts nothing there", async () => {
    const keys = await connectorKeys();
    const attacker = new ConnectorStandIn();
    await attacker.start();
    const endpoint = await endpointWith({
      BOT_APP_ID,
      BOT_APP_PASSWORD: "not-used",
      BOT_OPENID_METADATA: keys.metadataUrl,
    });
    try {
      const activity = { ...message("sync now", ADMIN), serviceUrl: attacker.serviceUrl };
      const refused = await endpoint.post(activity, `Bearer ${await keys.sign(attacker.serviceUrl)}`);
      expect(refused.status).toBe(403);
      expect((await refused.json()).error).toMatchObject({ code: "service-url-refused" });
      expect(attacker.calls).toEqual([]);
      expect(sync.calls).toEqual([]);

      // The same signature over a Teams service URL is taken: the bot forgets the channel it was removed from.
      await store.conversations.upsert({
        id: TENANT,
        tenantId: TENANT,
        type: "conversation",
        reference: { serviceUrl: "https://smba.trafficmanager.net/emea/" },
        teamId: TEAM_ID,
        updatedAt: new Date().toISOString(),
      });
      const teamsUrl = "https://smba.trafficmanager.net/emea/";
      const removal = installation("remove", { teamId: TEAM_ID, serviceUrl: teamsUrl, person: ADMIN });
      const taken = await endpoint.post(removal, `Bearer ${await keys.sign(teamsUrl)}`);
      expect(taken.status).toBe(200);
      expect(await store.conversations.get(TENANT, TENANT)).toBeUndefined();
    } finally {
      await endpoint.close();
      await attacker.close();
      await keys.close();
    }
  });

  it("a forged token while the Bot Framework's keys are unreachable gets 503 without internals", async () => {
    const keys = await connectorKeys();
    // A port nothing listens on: the key endpoint cannot be reached.
    const closed = await listen(() => undefined);
    const unreachable = `http://127.0.0.1:${portOf(closed)}/v1/.well-known/openidconfiguration`;
    await closeServer(closed);
    const endpoint = await endpointWith({
      BOT_APP_ID,
      BOT_APP_PASSWORD: "not-used",
      BOT_OPENID_METADATA: unreachable,
    });
    try {
      const teamsUrl = "https://smba.trafficmanager.net/emea/";
      const forged = await keys.sign(teamsUrl);
      const response = await endpoint.post(
        { ...message("sync now", ADMIN), serviceUrl: teamsUrl },
        `Bearer ${forged}`,
      );
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text).error).toMatchObject({ code: "sender-unverifiable" });
      noInternals(text);
      expect(sync.calls).toEqual([]);
    } finally {
      await endpoint.close();
      await keys.close();
    }
  });

  it("a token signed by another key gets 401 without internals", async () => {
    const keys = await connectorKeys();
    const endpoint = await endpointWith({
      BOT_APP_ID,
      BOT_APP_PASSWORD: "not-used",
      BOT_OPENID_METADATA: keys.metadataUrl,
    });
    try {
      const teamsUrl = "https://smba.trafficmanager.net/emea/";
      const { privateKey: otherKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const response = await endpoint.post(
        { ...message("sync now", ADMIN), serviceUrl: teamsUrl },
        `Bearer ${await keys.sign(teamsUrl, otherKey)}`,
      );
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(JSON.parse(text).error).toMatchObject({ code: "unauthenticated" });
      noInternals(text);
      expect(sync.calls).toEqual([]);
    } finally {
      await endpoint.close();
      await keys.close();
    }
  });
});
