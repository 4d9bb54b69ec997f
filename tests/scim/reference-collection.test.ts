import { readFileSync } from "node:fs";
import newman from "newman";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCIM_PATH_PREFIX } from "../../api/contract/scim.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { createScimConnection, type ScimConnection } from "../support/scim.ts";

const COLLECTION = "tests/fixtures/scim/microsoft-scim-reference.postman_collection.json";
/** Every pm.test of the collection but the one in "Get Token", which this endpoint does not offer. */
const ASSERTIONS = 107;

/**
 * Microsoft's SCIM reference test collection, run with newman against the running endpoint. Its first
 * folder asks `GET {Api}/Token` for a token with no credentials at all; the endpoint hands out tokens only
 * to admins (shown once in the tab), so that folder is left out and the connection's token is passed in.
 */
describe("Microsoft's SCIM reference collection against the SCIM endpoint", () => {
  let s: FullStack;
  let connection: ScimConnection;

  beforeAll(async () => {
    s = await startFullStack();
    const admin = await s.adminToken();
    // The collection deletes every user it made within seconds: that is its teardown, not an accident.
    connection = await createScimConnection(s, admin, {
      settings: { deletionGuard: { enabled: false } },
    });
  });
  afterAll(() => s?.close());

  it("passes every one of its assertions", async () => {
    const collection = JSON.parse(readFileSync(COLLECTION, "utf8")) as { item: { name: string }[] };
    const runnable = { ...collection, item: collection.item.filter((i) => i.name !== "Get Token") };
    const port = new URL(s.url).port;
    const summary = await new Promise<Parameters<Parameters<typeof newman.run>[1]>[1]>((resolve, reject) =>
      newman.run(
        {
          collection: runnable,
          envVar: [
            { key: "Protocol", value: "http" },
            { key: "Server", value: "localhost" },
            { key: "Port", value: `:${port}` },
            { key: "Api", value: `${SCIM_PATH_PREFIX.slice(1)}/${connection.id}` },
            { key: "token", value: connection.token },
          ],
          reporters: [],
          timeoutRequest: 30_000,
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      ),
    );
    const failures = summary.run.failures.map(
      (f) => `${f.source?.name ?? "?"}: ${f.error.test ?? ""} ${f.error.message}`,
    );
    expect(failures).toEqual([]);
    expect(summary.run.stats.assertions.total).toBe(ASSERTIONS);
    expect(summary.run.stats.assertions.failed).toBe(0);
  }, 180_000);
});
