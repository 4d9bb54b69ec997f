import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { callAdmin } from "./admin/client.ts";
import { DEMO_TENANT_ID, OTHER_TENANT_ID } from "./constants.ts";

/**
 * `npm run sim -- <command> [args]` against a running simulator (URL from SIM_URL or .local/sim-url).
 * `serve` starts one and records its URL there.
 */
const USAGE = `Usage: npm run sim -- <command> [args]     (tenant: a tenant id, "demo" or "other")

  serve [--port N] [--latency MS] [--throttling]   start a simulator, write its URL to .local/sim-url
  tenants                                           list tenants
  users <tenant> | user <tenant> <id|upn>           list users / show one
  add-user <tenant> <json>                          e.g. '{"displayName":"Pat Lee","givenName":"Pat","surname":"Lee"}'
  update-user <tenant> <id|upn> <json>
  disable-user | soft-delete-user | restore-user | hard-delete-user <tenant> <id|upn>
  groups <tenant> | members <tenant> <groupId>
  add-group <tenant> <displayName>
  add-member | remove-member <tenant> <groupId> <memberId>
  soft-delete-group | restore-group | hard-delete-group <tenant> <groupId>
  grant <tenant> <clientId> <permission...>         application permissions
  revoke-consent | expire-secret <tenant> <clientId>
  set-secret <tenant> <clientId> <value> <expiresAtIso>
  revoke-refresh-tokens <tenant> <userId>
  assign-role | remove-role <tenant> <userId> <roleTemplateId>
  subscriptions <tenant>                            change-notification subscriptions Graph holds
  lifecycle <subscriptionId> <event>                send reauthorizationRequired | subscriptionRemoved | missed
  expire-subscription <subscriptionId> <iso>        move a subscription's expiry, as if time passed
  notifications deliver | drop | delay <ms>         deliver, drop or hold back change notifications
  notification-stats                                notifications queued, delivered, dropped
  fault <json>                                      e.g. '{"pathPattern":"^/v1.0/users","status":429,"code":"TooManyRequests","retryAfterSeconds":5,"times":3}'
  clear-faults
  token <tenant> <userId>                           a product API token as Teams SSO would give
  stats | reset-stats
  call <operation> [jsonArgs]                       any admin operation, args as a JSON array`;

const tenant = (t: string | undefined) =>
  t === "demo" ? DEMO_TENANT_ID : t === "other" ? OTHER_TENANT_ID : (t ?? "");

function simUrl(): string {
  if (process.env.SIM_URL) return process.env.SIM_URL.replace(/\/$/, "");
  if (existsSync(".local/sim-url")) return readFileSync(".local/sim-url", "utf8").trim();
  throw new Error("No simulator URL: set SIM_URL or run `npm run sim -- serve`.");
}

const COMMANDS: Record<string, (a: string[]) => [string, unknown[]]> = {
  tenants: () => ["listTenants", []],
  users: ([t]) => ["listUsers", [tenant(t)]],
  user: ([t, id]) => ["getUser", [tenant(t), id]],
  "add-user": ([t, json]) => ["addUser", [tenant(t), JSON.parse(json ?? "{}")]],
  "update-user": ([t, id, json]) => ["updateUser", [tenant(t), id, JSON.parse(json ?? "{}")]],
  "disable-user": ([t, id]) => ["disableUser", [tenant(t), id]],
  "soft-delete-user": ([t, id]) => ["softDeleteUser", [tenant(t), id]],
  "restore-user": ([t, id]) => ["restoreUser", [tenant(t), id]],
  "hard-delete-user": ([t, id]) => ["hardDeleteUser", [tenant(t), id]],
  groups: ([t]) => ["listGroups", [tenant(t)]],
  members: ([t, g]) => ["listMembers", [tenant(t), g]],
  "add-group": ([t, name]) => ["addGroup", [tenant(t), { displayName: name }]],
  "add-member": ([t, g, m]) => ["addMember", [tenant(t), g, m]],
  "remove-member": ([t, g, m]) => ["removeMember", [tenant(t), g, m]],
  "soft-delete-group": ([t, g]) => ["softDeleteGroup", [tenant(t), g]],
  "restore-group": ([t, g]) => ["restoreGroup", [tenant(t), g]],
  "hard-delete-group": ([t, g]) => ["hardDeleteGroup", [tenant(t), g]],
  grant: ([t, c, ...perms]) => ["grantAppPermissions", [tenant(t), c, perms]],
  "revoke-consent": ([t, c]) => ["revokeConsent", [tenant(t), c]],
  "expire-secret": ([t, c]) => ["expireSecret", [tenant(t), c]],
  "set-secret": ([t, c, v, at]) => ["setSecret", [tenant(t), c, v, at]],
  "revoke-refresh-tokens": ([t, u]) => ["revokeRefreshTokens", [tenant(t), u]],
  "assign-role": ([t, u, r]) => ["assignRole", [tenant(t), u, r]],
  "remove-role": ([t, u, r]) => ["removeRole", [tenant(t), u, r]],
  subscriptions: ([t]) => ["listSubscriptions", [tenant(t)]],
  lifecycle: ([id, event]) => ["sendLifecycleEvent", [id, event]],
  "expire-subscription": ([id, at]) => ["setSubscriptionExpiry", [id, at]],
  notifications: ([mode, ms]) => [
    "setNotificationDelivery",
    [{ mode, ...(ms !== undefined ? { delayMs: Number(ms) } : {}) }],
  ],
  "notification-stats": () => ["notificationStats", []],
  fault: ([json]) => ["injectFault", [JSON.parse(json ?? "{}")]],
  "clear-faults": () => ["clearFaults", []],
  token: ([t, u]) => ["issueUserToken", [{ tenantId: tenant(t), userId: u }]],
  call: ([op, json]) => [op ?? "", JSON.parse(json ?? "[]")],
};

async function serve(args: string[]): Promise<void> {
  const { ensureLocalCertificate } = await import("./tls.ts");
  const { startSimulator } = await import("./server.ts");
  const { demoTenant, otherTenant } = await import("./index.ts");
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const tls = await ensureLocalCertificate(".local/tls");
  const sim = await startSimulator({
    tls,
    port: Number(flag("--port") ?? 0),
    latencyMs: Number(flag("--latency") ?? 0),
    throttling: args.includes("--throttling"),
    tenants: [demoTenant(), otherTenant()],
  });
  mkdirSync(".local", { recursive: true });
  writeFileSync(".local/sim-url", `${sim.url}\n`);
  process.stdout.write(`Entra simulator listening on ${sim.url} (URL written to .local/sim-url)\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === "help" || command === "--help") {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  if (command === "serve") {
    await serve(args);
    return -1;
  }
  const url = simUrl();
  if (command === "stats" || command === "reset-stats") {
    const res = await fetch(`${url}/_sim/stats${command === "reset-stats" ? "/reset" : ""}`, {
      method: command === "stats" ? "GET" : "POST",
    });
    process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
    return 0;
  }
  const build = COMMANDS[command];
  if (!build) {
    process.stderr.write(`Unknown command '${command}'.\n${USAGE}\n`);
    return 1;
  }
  const [operation, callArgs] = build(args);
  const result = await callAdmin(url, operation, callArgs);
  process.stdout.write(`${typeof result === "string" ? result : JSON.stringify(result, null, 2)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
