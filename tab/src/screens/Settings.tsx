import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Switch,
  Text,
  tokens,
} from "@fluentui/react-components";
import { Save20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { AttributeDefinition, Connection } from "../api/types.ts";
import { toLines } from "../app/lines.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import {
  defaultSchedule,
  type FieldErrors,
  normalizeFieldErrors,
  validate,
  withDefaults,
} from "../app/settingsForm.ts";
import { type Editable, editableOf, mergeEdits, type TheirChange } from "../app/settingsMerge.ts";
import { useLoad } from "../app/useLoad.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { Section } from "../components/Section.tsx";
import { Loaded } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { SettingsConflict } from "./SettingsConflict.tsx";
import { DeletionSection } from "./SettingsDeletion.tsx";
import { MappingSection } from "./SettingsMapping.tsx";
import { ScheduleSection } from "./SettingsSchedule.tsx";
import { ScopeSections } from "./SettingsScope.tsx";
import type { SettingsForm } from "./settingsTypes.ts";

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
  list: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalXL },
});

const toForm = (c: Connection): SettingsForm => {
  const settings = withDefaults(c.settings);
  return {
    name: c.name,
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

function SettingsEditor({ initial, attributes }: { initial: Connection; attributes: AttributeDefinition[] }) {
  const s = useStyles();
  const { client, me, notify } = useSession();
  const [connection, setConnection] = useState(initial);
  const [form, setForm] = useState(() => toForm(initial));
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [conflict, setConflict] = useState<{
    theirs: Connection;
    merged: Editable;
    changes: TheirChange[];
  }>();
  const readOnly = !me.isAdmin;
  const versionOf = (c: Connection) => c.etag ?? c._etag;

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
  const send = async (edits: Editable) => {
    try {
      saved(
        await client.updateConnection(connection.id, edits, versionOf(connection)),
        "Settings saved. The next sync uses them.",
      );
    } catch (err) {
      if (toApiError(err).status !== 412) throw err;
      const theirs = await client.connection(connection.id);
      const { merged, theirChanges } = mergeEdits(editableOf(connection), edits, editableOf(theirs));
      if (theirChanges.length > 0) {
        setConflict({ theirs, merged, changes: theirChanges });
        return;
      }
      saved(
        await client.updateConnection(connection.id, merged, versionOf(theirs)),
        "Settings saved. The next sync uses them.",
      );
    }
  };

  const mergeAndSave = async () => {
    if (!conflict) return;
    setSaving(true);
    setProblem(undefined);
    try {
      const c = await client.updateConnection(connection.id, conflict.merged, versionOf(conflict.theirs));
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

  const save = async () => {
    setProblem(undefined);
    const { errors: found, parsed } = validate(form.settings, form.lines, form.schedule, form.name);
    setErrors(found);
    if (Object.keys(found).length) {
      focusFirstInvalid();
      return;
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
      await send({ name: form.name.trim(), settings, schedule: form.schedule });
    } catch (err) {
      const e = toApiError(err);
      setErrors(normalizeFieldErrors(e.fields));
      setProblem(e);
      focusFirstInvalid();
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
  const props = { form, update, errors, readOnly };
  return (
    <div className={s.stack}>
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
          onChange={(_, d) => toggle(d.checked)}
        />
      </Section>
      <ScopeSections {...props} />
      <DeletionSection {...props} />
      <MappingSection {...props} attributes={attributes} />
      <ScheduleSection {...props} />
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
          <Button appearance="primary" icon={<Save20Regular />} onClick={save} disabled={saving}>
            {saving ? "Saving…" : "Save"}
          </Button>
        </div>
      )}
    </div>
  );
}
