import { ConfidentialClientApplication, type Configuration, LogLevel } from "@azure/msal-node";

export interface MsalSettings {
  /** https://login.microsoftonline.com, a national cloud, or a compatible host (the local simulator). */
  authorityHost: string;
}

/**
 * Builds msal-node confidential clients against the configured authority host. msal-node only trusts
 * Microsoft's authority hosts by default; naming ours in knownAuthorities makes it use the host's own
 * OpenID metadata, so national clouds and the simulator take the same path as production.
 */
export function confidentialClient(
  settings: MsalSettings,
  app: { clientId: string; clientSecret: string; tenant: string },
): ConfidentialClientApplication {
  const host = settings.authorityHost.replace(/\/+$/, "");
  const isMicrosoft = new URL(host).hostname === "login.microsoftonline.com";
  const config: Configuration = {
    auth: {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      authority: `${host}/${app.tenant}`,
      ...(isMicrosoft ? {} : { knownAuthorities: [new URL(host).host] }),
    },
    system: {
      loggerOptions: {
        // msal logs can carry PII; only errors, and never with PII.
        logLevel: LogLevel.Error,
        piiLoggingEnabled: false,
        loggerCallback: () => undefined,
      },
    },
  };
  return new ConfidentialClientApplication(config);
}

/** The `.default` scope for the Graph resource at the configured base URL. */
export const graphDefaultScope = (graphBaseUrl: string) => `${graphBaseUrl.replace(/\/+$/, "")}/.default`;

/** Delegated Graph scopes, fully qualified with the resource so national clouds resolve the right one. */
export const graphScopes = (graphBaseUrl: string, names: string[]) =>
  names.map((n) => `${graphBaseUrl.replace(/\/+$/, "")}/${n}`);
