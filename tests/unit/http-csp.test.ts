import type { AddressInfo } from "node:net";
import { Router } from "express";
import { describe, expect, it } from "vitest";
import { createHttpApp } from "../../api/http/app.ts";
import { createLogger } from "../../api/logger.ts";

/** The directives of the Content-Security-Policy header, by name. */
const directives = (header: string) =>
  Object.fromEntries(
    header
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );

/** The headers the HTTP app answers a plain request with. */
async function responseHeaders(): Promise<Headers> {
  const app = createHttpApp({
    logger: createLogger("silent"),
    checks: [],
    publicRoutes: [],
    authenticate: (_req, _res, next) => next(),
    apiRoutes: [Router()],
  });
  const server = app.listen(0);
  try {
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    return (await fetch(`http://localhost:${port}/healthz`)).headers;
  } finally {
    server.close();
  }
}

describe("security headers", () => {
  it("lets the tab load and use teams-js from the Office CDN, and be framed by Teams only", async () => {
    const headers = await responseHeaders();
    const csp = directives(headers.get("content-security-policy") ?? "");
    expect(csp["script-src"]).toEqual(["'self'", "https://res.cdn.office.net"]);
    expect(csp["connect-src"]).toEqual(["'self'", "https://res.cdn.office.net"]);
    expect(csp["frame-ancestors"]).toContain("https://teams.microsoft.com");
    expect(headers.get("x-frame-options")).toBeNull();
  });

  it("lets every host Microsoft lists frame the tab: Teams, the Microsoft 365 app and Outlook", async () => {
    const csp = directives((await responseHeaders()).get("content-security-policy") ?? "");
    // Microsoft's table of frame ancestors for tabs across Microsoft 365 (Teams platform documentation).
    expect(csp["frame-ancestors"]).toEqual([
      "'self'",
      "https://*.cloud.microsoft",
      "https://teams.microsoft.com",
      "https://*.teams.microsoft.com",
      "https://*.microsoft365.com",
      "https://*.office.com",
      "https://outlook.office.com",
      "https://outlook.office365.com",
      "https://outlook-sdf.office.com",
      "https://outlook-sdf.office365.com",
      "https://outlook.live.com",
    ]);
  });

  it("sets no opener policy, so the consent pop-up can report back to Teams or the tab", async () => {
    expect((await responseHeaders()).get("cross-origin-opener-policy")).toBeNull();
  });
});
