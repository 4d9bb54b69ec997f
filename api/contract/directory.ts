import { z } from "zod";
import { RECORD_ACTIONS } from "../domain/records.ts";
import { fieldValueSchema, idParamOf, pagingQuery, recordStatusSchema } from "./common.ts";
import { welcomeOutcomeSchema } from "./tasks.ts";

/** The synced directory as the tab browses it: profiles, lists, members, and "why is this user (not) synced?". */

/** GET /api/profiles and /api/lists. */
export const directoryQuerySchema = z
  .object({
    q: z.string().trim().max(200).optional(),
    status: recordStatusSchema.optional(),
    connectionId: z.string().max(200).optional(),
    ...pagingQuery,
  })
  .strict();
export type DirectoryQuery = z.infer<typeof directoryQuerySchema>;
export type DirectoryFilters = Omit<z.input<typeof directoryQuerySchema>, "continuationToken" | "pageSize">;

export const listMembersQuerySchema = z.object(pagingQuery).strict();
export const profileIdParam = idParamOf("profile");
export const listIdParam = idParamOf("list");

/** GET /api/why. */
export const whyQuerySchema = z
  .object({ who: z.string().trim().min(3, "enter an email or UPN").max(320) })
  .strict();

/** GET /api/people/search: the "why" screen's people picker. */
export const peopleQuerySchema = z
  .object({ q: z.string().trim().min(2, "type at least 2 characters of a name or email").max(120) })
  .strict();

const source = z.enum(["entra", "scim", "manual"]);

export const profileSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  sourceId: z.string(),
  source,
  status: recordStatusSchema,
  deletedAt: z.string().optional(),
  /** When a deleted profile is purged for good. */
  purgeAfter: z.string().optional(),
  fields: z.record(z.string(), fieldValueSchema),
  attributes: z.record(z.string(), fieldValueSchema),
  displayName: z.string(),
  lastTaskId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /**
   * Which connection wrote each field, when more than one writes this person (a Graph connection pulling
   * and a SCIM connection pushing): field name to connection id. Absent when one connection wrote them all.
   */
  fieldOwners: z.record(z.string(), z.string()).optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export const listSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  sourceId: z.string(),
  source,
  status: recordStatusSchema,
  deletedAt: z.string().optional(),
  name: z.string(),
  description: z.string().nullable(),
  mail: z.string().nullable(),
  groupTypes: z.array(z.string()),
  memberCount: z.number(),
  lastTaskId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type List = z.infer<typeof listSchema>;

/** GET /api/profiles/:id: the profile and the lists it is a member of. */
export const profileWithListsSchema = profileSchema.extend({
  lists: z.array(listSchema.pick({ id: true, name: true, status: true })).optional(),
});
export type ProfileWithLists = z.infer<typeof profileWithListsSchema>;

/** One member of a synced list, as GET /api/lists/:id/members answers it. */
export const listMemberSchema = z.object({
  sourceId: z.string(),
  /** Absent when the member has no synced profile of the list's connection. */
  profileId: z.string().optional(),
  displayName: z.string().optional(),
  email: fieldValueSchema,
  jobTitle: fieldValueSchema,
  status: recordStatusSchema.optional(),
});
export type ListMember = z.infer<typeof listMemberSchema>;

/** A person found in Entra ID by the people picker. */
const personHitSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  mail: z.string().nullable(),
  userPrincipalName: z.string(),
  jobTitle: z.string().nullable(),
  /** The synced profile of this person, when there is one. */
  profileId: z.string().optional(),
});
export type PersonHit = z.infer<typeof personHitSchema>;

export const peopleSearchSchema = z.object({
  items: z.array(personHitSchema),
  /** The connection Entra ID was read with. */
  connectionName: z.string().optional(),
});
export type PeopleSearch = z.infer<typeof peopleSearchSchema>;

/** GET /api/why: a verdict, what the last task did, and a live scope check per active connection. */
export const whyAnswerSchema = z.object({
  who: z.string(),
  synced: z.boolean(),
  verdict: z.string(),
  profile: profileSchema
    .pick({ id: true, displayName: true, status: true, connectionId: true, updatedAt: true, deletedAt: true })
    .optional(),
  lastRecord: z
    .object({
      taskId: z.string(),
      action: z.enum(RECORD_ACTIONS),
      reason: z.string().optional(),
      at: z.string(),
      changedFields: z.array(z.string()).optional(),
    })
    .optional(),
  /** The person's welcome notice, when the connection holding the profile has notices on or sent one. */
  welcome: welcomeOutcomeSchema.optional(),
  /** What each active connection's current settings say about this user, checked live in Entra ID. */
  checks: z.array(
    z.object({
      connectionId: z.string(),
      connectionName: z.string(),
      inScope: z.boolean(),
      reasons: z.array(z.string()),
    }),
  ),
});
export type WhyAnswer = z.infer<typeof whyAnswerSchema>;
