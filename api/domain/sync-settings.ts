import { z } from "zod";
import {
  DEFAULT_MAPPING as DEFAULT_MAPPING_FIELDS,
  DEFAULT_REQUIRED,
  ENTRA_SOURCE_RULE,
  isEntraUserSource,
  MAPPING_TARGET,
  PROFILE_FIELDS,
  RULE_OPERATORS,
} from "../domain/settings-fields.ts";
import { welcomeSettingsSchema } from "./welcome.ts";

const guid = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "must be an Entra object id (a GUID)",
  )
  .transform((v) => v.toLowerCase());

const email = z
  .string()
  .trim()
  .email("must be an email address")
  .transform((v) => v.toLowerCase());

/**
 * Settings live in the connection document, which every listing of connections reads: a whitelist is
 * bounded, and so are the settings as a whole, far below Cosmos DB's 2 MB item limit.
 */
const WHITELIST_MAX = 10_000;
const SETTINGS_MAX_BYTES = 512 * 1024;

/** Names the part of too-large settings that takes the most room, so the error points at a field. */
function largestPart(s: Record<string, unknown>): (string | number)[] {
  const users = s.users as Record<string, unknown>;
  const lists = s.lists as Record<string, unknown>;
  const parts: [(string | number)[], unknown][] = [
    [["users", "emails"], users?.emails],
    [["users", "groupIds"], users?.groupIds],
    [["users", "rules"], users?.rules],
    [["lists", "groupIds"], lists?.groupIds],
    [["mapping"], s.mapping],
  ];
  const size = (v: unknown) => (v === undefined ? 0 : JSON.stringify(v).length);
  return parts.reduce((a, b) => (size(b[1]) > size(a[1]) ? b : a))[0];
}

const entraSource = z.string().trim().refine(isEntraUserSource, ENTRA_SOURCE_RULE);

const mappingSchema = z
  .object({
    source: entraSource,
    /** `field:<profile field>` or `attribute:<custom attribute name>`. */
    target: z.string().trim().regex(MAPPING_TARGET, "must be field:<name> or attribute:<name>"),
  })
  .strict();
export type Mapping = z.infer<typeof mappingSchema>;

const DEFAULT_MAPPING: Mapping[] = DEFAULT_MAPPING_FIELDS.map((m) => ({ ...m }));

const ruleSchema = z
  .object({
    attribute: entraSource,
    operator: z.enum(RULE_OPERATORS),
    value: z.string().max(256).default(""),
    /** include: a user must match; exclude: a matching user is left out. */
    effect: z.enum(["include", "exclude"]),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

export const syncSettingsSchema = z
  .object({
    what: z.enum(["users-and-lists", "users", "lists"]).default("users-and-lists"),
    users: z
      .object({
        scope: z.enum(["all", "groups", "emails", "administrativeUnits"]).default("all"),
        groupIds: z.array(guid).max(500).default([]),
        emails: z
          .array(email)
          .max(
            WHITELIST_MAX,
            "at most 10,000 addresses; scope a larger set of people by a group or an OData filter",
          )
          .default([]),
        administrativeUnitIds: z.array(guid).max(100).default([]),
        filter: z.string().trim().max(2000).default(""),
        rules: z.array(ruleSchema).max(50).default([]),
        guests: z.enum(["include", "exclude"]).default("exclude"),
        excludeResourceAccounts: z.boolean().default(true),
        disabled: z.enum(["inactive", "exclude"]).default("inactive"),
      })
      .strict()
      .prefault({}),
    lists: z
      .object({
        scope: z.enum(["all", "ids"]).default("all"),
        groupIds: z.array(guid).max(5000).default([]),
        namePrefix: z.string().trim().max(256).default(""),
      })
      .strict()
      .prefault({}),
    mirror: z.boolean().default(true),
    deletionGuard: z
      .object({
        enabled: z.boolean().default(true),
        maxCount: z.number().int().min(0).max(1_000_000).default(50),
        maxPercent: z.number().min(0).max(100).default(10),
      })
      .strict()
      .prefault({}),
    retentionDays: z.number().int().min(0).max(365).default(30),
    updateOnly: z.boolean().default(false),
    mapping: z.array(mappingSchema).max(200).default(DEFAULT_MAPPING),
    email: z
      .object({
        proxyAddresses: z.boolean().default(true),
        otherMails: z.boolean().default(true),
        userPrincipalName: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    required: z.array(z.enum(["sourceId", ...PROFILE_FIELDS])).default([...DEFAULT_REQUIRED]),
    photos: z.boolean().default(false),
    /** Notices to people a sync creates; off unless an admin switches them on (api/welcome/). */
    welcome: welcomeSettingsSchema.prefault({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    const bytes = Buffer.byteLength(JSON.stringify(s));
    if (bytes > SETTINGS_MAX_BYTES)
      ctx.addIssue({
        code: "custom",
        path: largestPart(s),
        message: `the settings take ${Math.ceil(bytes / 1024)} KB; at most ${SETTINGS_MAX_BYTES / 1024} KB fit, so shorten this list`,
      });
    if (s.users.scope === "groups" && s.users.groupIds.length === 0)
      ctx.addIssue({ code: "custom", path: ["users", "groupIds"], message: "choose at least one group" });
    if (s.users.scope === "emails" && s.users.emails.length === 0)
      ctx.addIssue({ code: "custom", path: ["users", "emails"], message: "enter at least one email" });
    if (s.users.scope === "administrativeUnits" && s.users.administrativeUnitIds.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["users", "administrativeUnitIds"],
        message: "choose at least one administrative unit",
      });
    if (s.users.filter && s.users.scope !== "all")
      ctx.addIssue({
        code: "custom",
        path: ["users", "filter"],
        message: "the OData filter applies to the all-users scope only; narrow other scopes with rules",
      });
    if (s.lists.scope === "ids" && s.lists.groupIds.length === 0)
      ctx.addIssue({ code: "custom", path: ["lists", "groupIds"], message: "enter at least one group id" });
    const targets = new Set<string>();
    s.mapping.forEach((m, i) => {
      if (targets.has(m.target))
        ctx.addIssue({
          code: "custom",
          path: ["mapping", i, "target"],
          message: `${m.target} is mapped twice`,
        });
      targets.add(m.target);
      const [kind, name] = m.target.split(":");
      if (kind === "field" && !(PROFILE_FIELDS as readonly string[]).includes(name ?? ""))
        ctx.addIssue({
          code: "custom",
          path: ["mapping", i, "target"],
          message: `${name} is not a profile field`,
        });
    });
  });

export type SyncSettings = z.infer<typeof syncSettingsSchema>;
export type SyncSettingsInput = z.input<typeof syncSettingsSchema>;

export const defaultSyncSettings = (): SyncSettings => syncSettingsSchema.parse({});
