import type { Express } from "express";
import type { SimDirectory } from "../directory/directory.ts";
import { aad, sendAadError } from "./aad-errors.ts";
import { jwks } from "./keys.ts";

const GENERIC = new Set(["common", "organizations", "consumers"]);

/** OpenID metadata, JWKS and instance discovery, in the shape login.microsoftonline.com serves them. */
export function mountMetadata(app: Express, dir: SimDirectory): void {
  app.get("/:tenant/v2.0/.well-known/openid-configuration", (req, res) => {
    const segment = String(req.params.tenant);
    const generic = GENERIC.has(segment);
    const tenant = generic ? undefined : dir.resolveTenant(segment);
    if (!generic && !tenant) {
      sendAadError(res, aad.tenantNotFound(segment), dir.now());
      return;
    }
    const base = dir.baseUrl;
    const path = generic ? segment : (tenant?.id as string);
    const issuerTenant = generic ? "{tenantid}" : path;
    res.json({
      token_endpoint: `${base}/${path}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/${path}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/oidc/userinfo`,
      authorization_endpoint: `${base}/${path}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${path}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${path}/oauth2/v2.0/logout`,
      claims_supported: [
        "sub",
        "iss",
        "cloud_instance_name",
        "cloud_instance_host_name",
        "cloud_graph_host_name",
        "msgraph_host",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "acr",
        "nonce",
        "preferred_username",
        "name",
        "tid",
        "ver",
        "at_hash",
        "c_hash",
        "email",
      ],
      kerberos_endpoint: `${base}/${path}/kerberos`,
      tenant_region_scope: generic ? null : "EU",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: new URL(base).host,
      rbac_url: "https://pas.windows.net",
    });
  });

  const keys = async (_req: unknown, res: { json(v: unknown): void }) => res.json(await jwks());
  app.get("/:tenant/discovery/v2.0/keys", keys);
  app.get("/:tenant/discovery/keys", keys);

  app.get("/common/discovery/instance", (_req, res) => {
    const host = new URL(dir.baseUrl).host;
    res.json({
      tenant_discovery_endpoint: `${dir.baseUrl}/common/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });

  app.get("/oidc/userinfo", (_req, res) => {
    res
      .status(401)
      .json({ error: { code: "InvalidAuthenticationToken", message: "Access token is empty." } });
  });
}
