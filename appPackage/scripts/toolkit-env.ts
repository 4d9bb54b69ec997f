/**
 * Fills environment values Teams Toolkit cannot derive on its own, through the `::set-teamsfx-env`
 * protocol of its `script` action. Values already set are never overwritten, so a dev tunnel started
 * before provisioning, or a value chosen by hand in env/.env.<environment>, wins.
 *
 *   npx tsx appPackage/scripts/toolkit-env.ts local   # teamsapp.local.yml
 *   npx tsx appPackage/scripts/toolkit-env.ts cloud   # teamsapp.yml
 *
 * local: APP_NAME_SUFFIX defaults to "-local". The API (tab, bot messages) listens on PORT 3978. Without a tunnel, the bot endpoint is
 *        http://localhost:3978/api/messages (Agents Playground and the local connector stand-in); with a
 *        tunnel (BOT_ENDPOINT=https://<tunnel>), Teams reaches both the bot and the tab through it.
 * both:  a random SECRET_SESSION_SECRET (SECRET_ values go to the git-ignored .env.<environment>.user).
 */
import { randomBytes } from "node:crypto";

type Values = Record<string, string>;

export function toolkitEnv(mode: "local" | "cloud", env: NodeJS.ProcessEnv): Values {
  const out: Values = {};
  const missing = (name: string) => !env[name]?.trim();
  if (mode === "local") {
    if (missing("APP_NAME_SUFFIX")) out.APP_NAME_SUFFIX = "-local";
    const port = env.PORT?.trim() || "3978";
    const botEndpoint = missing("BOT_ENDPOINT") ? `http://localhost:${port}` : (env.BOT_ENDPOINT as string);
    if (missing("BOT_ENDPOINT")) out.BOT_ENDPOINT = botEndpoint;
    const tunnel = botEndpoint.startsWith("https://") ? new URL(botEndpoint) : undefined;
    if (missing("BOT_DOMAIN")) out.BOT_DOMAIN = tunnel?.host ?? `localhost:${port}`;
    // Teams loads tabs over https only: through the tunnel if there is one, else the local certificate.
    if (missing("TAB_ENDPOINT")) out.TAB_ENDPOINT = tunnel ? tunnel.origin : `https://localhost:${port}`;
    if (missing("TAB_DOMAIN")) out.TAB_DOMAIN = tunnel?.host ?? `localhost:${port}`;
  }
  if (missing("SECRET_SESSION_SECRET")) out.SECRET_SESSION_SECRET = randomBytes(48).toString("base64url");
  return out;
}

const mode = process.argv[2];
if (mode !== "local" && mode !== "cloud") {
  console.error("usage: toolkit-env.ts local|cloud");
  process.exit(2);
}
for (const [name, value] of Object.entries(toolkitEnv(mode, process.env))) {
  console.log(`::set-teamsfx-env ${name}=${value}`);
}
