import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pollUntil, startFullStack } from "../support/full-stack.ts";
import { ConnectorStandIn } from "./support/connector-stand-in.ts";

/**
 * bot/README.md step 2 starts the Microsoft 365 Agents Playground in the repository root, where it loads
 * `.m365agentsplayground.yml`. The Playground checks that file with its own JSON schema and rules when it
 * starts and exits when they fail, so the test starts the Playground itself (the version package.json
 * pins, the newest on npm when this was written) with the shipped file, as the README says to.
 */
const CONFIG = ".m365agentsplayground.yml";
const CLI = createRequire(import.meta.url).resolve("@microsoft/m365agentsplayground/cli.js");
const PROBES = 100;
const CHANNEL = "channel-directory-sync-admins";
const JSON_HEADERS = { "content-type": "application/json" };

interface Started {
  process: ChildProcess;
  port?: number;
  exitCode?: number | null;
  log: () => Promise<string>;
}

const running: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of running.splice(0)) child.kill();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/**
 * Starts the Playground on a free port as bot/README.md step 2 does: in the repository root, where it reads
 * `.m365agentsplayground.yml`, or with `configPath` instead. Resolves once it serves or has exited.
 */
async function startPlayground(
  options: { configPath?: string; endpoint?: string; serviceUrl?: string } = {},
): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), "playground-"));
  dirs.push(dir);
  const logFile = join(dir, "playground.log");
  const endpoint = options.endpoint ?? "http://127.0.0.1:9/api/messages";
  const child = spawn(
    process.execPath,
    [
      CLI,
      ...["-e", endpoint, "-c", "msteams", "-p", "0", "--dt"],
      ...(options.serviceUrl ? ["--su", options.serviceUrl] : []),
    ],
    {
      cwd: process.cwd(),
      env: {
        ...process.env,
        ...(options.configPath ? { M365_AGENTS_PLAYGROUND_CONFIG_PATH: options.configPath } : {}),
        TEAMSAPPTESTER_LOGFILE: logFile,
        TEAMSAPPTESTER_BROWSER: "none",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.push(child);
  const started: Started = { process: child, log: () => readFile(logFile, "utf8").catch(() => "") };
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      started.exitCode = code;
      resolve();
    }),
  );
  // It prints the port before it reads the config, so "serving" means its config API answers.
  for (let probe = 0; probe < PROBES && started.exitCode === undefined; probe++) {
    const port = Number(/Listening on (\d+)/.exec(output)?.[1]);
    if (port) {
      const answer = await fetch(`http://127.0.0.1:${port}/_internal/v1/testConfig`).catch(() => undefined);
      if (answer?.ok) {
        started.port = port;
        return started;
      }
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 200))]);
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  return started;
}

describe("the Microsoft 365 Agents Playground with the shipped config", () => {
  it("starts, and shows the simulated tenant's admins, people and admin channel", async () => {
    const started = await startPlayground();
    expect(started.exitCode, await started.log()).toBeUndefined();
    expect(started.port).toBeGreaterThan(0);
    const { config } = (await (
      await fetch(`http://127.0.0.1:${started.port}/_internal/v1/testConfig`)
    ).json()) as {
      config: {
        tenantId: string;
        currentUser: { name: string; aadObjectId: string };
        users: { name: string }[];
        teams: { name: string; channels: { name: string }[] }[];
      };
    };
    expect(config.tenantId).toBe("2f1c7a3e-4b9d-4e61-8a52-6d0c3b9e7f14");
    expect(config.currentUser).toMatchObject({
      name: "MOD Administrator",
      aadObjectId: "5bde3e51-d13b-4db1-9948-fe4b109d11a7",
    });
    expect(config.users.map((u) => u.name)).toEqual(expect.arrayContaining(["Megan Bowen", "Adele Vance"]));
    expect(config.teams[0]?.name).toBe("Contoso IT");
    expect(config.teams[0]?.channels.map((c) => c.name)).toEqual(["General", "Directory sync admins"]);
  });

  it("refuses a config it does not accept, so the check above can tell", async () => {
    // The file as it was before: two users and two channels, which the Playground rejects at start.
    const shipped = await readFile(CONFIG, "utf8");
    const extraUsers = shipped.indexOf("  # Three more people");
    const before =
      shipped.slice(0, extraUsers) +
      shipped.slice(shipped.indexOf("personalChat:")) +
      "    - id: channel-announcements\n      name: Announcements\n";
    expect(before).not.toContain("Alex Wilber");
    const dir = await mkdtemp(join(tmpdir(), "playground-config-"));
    dirs.push(dir);
    const broken = join(dir, CONFIG);
    await writeFile(broken, before);
    const started = await startPlayground({ configPath: broken });
    expect(started.port).toBeUndefined();
    expect(started.exitCode).toBe(1);
    expect(await started.log()).toContain('YAML path "/users": must NOT have fewer than 5 items');
  });

  it("talks to the bot: its install and typed commands reach the endpoint, and the answers come back", async () => {
    const connector = new ConnectorStandIn();
    await connector.start();
    const stack = await startFullStack();
    try {
      // Replies go to the service URL the Playground puts on its activities: here, a recording stand-in.
      const started = await startPlayground({
        endpoint: `${stack.url}/api/messages`,
        serviceUrl: connector.serviceUrl,
      });
      expect(started.exitCode, await started.log()).toBeUndefined();
      const api = `http://127.0.0.1:${started.port}/_internal/v1/customActivities`;
      const template = async (query: string) =>
        (await (await fetch(`${api}/template?${query}`)).json()) as Record<string, unknown>;
      const send = async (activity: Record<string, unknown>) => {
        const from = connector.calls.length;
        expect(
          (await fetch(api, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(activity) })).ok,
        ).toBe(true);
        return pollUntil("the bot's answer", async () => {
          const card = connector.cards().find((c) => connector.calls.indexOf(c.call) >= from);
          return card ? JSON.stringify(card.card) : undefined;
        });
      };

      // Mock an Activity > Install application, in the admin channel.
      const install = await template(`conversationId=${CHANNEL}&type=install`);
      expect(await send(install)).toContain("Directory Sync is here");
      // A message typed there: the Playground's activity for the channel, with the channel's Teams data.
      const typed = { ...(await template(`conversationId=${CHANNEL}`)), channelData: install.channelData };
      expect(await send({ ...typed, type: "message", text: "help" })).toContain("What I can do");
      expect(await send({ ...typed, type: "message", text: "status" })).toContain("No connection yet");
    } finally {
      await stack.close();
      await connector.close();
    }
  });
});
