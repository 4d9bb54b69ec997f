/**
 * The API's wire types as the tab's screens name them, all from the one contract (api/contract) the API
 * validates and answers with. Type-only: the tab bundles none of the API's code or its validator.
 */
import type { RULE_OPERATORS } from "../../../api/domain/settings-fields.ts";

export type { AppEvent, EventKind } from "../../../api/contract/app-events.ts";
export type { AttributeDefinition, NewAttribute } from "../../../api/contract/attributes.ts";
export type { AuditEntry, AuditFilters } from "../../../api/contract/audit.ts";
export type { ErrorBody, FieldValue, Page, RecordStatus } from "../../../api/contract/common.ts";
export type {
  Connection,
  ConnectionPatch,
  ConsentUrl,
  CreatedConnection,
  DeleteResult,
  LiveStatus,
  Mapping,
  NewConnection,
  Rule,
  Schedule,
  SyncSettings,
  TestResult,
} from "../../../api/contract/connections.ts";
export type {
  DirectoryFilters,
  List,
  ListMember,
  PeopleSearch,
  PersonHit,
  Profile,
  ProfileWithLists,
  WhyAnswer,
} from "../../../api/contract/directory.ts";
export type { GroupHit } from "../../../api/contract/groups.ts";
export type { Me } from "../../../api/contract/me.ts";

import type { ScimSetup } from "../../../api/contract/scim.ts";

export type {
  IssuedScimToken,
  RotateScimToken,
  ScimAttributeMapping,
  ScimSetup,
} from "../../../api/contract/scim.ts";
/** A token as the setup page lists it (never the token itself). */
export type ScimToken = ScimSetup["tokens"][number];
export type {
  Counters,
  RecordAction,
  RecordFilters,
  RecordMember,
  StartTask,
  Task,
  TaskFilters,
  TaskRecord,
  TaskStatus,
  TaskTrigger,
  TaskType,
} from "../../../api/contract/tasks.ts";
export type { WelcomeTest, WelcomeTestResult } from "../../../api/contract/welcome.ts";
export type RuleOperator = (typeof RULE_OPERATORS)[number];
