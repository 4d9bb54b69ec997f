import {
  Body1,
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Switch,
  Tab,
  TabList,
  Text,
  tokens,
} from "@fluentui/react-components";
import { Save20Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { AttributeDefinition, Connection } from "../api/types.ts";
import { LeavePrompt, useLeaveGuard } from "../app/leaveGuard.tsx";
import { toLines } from "../app/lines.ts";
import { href, navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import {
  defaultSchedule,
  type FieldErrors,
  normalizeFieldErrors,
  validate,
  withDefaults,
} from "../app/settingsForm.ts";
import { type Editable, editableOf, mergeEdits, patchOf, type TheirChange } from "../app/settingsMerge.ts";
import { useLoad } from "../app/useLoad.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { SecretExpiry } from "../components/SecretExpiry.tsx";
import { Section } from "../components/Section.tsx";
import { Loaded } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { DeleteConnectionButton } from "./ConnectionDelete.tsx";
import { ConnectionOffNotice } from "./ConnectionOff.tsx";
import { SettingsConflict } from "./SettingsConflict.tsx";
import { DeletionSection } from "./SettingsDeletion.tsx";
import { MappingSection } from "./SettingsMapping.tsx";
import { ScheduleSection } from "./SettingsSchedule.tsx";
import { ScopeSections } from "./SettingsScope.tsx";
import { WelcomeSection } from "./SettingsWelcome.tsx";
import type { SectionProps, SettingsForm } from "./settingsTypes.ts";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, paddingBottom: "80px" },
  bar: {
    position: "sticky",
    bottom: 0,
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow8,
    zIndex: 1,
  },
  grow: { flexGrow: 1 },
  tabs: {
    position: "sticky",
    top: 0,
    zIndex: 2,
    backgroundColor: tokens.colorNeutralBackground2,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    flexWrap: "wrap",
  },
  panel: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  deleteRow: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM },
  list: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalXL },
});

/**
 * The settings in parts, as Entra's provisioning blades split them: one part on screen at a time, all
 * of them saved together.
 */
const PARTS = [
  { id: "connection", label: "Connection" },
  { id: "scope", label: "Scope" },
  { id: "mapping", label: "Mapping" },
  { id: "deletions", label: "Deletions" },
  { id: "schedule", label: "Schedule" },
  { id: "welcome", label: "Welcome notices" },
] as const;
type Part = (typeof PARTS)[number]["id"];
/** A push connection's scope, mappings and schedule are set in Entra's enterprise app, not here. */
const PUSH_PARTS: readonly Part[] = ["connection", "deletions"];

/** The part that shows the field an error path names (`users.filter`, `mapping.3.source`, …). */
function partOf(path: string): Part {
  const head = path.split(".")[0] ?? "";
  if (head === "name" || head === "allowConcurrent") return "connection";
  if (head === "mapping" || head === "email" || head === "required" || head === "photos") return "mapping";
  if (head === "schedule") return "schedule";
  if (head === "welcome") return "welcome";
  if (["deletionGuard", "retentionDays", "mirror", "updateOnly"].includes(head)) return "deletions";
  return "scope";
}

const toForm = (c: Connection): SettingsForm => {
  const settings = withDefaults(c.settings);
  return {
    name: c.name,
    allowConcurrent: c.allowConcurrent ?? false,
    settings,
    schedule: { ...defaultSchedule(), ...c.schedule },
    lines: {
      emails: toLines(settings.users.emails),
      administrativeUnitIds: toLines(settings.users.administrativeUnitIds),
      listGroupIds: toLines(settings.lists.groupIds),
    },
    groups: {},
  };
};

/** After a failed save, take the admin to the first field that needs attention. */
function focusFirstInvalid() {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>('main [aria-invalid="true"]');
    el?.scrollIntoView({ block: "center" });
    el?.focus({ preventScroll: true });
  });
}

/** Everything about one connection's sync: scope, deletions, mapping, schedule; saved in one go. */
export function Settings({ connectionId }: { connectionId: string }) {
  const { client } = useSession();
  const data = useLoad(async () => {
    const [connection, attributes] = await Promise.all([
      client.connection(connectionId),
      client.attributes(),
    ]);
    return { connection, attributes: attributes.items };
  }, [client, connectionId]);
  return (
    <Loaded load={data} label="Loading settings…">
      {(d) => <SettingsEditor initial={d.connection} attributes={d.attributes} />}
    </Loaded>
  );
}

function SettingsEditor({
  initial,
  attributes: initialAttributes,
}: {
  initial: Connection;
  attributes: AttributeDefinition[];
}) {
  const [attributes, setAttributes] = useState(initialAttributes);
  const s = useStyles();
  const { client, me, notify } = useSession();
  const [connection, setConnection] = useState(initial);
  const [form, setForm] = useState(() => toForm(initial));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [part, setPart] = useState<Part>("connection");
  const readOnly = !me.isAdmin;
  const guard = useLeaveGuard(dirty && !readOnly);
  const [conflict, setConflict] = useState<{
    theirs: Connection;
    merged: Editable;
    changes: TheirChange[];
  }>();
  const versionOf = (c: Connection) => c.etag;

  /** Saved: the page now edits the stored version, with nothing left unsaved. */
  const saved = (c: Connection, message: string) => {
    setConnection(c);
    setForm(toForm(c));
    setDirty(false);
    setConflict(undefined);
    notify(message);
  };

  /**
   * Sends the edits from the version the page holds. A 412 means the stored version moved on: when only
   * what this page does not edit changed (switched on or off here, a sync finished, a test ran) the edits
   * are sent again on the new version; when someone changed settings, they are shown for merge or review.
   */
  const send = async (edits: Editable): Promise<boolean> => {
    try {
      saved(
        await client.updateConnection(connection.id, patchOf(edits, connection), versionOf(connection)),
        "Settings saved. The next sync uses them.",
      );
      return true;
    } catch (err) {
      if (toApiError(err).status !== 412) throw err;
      const theirs = await client.connection(connection.id);
      const { merged, theirChanges } = mergeEdits(editableOf(connection), edits, editableOf(theirs));
      if (theirChanges.length > 0) {
        setConflict({ theirs, merged, changes: theirChanges });
        return false;
      }
      saved(
        await client.updateConnection(connection.id, patchOf(merged, theirs), versionOf(theirs)),
        "Settings saved. The next sync uses them.",
      );
      return true;
    }
  };

  const mergeAndSave = async () => {
    if (!conflict) return;
    setSaving(true);
    setProblem(undefined);
    try {
      const c = await client.updateConnection(
        connection.id,
        patchOf(conflict.merged, conflict.theirs),
        versionOf(conflict.theirs),
      );
      saved(c, "Merged and saved: their changes and yours.");
    } catch (err) {
      // Changed yet again meanwhile: compare with that version instead.
      setConflict(undefined);
      if (toApiError(err).status === 412) await save();
      else setProblem(toApiError(err));
    } finally {
      setSaving(false);
    }
  };

  const loadTheirs = () => {
    if (conflict) saved(conflict.theirs, "Their version is loaded; your edits were discarded.");
  };

  const update = (change: (f: SettingsForm) => SettingsForm) => {
    setForm(change);
    setDirty(true);
  };

  // Focus moves once the problems are on screen, not before React has shown them.
  const [problemsShown, setProblemsShown] = useState(0);
  useEffect(() => {
    if (problemsShown) focusFirstInvalid();
  }, [problemsShown]);

  /** Shows the part holding the first problem, then takes the admin to its field. */
  const showProblems = (found: FieldErrors) => {
    const [first] = Object.keys(found);
    if (first) setPart(partOf(first));
    setProblemsShown((n) => n + 1);
  };

  /** Saves every part; true when saved. */
  const save = async (): Promise<boolean> => {
    setProblem(undefined);
    const { errors: found, parsed } = validate(form.settings, form.lines, form.schedule, form.name);
    setErrors(found);
    if (Object.keys(found).length) {
      showProblems(found);
      return false;
    }
    const settings = {
      ...form.settings,
      users: {
        ...form.settings.users,
        emails: parsed.emails,
        administrativeUnitIds: parsed.administrativeUnitIds,
      },
      lists: { ...form.settings.lists, groupIds: parsed.listGroupIds },
    };
    setSaving(true);
    setConflict(undefined);
    try {
      return await send({
        name: form.name.trim(),
        settings,
        schedule: form.schedule,
        allowConcurrent: form.allowConcurrent,
      });
    } catch (err) {
      const e = toApiError(err);
      const fieldErrors = normalizeFieldErrors(e.fields);
      setErrors(fieldErrors);
      setProblem(e);
      showProblems(fieldErrors);
      return false;
    } finally {
      setSaving(false);
    }
  };

  const toggle = async (on: boolean) => {
    setToggling(true);
    setProblem(undefined);
    try {
      const c = await client.setConnectionEnabled(connection.id, on);
      // The switch gives the connection a new version; the next save is made from it.
      setConnection((prev) => ({
        ...prev,
        status: c?.status ?? (on ? "active" : "inactive"),
        ...(c && versionOf(c) ? { etag: versionOf(c), _etag: versionOf(c) } : {}),
      }));
      notify(on ? "Connection turned on" : "Connection turned off; no sync runs until it is turned on");
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      setToggling(false);
    }
  };

  const errorCount = Object.keys(errors).length;
  const errorsIn = (p: Part) => Object.keys(errors).filter((k) => partOf(k) === p).length;
  const props = { form, update, errors, readOnly };
  return (
    <div className={s.stack}>
      <LeavePrompt guard={guard} what={`the settings of ${connection.name}`} onSaveAndLeave={save} />
      <PageHeader
        title={`Sync settings: ${connection.name}`}
        back={{ href: href({ name: "home" }), label: "Home" }}
        actions={<StatusBadge kind="connection" value={connection.status} />}
      />
      {readOnly && (
        <MessageBar intent="info">
          <MessageBarBody>You can read these settings; only administrators can change them.</MessageBarBody>
        </MessageBar>
      )}
      <TabList
        className={s.tabs}
        aria-label="Settings"
        selectedValue={part}
        onTabSelect={(_, d) => setPart(d.value as Part)}
      >
        {PARTS.filter((p) => connection.kind !== "scim" || PUSH_PARTS.includes(p.id)).map((p) => {
          const n = errorsIn(p.id);
          return (
            <Tab key={p.id} value={p.id} id={`settings-tab-${p.id}`}>
              {n ? `${p.label} (${n} to fix)` : p.label}
            </Tab>
          );
        })}
      </TabList>
      <div className={s.panel} role="tabpanel" aria-labelledby={`settings-tab-${part}`}>
        {part === "connection" && (
          <ConnectionPart
            {...props}
            connection={connection}
            toggling={toggling}
            onToggle={toggle}
            onChanged={async () => setConnection(await client.connection(connection.id))}
            onDeleted={() => {
              guard.release();
              navigate({ name: "home" });
            }}
          />
        )}
        {part === "scope" && <ScopeSections {...props} />}
        {part === "mapping" && (
          <MappingSection
            {...props}
            attributes={attributes}
            onAttributeDefined={(a) => setAttributes((all) => [...all, a])}
          />
        )}
        {part === "deletions" && <DeletionSection {...props} push={connection.kind === "scim"} />}
        {part === "schedule" && <ScheduleSection {...props} />}
        {part === "welcome" && <WelcomeSection {...props} connection={connection} />}
      </div>
      {!readOnly && (
        <div className={s.bar}>
          <div className={s.grow} aria-live="polite">
            {conflict && (
              <SettingsConflict
                changes={conflict.changes}
                busy={saving}
                onMerge={mergeAndSave}
                onLoadTheirs={loadTheirs}
              />
            )}
            {problem && !errorCount && <ProblemBar error={problem} />}
            {errorCount > 0 && (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{problem?.message ?? "Not saved"}</MessageBarTitle>
                  {errorCount === 1 ? "One setting needs" : `${errorCount} settings need`} attention; each
                  problem is explained next to its field.
                </MessageBarBody>
              </MessageBar>
            )}
            {!problem && !errorCount && !conflict && (
              <Text>{dirty ? "You have unsaved changes." : "All changes saved."}</Text>
            )}
          </div>
          <Button appearance="primary" icon={<Save20Regular />} onClick={() => save()} disabled={saving}>
            {saving ? "Saving…" : "Save"}
          </Button>
        </div>
      )}
    </div>
  );
}

/** Name, on or off, syncing alongside other connections, and deleting the connection. */
function ConnectionPart({
  form,
  update,
  errors,
  readOnly,
  connection,
  toggling,
  onToggle,
  onChanged,
  onDeleted,
}: SectionProps & {
  connection: Connection;
  toggling: boolean;
  onToggle: (on: boolean) => void;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const s = useStyles();
  const { client } = useSession();
  const all = useLoad(() => client.connections(), [client, connection.status]);
  return (
    <>
      <Section id="connection" title="Connection">
        <Field label="Name" required validationMessage={errors.name}>
          <Input
            value={form.name}
            disabled={readOnly}
            onChange={(_, d) => update((f) => ({ ...f, name: d.value }))}
          />
        </Field>
        <Switch
          label={connection.status === "inactive" ? "Connection is off: no syncs run" : "Connection is on"}
          checked={connection.status !== "inactive"}
          disabled={readOnly || toggling}
          onChange={(_, d) => onToggle(d.checked)}
        />
        <SecretExpiry connection={connection} />
        {connection.kind === "scim" && (
          <Body1>
            Entra's provisioning service pushes to this connection: its scope, attribute mappings and schedule
            are set in Entra.{" "}
            <Link href={href({ name: "scim", connectionId: connection.id })}>
              Tenant URL, secret tokens and the Entra setup
            </Link>
          </Body1>
        )}
        {all.data && (
          <ConnectionOffNotice connection={connection} all={all.data.items} onChanged={onChanged} />
        )}
        <Field
          label="Concurrent syncing"
          hint="Normally one connection syncs the directory at a time, and turning one on needs the others off. Allow it on every connection that should sync at the same time (for example, each reading a different part of Entra ID); saved with Save."
        >
          <Switch
            label="Allow this connection to sync while other connections are on"
            checked={form.allowConcurrent}
            disabled={readOnly}
            onChange={(_, d) => update((f) => ({ ...f, allowConcurrent: d.checked }))}
          />
        </Field>
      </Section>
      {!readOnly && (
        <Section
          id="delete-connection"
          title="Delete this connection"
          description="Stops its syncs and deletes its stored credential. You choose whether the profiles and lists it synced stay or go."
        >
          <div className={s.deleteRow}>
            <DeleteConnectionButton connection={connection} onDeleted={onDeleted} />
          </div>
        </Section>
      )}
    </>
  );
}
