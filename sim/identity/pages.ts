import express, { type Express, type Response } from "express";
import { PRODUCT_APP } from "../constants.ts";
import type { SimDirectory } from "../directory/directory.ts";
import type { TenantState } from "../directory/state.ts";
import type { SimUser } from "../types.ts";
import { esc, formPost, hiddenFields, page, withQuery } from "./html.ts";
import { type GrantStore, parseScopes } from "./tokens.ts";

type Params = Record<string, string | undefined>;
const GENERIC = new Set(["common", "organizations"]);
const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

/** Tenants whose accounts the page offers: one tenant, or all of them for common/organizations. */
function tenantsFor(dir: SimDirectory, segment: string): TenantState[] | undefined {
  if (GENERIC.has(segment)) return [...dir.tenants.values()];
  const t = dir.resolveTenant(segment);
  return t ? [t] : undefined;
}

function accountPicker(tenants: TenantState[], action: string, params: Params, heading: string) {
  const groups = tenants
    .map((t) => {
      const users = [...t.users.values()].filter((u) => u.accountEnabled).slice(0, 200);
      const buttons = users
        .map(
          (u) =>
            `<form method="post" action="${esc(action)}">${hiddenFields({ ...params, tenant_id: t.id, user_id: u.id })}` +
            `<button type="submit" aria-label="Sign in as ${esc(u.displayName)}">${esc(u.displayName)}<br><small>${esc(u.userPrincipalName)}</small></button></form>`,
        )
        .join("");
      return `<section aria-label="${esc(t.displayName)}"><h2>${esc(t.displayName)} (${esc(t.domains[0])})</h2>${buttons}</section>`;
    })
    .join("");
  return page(heading, `<h1>${esc(heading)}</h1>${groups}`);
}

function errorRedirect(res: Response, params: Params, error: string, description: string): void {
  const redirect = params.redirect_uri as string;
  const fields = { error, error_description: description, state: params.state };
  if (params.response_mode === "form_post") res.send(formPost(redirect, fields));
  else res.redirect(302, withQuery(redirect, fields));
}

function requiresConsent(dir: SimDirectory, t: TenantState, clientId: string, scope: string): boolean {
  const grant = dir.grantFor(t.id, clientId);
  const consented = (grant?.delegated ?? []).filter((s) => !OIDC.has(s));
  if (consented.length === 0) return true;
  const req = parseScopes(scope, dir.baseUrl, [PRODUCT_APP.appIdUri, PRODUCT_APP.clientId]);
  if (req.resource !== "graph") return false;
  return req.permissions.some((p) => p !== ".default" && !consented.includes(p));
}

/** Delegated permissions a consent grants: the requested ones, or the app's configured set for `.default`. */
function permissionsToGrant(
  dir: SimDirectory,
  clientId: string,
  scope: string,
): { delegated: string[]; application: string[] } {
  const app = dir.getApp(clientId);
  const req = parseScopes(scope, dir.baseUrl, [PRODUCT_APP.appIdUri, PRODUCT_APP.clientId]);
  const explicit = req.resource === "graph" ? req.permissions.filter((p) => p !== ".default") : [];
  if (explicit.length > 0 && !req.permissions.includes(".default"))
    return { delegated: [...req.oidc, ...explicit], application: [] };
  return {
    delegated: app?.requiredDelegatedPermissions ?? [],
    application: app?.requiredApplicationPermissions ?? [],
  };
}

export function mountPages(app: Express, dir: SimDirectory, grants: GrantStore): void {
  const form = express.urlencoded({ extended: false });

  app.get("/:tenant/oauth2/v2.0/authorize", (req, res) => {
    const params = req.query as Params;
    const tenants = tenantsFor(dir, String(req.params.tenant));
    if (!tenants) {
      res
        .status(400)
        .send(
          page("Error", `<h1 class="err">AADSTS90002: Tenant '${esc(req.params.tenant)}' not found.</h1>`),
        );
      return;
    }
    if (!params.client_id || !dir.getApp(params.client_id) || !params.redirect_uri) {
      res
        .status(400)
        .send(
          page(
            "Error",
            `<h1 class="err">AADSTS700016: Application with identifier '${esc(params.client_id)}' was not found.</h1>`,
          ),
        );
      return;
    }
    res.send(
      accountPicker(tenants, `/${req.params.tenant}/oauth2/v2.0/authorize/select`, params, "Pick an account"),
    );
  });

  app.post("/:tenant/oauth2/v2.0/authorize/select", form, (req, res) => {
    const params = req.body as Params;
    const t = dir.resolveTenant(String(params.tenant_id));
    const user = t?.users.get(String(params.user_id));
    if (!t || !user?.accountEnabled) {
      errorRedirect(res, params, "access_denied", "AADSTS50057: The user account is disabled.");
      return;
    }
    const clientId = String(params.client_id);
    if (!requiresConsent(dir, t, clientId, params.scope ?? "")) {
      issueCode(res, dir, grants, t, user, params);
      return;
    }
    if (!dir.isConsentAdmin(t.id, user.id)) {
      const back = withQuery(String(params.redirect_uri), {
        error: "consent_required",
        error_description: `AADSTS90094: The grant requires admin permission. ${user.userPrincipalName} needs permission to access resources in your organization that only an admin can grant.`,
        state: params.state,
      });
      res
        .status(200)
        .send(
          page(
            "Need admin approval",
            `<h1>Need admin approval</h1><p>${esc(dir.getApp(clientId)?.displayName)} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p><p><a href="${esc(back)}">Return to the application</a></p>`,
          ),
        );
      return;
    }
    res.send(
      consentPage(
        dir,
        `/${req.params.tenant}/oauth2/v2.0/authorize/consent`,
        params,
        clientId,
        params.scope ?? "",
      ),
    );
  });

  app.post("/:tenant/oauth2/v2.0/authorize/consent", form, (req, res) => {
    const params = req.body as Params;
    const t = dir.tenant(String(params.tenant_id));
    const user = dir.getUser(t.id, String(params.user_id));
    if (params.decision !== "accept") {
      errorRedirect(res, params, "access_denied", "AADSTS65004: User declined to consent to access the app.");
      return;
    }
    const perms = permissionsToGrant(dir, String(params.client_id), params.scope ?? "");
    dir.grantDelegatedPermissions(t.id, String(params.client_id), perms.delegated, user.id);
    issueCode(res, dir, grants, t, user, params);
  });

  app.get("/:tenant/v2.0/adminconsent", (req, res) => {
    const params = req.query as Params;
    const tenants = tenantsFor(dir, String(req.params.tenant));
    if (!tenants || !params.client_id || !dir.getApp(params.client_id) || !params.redirect_uri) {
      res
        .status(400)
        .send(
          page(
            "Error",
            `<h1 class="err">AADSTS700016: Application with identifier '${esc(params.client_id)}' was not found.</h1>`,
          ),
        );
      return;
    }
    res.send(
      accountPicker(
        tenants,
        `/${req.params.tenant}/v2.0/adminconsent/select`,
        params,
        "Pick an admin account",
      ),
    );
  });

  app.post("/:tenant/v2.0/adminconsent/select", form, (req, res) => {
    const params = req.body as Params;
    const t = dir.tenant(String(params.tenant_id));
    const user = dir.getUser(t.id, String(params.user_id));
    if (!dir.isConsentAdmin(t.id, user.id)) {
      errorRedirect(res, params, "access_denied", "AADSTS90094: The grant requires admin permission.");
      return;
    }
    res.send(
      consentPage(
        dir,
        `/${req.params.tenant}/v2.0/adminconsent/decide`,
        params,
        String(params.client_id),
        params.scope ?? ".default",
      ),
    );
  });

  app.post("/:tenant/v2.0/adminconsent/decide", form, (req, res) => {
    const params = req.body as Params;
    const t = dir.tenant(String(params.tenant_id));
    const user = dir.getUser(t.id, String(params.user_id));
    const redirect = String(params.redirect_uri);
    if (params.decision !== "accept") {
      res.redirect(
        302,
        withQuery(redirect, {
          error: "access_denied",
          error_subcode: "cancel",
          error_description: "AADSTS65004: User declined to consent to access the app.",
          state: params.state,
        }),
      );
      return;
    }
    const clientId = String(params.client_id);
    const perms = permissionsToGrant(dir, clientId, params.scope ?? ".default");
    dir.grantDelegatedPermissions(t.id, clientId, perms.delegated, user.id);
    if (perms.application.length > 0) dir.grantAppPermissions(t.id, clientId, perms.application);
    const scopeOut = [...perms.delegated, ...perms.application].map((p) =>
      OIDC.has(p) ? p : `https://graph.microsoft.com/${p}`,
    );
    res.redirect(
      302,
      withQuery(redirect, {
        admin_consent: "True",
        tenant: t.id,
        scope: scopeOut.join(" "),
        state: params.state,
      }),
    );
  });
}

function consentPage(
  dir: SimDirectory,
  action: string,
  params: Params,
  clientId: string,
  scope: string,
): string {
  const app = dir.getApp(clientId);
  const perms = permissionsToGrant(dir, clientId, scope);
  const list = [...perms.delegated, ...perms.application.map((p) => `${p} (application)`)]
    .map((p) => `<li>${esc(p)}</li>`)
    .join("");
  const button = (decision: string, label: string, cls = "") =>
    `<form method="post" action="${esc(action)}">${hiddenFields({ ...params, decision })}<button type="submit" class="${cls}">${label}</button></form>`;
  return page(
    "Permissions requested",
    `<h1>Permissions requested</h1><p><strong>${esc(app?.displayName)}</strong> wants to access resources in your organization. Accepting grants these permissions for all users:</p><ul>${list}</ul>${button("accept", "Accept", "primary")}${button("cancel", "Cancel")}`,
  );
}

function issueCode(
  res: Response,
  dir: SimDirectory,
  grants: GrantStore,
  t: TenantState,
  user: SimUser,
  params: Params,
) {
  const code = grants.newCode({
    tenantId: t.id,
    userId: user.id,
    clientId: String(params.client_id),
    redirectUri: String(params.redirect_uri),
    scopes: (params.scope ?? "").split(/\s+/).filter(Boolean),
    nonce: params.nonce,
    codeChallenge: params.code_challenge,
    codeChallengeMethod: params.code_challenge_method,
    expiresAt: dir.now() + 10 * 60 * 1000,
  });
  const fields = {
    code,
    state: params.state,
    client_info: Buffer.from(JSON.stringify({ uid: user.id, utid: t.id })).toString("base64url"),
    session_state: t.id,
  };
  if (params.response_mode === "form_post") res.send(formPost(String(params.redirect_uri), fields));
  else res.redirect(302, withQuery(String(params.redirect_uri), fields));
}
