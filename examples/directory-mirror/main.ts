/**
 * Keeps a local copy of your directory and prints what changes, the way your application would:
 *
 *   DIRECTORY_SYNC_URL=https://sync.example.com DIRECTORY_SYNC_KEY=eds_… npx tsx examples/directory-mirror/main.ts
 *
 * With WEBHOOK_SECRET and WEBHOOK_PORT set it also listens for signed webhook deliveries; without them it
 * polls the change feed every few seconds. Either way it starts from a snapshot and never misses a change.
 */
import { createServer } from "node:http";
import { DirectoryMirror } from "./mirror.ts";

const baseUrl = process.env.DIRECTORY_SYNC_URL ?? "http://localhost:3978";
const apiKey = process.env.DIRECTORY_SYNC_KEY;
if (!apiKey) {
  console.error(
    "Set DIRECTORY_SYNC_KEY to an API key with directory:read and events:read (tab: API and webhooks).",
  );
  process.exit(1);
}
const mirror = new DirectoryMirror({ baseUrl, apiKey });
await mirror.snapshot();
const count = (kind: string) => mirror.contents().filter((o) => o.object === kind).length;
console.log(
  `Snapshot: ${count("profile")} profiles, ${count("list")} lists, ${count("membership")} memberships; feed at ${mirror.cursor}`,
);

const secret = process.env.WEBHOOK_SECRET;
if (secret) {
  const port = Number(process.env.WEBHOOK_PORT ?? 8787);
  createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      try {
        const changed = mirror.receiveWebhook(secret, req.headers as Record<string, string>, body);
        if (changed) console.log(`webhook ${req.headers["webhook-id"]}: applied`);
        res.writeHead(204).end();
      } catch (err) {
        res.writeHead(400).end((err as Error).message);
      }
    });
  }).listen(port, () => console.log(`Listening for webhooks on http://localhost:${port}/`));
}
// The feed is the source of truth: polling it also repairs anything a webhook outage left out.
for (;;) {
  const applied = await mirror.catchUp();
  if (applied > 0) console.log(`feed: ${applied} changes applied, now at ${mirror.cursor}`);
  await new Promise((r) => setTimeout(r, Number(process.env.POLL_SECONDS ?? 5) * 1000));
}
