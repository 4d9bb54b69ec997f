import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { href } from "../../api/contract/tab-routes.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID as T } from "../../sim/index.ts";
import { createScimConnection } from "../support/scim.ts";
import { type AdminSession, startAdminSession } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot } from "./support/browser.ts";

/**
 * A person pulled over Graph and pushed over SCIM is one profile; an admin opening it in the tab sees which
 * connection wrote each field, by the connections' names.
 */
describe("a profile written by a pull and a push connection", () => {
  let session: AdminSession;

  beforeAll(async () => {
    session = await startAdminSession();
  });
  afterAll(() => session?.close());

  it("shows, per field, the connection that wrote it", async () => {
    const { stack, page } = session;
    const admin = await stack.adminToken();
    const person = stack.sim.directory.addUser(T, {
      displayName: "Owned Twice",
      givenName: "Owned",
      surname: "Twice",
      mail: "owned.twice@M365x214355.onmicrosoft.com",
      accountEnabled: true,
      userType: "Member",
    });
    const graph = await session.call<{ id: string }>("POST", "/api/connections", {
      name: "Graph pull",
      kind: "graph-app",
      clientId: DEMO_CUSTOMER_APP.clientId,
      clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      allowConcurrent: true,
    });
    expect((await session.runTask(graph.id)).status).toBe("succeeded");
    const push = await createScimConnection(stack, admin, { name: "Entra push", allowConcurrent: true });
    const pushed = await push.scim("/Users", {
      method: "POST",
      json: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        externalId: person.id,
        userName: person.userPrincipalName,
        active: true,
        name: { givenName: "Other", familyName: "Name" },
        title: "Pushed title",
        emails: [{ type: "work", primary: true, value: "owned.twice@M365x214355.onmicrosoft.com" }],
      },
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);

    const profiles = await session.call<{ items: { id: string; sourceId: string }[] }>(
      "GET",
      `/api/profiles?q=${encodeURIComponent("Owned Twice")}`,
    );
    const profile = profiles.items.filter((p) => p.sourceId === person.id);
    expect(profile).toHaveLength(1);

    await page.goto(`/${href({ name: "profile", id: profile[0]?.id ?? "" })}`);
    const fields = page.getByRole("table", { name: "Profile fields" });
    await fields.getByRole("columnheader", { name: "Written by" }).waitFor();
    const cells = (field: string) =>
      fields.getByRole("row").filter({ hasText: field }).getByRole("cell").allTextContents();
    await expect.poll(() => cells("jobTitle")).toEqual(["jobTitle", "Pushed title", "Entra push"]);
    expect(await cells("firstName")).toEqual(["firstName", "Owned", "Graph pull"]);
    await expectAccessible(page, "profile written by two connections");
    await saveScreenshot(page, "profile-field-owners", "light");
  });
});
