/**
 * Where a signed activity may tell the bot to answer. The Bot Connector gives every conversation a service
 * URL, and the bot POSTs replies and alerts there with its own token; a URL outside Microsoft's connector
 * hosts would receive that token and the tenant's alerts. Hosts: the Bot Framework connector in the public,
 * US Government and China clouds, and Teams' connector in the commercial cloud, GCC, GCC High and DoD (the
 * service URLs Teams documents for proactive messages).
 */
const CONNECTOR_HOSTS = [
  "smba.trafficmanager.net",
  "smba.infra.gcc.teams.microsoft.com",
  "smba.infra.gov.teams.microsoft.us",
  "smba.infra.dod.teams.microsoft.us",
];
const CONNECTOR_DOMAINS = [".botframework.com", ".botframework.us", ".botframework.azure.cn"];

export function isConnectorServiceUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" || url.username || url.password || url.port) return false;
  const host = url.hostname.toLowerCase();
  return CONNECTOR_HOSTS.includes(host) || CONNECTOR_DOMAINS.some((d) => host.endsWith(d));
}
