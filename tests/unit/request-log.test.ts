import { describe, expect, it } from "vitest";
import { withoutSecrets } from "../../api/http/app.ts";

describe("request log lines", () => {
  it("drop one-time codes, state and session headers from sign-in and consent callbacks", () => {
    const logged = withoutSecrets({
      url: "/auth/callback?code=0.AAA-one-time-code&state=signed-state",
      query: { code: "0.AAA-one-time-code", state: "signed-state" },
      headers: {
        authorization: "Bearer eyJ",
        cookie: "session=abc",
        "x-csrf-token": "csrf",
        accept: "text/html",
      },
    });
    expect(JSON.stringify(logged)).not.toMatch(/one-time-code|signed-state|eyJ|session=abc|csrf/);
    expect(logged).toMatchObject({ url: "/auth/callback", headers: { accept: "text/html" } });
  });

  it("keep ordinary API query strings for troubleshooting", () => {
    expect(withoutSecrets({ url: "/api/tasks?status=failed", query: { status: "failed" } })).toMatchObject({
      url: "/api/tasks?status=failed",
      query: { status: "failed" },
    });
  });
});
