// @ts-check
/**
 * The browser side of the Teams stand-in: runs in the host page, frames the tab and answers the teams-js
 * postMessage calls the tab makes, as the Teams web client does. Requests are `{ id, uuidAsString, func,
 * args }`; answers echo the ids with `args`; host events are `{ func, args }` without an id. Plain
 * JavaScript served as is, so that no build step leaves helpers in it that the page lacks.
 *
 * Reads its settings from the JSON script `#teams-host-config`: tabUrl, tenantId, userObjectId, upn, theme,
 * subEntityId (optional, from a deep link) and tokenBinding (the page function that returns a fresh SSO token for the user).
 */
(() => {
  const configElement = document.getElementById("teams-host-config");
  const config = JSON.parse(configElement?.textContent ?? "{}");
  const tabOrigin = new URL(config.tabUrl).origin;
  // What a current Teams web client declares: runtime API v4 and the capabilities the tab relies on.
  const runtime = JSON.stringify({
    apiVersion: 4,
    hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
    isLegacyTeams: false,
    supports: { app: {}, appEntity: {}, authentication: {}, pages: { config: {}, tabs: {} }, teamsCore: {} },
  });
  /** @type {Record<string, any>} */
  const host = /** @type {any} */ (window);
  let theme = config.theme;
  /** @type {Window | null} */
  let authWindow = null;
  /** @type {{ request: any, target: Window } | undefined} */
  let pendingAuth;

  const frame = document.createElement("iframe");
  frame.title = "Directory Sync";
  frame.src = config.tabUrl;
  document.body.append(frame);

  /** @type {string[]} */
  const calls = [];
  host.teamsCalls = calls;
  host.setTeamsTheme = (/** @type {string} */ next) => {
    theme = next;
    frame.contentWindow?.postMessage({ func: "themeChange", args: [next] }, tabOrigin);
  };

  const answer = (/** @type {Window} */ target, /** @type {any} */ request, /** @type {unknown[]} */ args) =>
    target.postMessage({ id: request.id, uuidAsString: request.uuidAsString, args }, tabOrigin);

  const context = (/** @type {string} */ frameContext) => ({
    tid: config.tenantId,
    userObjectId: config.userObjectId,
    userPrincipalName: config.upn,
    loginHint: config.upn,
    theme,
    locale: "en-us",
    hostName: "Teams",
    hostClientType: "web",
    frameContext,
    entityId: "directory-sync",
    // A deep link's context.subEntityId; teams-js hands it to the tab as page.subPageId.
    ...(config.subEntityId ? { subEntityId: config.subEntityId } : {}),
    appSessionId: "00000000-0000-4000-8000-000000000001",
    sessionId: "00000000-0000-4000-8000-000000000002",
  });

  const finishAuth = (/** @type {unknown[]} */ args) => {
    if (!pendingAuth) return;
    answer(pendingAuth.target, pendingAuth.request, args);
    pendingAuth = undefined;
    authWindow?.close();
    authWindow = null;
  };

  /** Teams opens the authentication window itself and reports a window closed early as cancelled. */
  const openAuthWindow = (/** @type {any} */ request, /** @type {Window} */ target) => {
    const [url, width = 600, height = 535] = request.args ?? [];
    pendingAuth = { request, target };
    authWindow = window.open(url, "_blank", `popup,width=${width},height=${height}`);
    const watch = setInterval(() => {
      if (authWindow && !authWindow.closed) return;
      clearInterval(watch);
      finishAuth([false, "CancelledByUser"]);
    }, 200);
  };

  window.addEventListener("message", (event) => {
    const request = event.data;
    const source = /** @type {Window | null} */ (event.source);
    // Teams answers only the app's own origin, and only requests (events carry no numeric id).
    if (event.origin !== tabOrigin || !source || typeof request?.id !== "number") return;
    if (typeof request.func !== "string") return;
    calls.push(request.func);
    const inAuthWindow = source === authWindow;
    switch (request.func) {
      case "initialize":
        answer(source, request, [inAuthWindow ? "authentication" : "content", "web", runtime, "2.58.0"]);
        break;
      case "getContext":
        answer(source, request, [context(inAuthWindow ? "authentication" : "content")]);
        break;
      case "authentication.getAuthToken":
        host[config.tokenBinding]().then(
          (/** @type {string} */ token) => answer(source, request, [true, token]),
          () => answer(source, request, [false, "resourceRequiresConsent"]),
        );
        break;
      case "authentication.authenticate":
        openAuthWindow(request, source);
        break;
      case "authentication.authenticate.success":
        if (inAuthWindow) finishAuth([true, request.args?.[0]]);
        break;
      case "authentication.authenticate.failure":
        if (inAuthWindow) finishAuth([false, request.args?.[0]]);
        break;
      // appInitialization.success, registerHandler and the like need no answer.
    }
  });
})();
