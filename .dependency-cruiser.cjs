/**
 * The layers of the product and the one direction imports flow between them (README, "Layout"). Checked by
 * `npm run check:deps` and by tests/unit/layer-rules.test.ts, which also proves each rule catches a wrong import.
 *
 *   api/app/ (+ api/server.ts, api/config/)     composition root: the only code that knows every part
 *   edges:     api/http/, api/scim/, bot/        speak HTTP or the Bot Framework; use services and adapters
 *   services:  every other api/ folder           auth, audit, connections, sync, scheduler, live, feed, ...
 *   adapters:  api/graph/, api/store/            Microsoft Graph and Cosmos DB
 *   platform:  api/logger.ts, api/telemetry/     logging and metrics, usable everywhere
 *   foundation: api/domain/, api/retry/          shared types and policies; import nothing of ours
 *
 * A layer imports its own layer and the ones below it, never one above. The tab sees the API only through
 * api/contract/ (the wire shapes) and api/domain/; the simulator and the dev launcher are not product code.
 */

/** What every api/ layer may import besides its own: the foundation and the platform. */
const FOUNDATION = "^api/(domain|retry)/";
const PLATFORM = "^api/telemetry/|^api/logger\\.ts$";
const EDGES = "^(api/(http|scim)|bot)/";
const COMPOSITION = "^api/(app|config)/|^api/server\\.ts$";
/** Code that runs in production (the tab in the browser); sim/ is a test double, dev/ and bench/ are tooling. */
const PRODUCT = "^(api|bot|tab)/";
const OURS = "^(api|bot|tab|sim|dev|bench|examples|tests)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-imports-only-libraries",
      comment:
        "api/domain/ is the foundation every layer shares: it may import libraries (zod), nothing of ours.",
      severity: "error",
      from: { path: "^api/domain/" },
      to: { path: OURS, pathNot: "^api/domain/" },
    },
    {
      name: "retry-imports-only-domain",
      comment:
        "api/retry/ is a foundation module every api layer may use, so it imports only libraries and api/domain/.",
      severity: "error",
      from: { path: "^api/retry/" },
      to: { path: OURS, pathNot: FOUNDATION },
    },
    {
      name: "contract-imports-only-domain-and-zod",
      comment:
        "api/contract/ is shared with the tab's browser bundle: only api/domain/ and zod may come along.",
      severity: "error",
      from: { path: "^api/contract/" },
      to: { pathNot: "^api/(contract|domain)/|^node_modules/zod/" },
    },
    {
      name: "platform-imports-only-foundation",
      comment: "Logging and telemetry are used by every layer, so they may not import any layer.",
      severity: "error",
      from: { path: "^api/(telemetry/|logger\\.ts$)" },
      to: { path: OURS, pathNot: `${FOUNDATION}|${PLATFORM}` },
    },
    {
      name: "adapters-import-only-foundation",
      comment:
        "The Graph client and the store are adapters: they know neither each other, nor the services and edges above them.",
      severity: "error",
      from: { path: "^api/(graph|store)/" },
      to: { path: OURS, pathNot: `${FOUNDATION}|${PLATFORM}|^api/$1/` },
    },
    {
      name: "only-edges-import-edges",
      comment: "Services, adapters and the foundation never import HTTP routes or the bot.",
      severity: "error",
      from: { path: "^api/", pathNot: `${EDGES}|${COMPOSITION}` },
      to: { path: EDGES },
    },
    {
      name: "edges-stay-apart",
      comment: "The HTTP routes, the SCIM endpoint and the bot share services, not each other's glue.",
      severity: "error",
      from: { path: EDGES },
      to: { path: EDGES, pathNot: "^$1/" },
    },
    {
      name: "only-composition-imports-app",
      comment:
        "api/app/ wires everything; only api/server.ts (and tooling such as dev/ and tests) starts it.",
      severity: "error",
      from: { path: PRODUCT, pathNot: "^api/app/|^api/server\\.ts$" },
      to: { path: "^api/app/" },
    },
    {
      name: "config-read-by-composition-only",
      comment: "Configuration is read where parts are wired and handed down as plain values.",
      severity: "error",
      from: { path: PRODUCT, pathNot: COMPOSITION },
      to: { path: "^api/config/" },
    },
    {
      name: "auth-below-connections",
      comment:
        "Connections use credentials and secrets from auth; auth reaches connections only through ports api/app/ wires.",
      severity: "error",
      from: { path: "^api/auth/" },
      to: { path: "^api/connections/" },
    },
    {
      name: "bot-reaches-the-server-through-ports",
      comment:
        "The bot works on its own views through the ports in bot/ports.ts, which api/app/ implements: of the server it imports only the wire contract and the domain types, never store documents or services.",
      severity: "error",
      from: { path: "^bot/" },
      to: { path: "^api/", pathNot: "^api/(domain|contract)/" },
    },
    {
      name: "tab-imports-contract-and-domain-only",
      comment: "The tab talks to the API over HTTP; it shares only the wire contract and the domain types.",
      severity: "error",
      from: { path: "^tab/" },
      to: { path: OURS, pathNot: "^tab/|^api/(contract|domain)/" },
    },
    {
      name: "sim-imports-no-product-or-dev",
      comment:
        "The simulator stands in for Entra ID and Graph: it shares no code with the product or the dev launcher.",
      severity: "error",
      from: { path: "^sim/" },
      to: { path: OURS, pathNot: "^sim/" },
    },
    {
      name: "examples-stand-alone",
      comment:
        "Examples are programs an application's developer copies: they reach the product over HTTP only.",
      severity: "error",
      from: { path: "^examples/" },
      to: { path: OURS, pathNot: "^examples/" },
    },
    {
      name: "product-imports-no-tooling",
      comment: "Production code never loads the simulator, the dev launcher, benchmarks, tests or examples.",
      severity: "error",
      from: { path: PRODUCT },
      to: { path: "^(sim|dev|bench|tests|examples)/" },
    },
    {
      name: "no-circular",
      comment: "A cycle means two modules cannot be understood (or changed) one without the other.",
      severity: "error",
      from: { path: "^(api|bot|tab|sim)/" },
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      comment:
        "api/ and bot/ folders are layers and parts of layers: two importing each other are one part pretending to be two. (tab/ and sim/ group their files by kind, which is not a layering.)",
      severity: "error",
      scope: "folder",
      from: { path: "^(api|bot)/" },
      to: { circular: true },
    },
    {
      name: "not-to-dev-dep",
      comment:
        "The production bundle installs only dependencies; type-only imports vanish when compiled and are fine.",
      severity: "error",
      from: { path: PRODUCT, pathNot: "^tab/vite\\.config\\.ts$" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing fails at run time.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Build output (the tab's bundle, the compiled server) is not source.
    exclude: { path: "^(tab/)?dist/" },
    // Type-only imports are dependencies too: a store that imports an engine type depends on the engine.
    tsPreCompilationDeps: true,
    // node_modules may be a link to a shared install; resolve packages by the path they are imported under.
    preserveSymlinks: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
