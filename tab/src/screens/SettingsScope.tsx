import { Field, Input, Radio, RadioGroup, Switch, Textarea } from "@fluentui/react-components";
import { errorFor } from "../app/settingsForm.ts";
import { GroupPicker } from "../components/GroupPicker.tsx";
import { LinesField } from "../components/LinesField.tsx";
import { Section } from "../components/Section.tsx";
import { RulesEditor } from "./SettingsRules.tsx";
import { type SectionProps, setSettings } from "./settingsTypes.ts";

/** What to sync and who is in scope: users by groups, emails or administrative units; lists by prefix or id. */
export function ScopeSections({ form, update, errors, readOnly }: SectionProps) {
  const s = form.settings;
  const u = s.users;
  const setUsers = (patch: Partial<typeof u>) =>
    update(setSettings((x) => ({ ...x, users: { ...x.users, ...patch } })));
  const setLists = (patch: Partial<typeof s.lists>) =>
    update(setSettings((x) => ({ ...x, lists: { ...x.lists, ...patch } })));
  return (
    <>
      <Section id="what" title="What to sync">
        <RadioGroup
          aria-label="What to sync"
          value={s.what}
          disabled={readOnly}
          onChange={(_, d) => update(setSettings((x) => ({ ...x, what: d.value as typeof s.what })))}
        >
          <Radio
            value="users-and-lists"
            label="Users and lists (people become profiles, groups become lists)"
          />
          <Radio value="users" label="Users only" />
          <Radio value="lists" label="Lists only" />
        </RadioGroup>
      </Section>
      {s.what !== "lists" && (
        <Section id="users" title="Which users" description="Only users in scope become profiles.">
          <Field label="Users in scope">
            <RadioGroup
              value={u.scope}
              disabled={readOnly}
              onChange={(_, d) => setUsers({ scope: d.value as typeof u.scope })}
            >
              <Radio value="all" label="All users" />
              <Radio value="groups" label="Members of selected groups (nested groups included)" />
              <Radio value="emails" label="A list of email addresses" />
              <Radio value="administrativeUnits" label="Members of administrative units" />
            </RadioGroup>
          </Field>
          {u.scope === "groups" && (
            <GroupPicker
              label="Groups"
              hint="Type 3 or more characters of a group's name to search Entra ID."
              selected={u.groupIds}
              known={form.groups}
              disabled={readOnly}
              error={errorFor(errors, "users.groupIds")}
              onChange={(ids, hits) =>
                update((f) => ({
                  ...f,
                  groups: { ...f.groups, ...Object.fromEntries(hits.map((h) => [h.id, h])) },
                  settings: { ...f.settings, users: { ...f.settings.users, groupIds: ids } },
                }))
              }
            />
          )}
          {u.scope === "emails" && (
            <LinesField
              label="Email addresses"
              hint="One email per line (up to 10,000)."
              kind="email"
              max={10_000}
              value={form.lines.emails}
              disabled={readOnly}
              error={errorFor(errors, "users.emails")}
              onChange={(emails) => update((f) => ({ ...f, lines: { ...f.lines, emails } }))}
            />
          )}
          {u.scope === "administrativeUnits" && (
            <LinesField
              label="Administrative unit ids"
              hint="One object id (GUID) per line (up to 100)."
              kind="guid"
              max={100}
              value={form.lines.administrativeUnitIds}
              disabled={readOnly}
              error={errorFor(errors, "users.administrativeUnitIds")}
              onChange={(administrativeUnitIds) =>
                update((f) => ({ ...f, lines: { ...f.lines, administrativeUnitIds } }))
              }
            />
          )}
          <Field
            label="User filter (OData, optional)"
            hint={`Applied by Microsoft Graph, for example: department eq 'Sales' or startswith(jobTitle,'Eng'). ${u.filter.length}/2000`}
            validationMessage={errorFor(errors, "users.filter")}
          >
            <Textarea
              value={u.filter}
              rows={2}
              disabled={readOnly}
              spellCheck={false}
              onChange={(_, d) => setUsers({ filter: d.value })}
            />
          </Field>
          <RulesEditor form={form} update={update} errors={errors} readOnly={readOnly} />
          <Switch
            label="Include guest users"
            checked={u.guests === "include"}
            disabled={readOnly}
            onChange={(_, d) => setUsers({ guests: d.checked ? "include" : "exclude" })}
          />
          <Switch
            label="Leave out resource accounts (rooms, equipment, shared mailboxes)"
            checked={u.excludeResourceAccounts}
            disabled={readOnly}
            onChange={(_, d) => setUsers({ excludeResourceAccounts: d.checked })}
          />
          <Field label="Disabled accounts">
            <RadioGroup
              value={u.disabled}
              disabled={readOnly}
              onChange={(_, d) => setUsers({ disabled: d.value as typeof u.disabled })}
            >
              <Radio value="inactive" label="Sync them as inactive profiles" />
              <Radio value="exclude" label="Leave them out" />
            </RadioGroup>
          </Field>
        </Section>
      )}
      {s.what !== "users" && (
        <Section
          id="lists"
          title="Which groups"
          description="Groups in scope become lists, with their members."
        >
          <Field label="Groups in scope">
            <RadioGroup
              value={s.lists.scope}
              disabled={readOnly}
              onChange={(_, d) => setLists({ scope: d.value as "all" | "ids" })}
            >
              <Radio value="all" label="All groups (optionally filtered by name prefix)" />
              <Radio value="ids" label="Only the groups listed by id" />
            </RadioGroup>
          </Field>
          {s.lists.scope === "ids" && (
            <LinesField
              label="Group ids"
              hint="One group object id (GUID) per line (up to 5,000)."
              kind="guid"
              max={5000}
              value={form.lines.listGroupIds}
              disabled={readOnly}
              error={errorFor(errors, "lists.groupIds")}
              onChange={(listGroupIds) => update((f) => ({ ...f, lines: { ...f.lines, listGroupIds } }))}
            />
          )}
          <Field
            label="Group name prefix (optional)"
            hint='Only groups whose display name starts with this, for example "Marketing-".'
            validationMessage={errorFor(errors, "lists.namePrefix")}
          >
            <Input
              value={s.lists.namePrefix}
              disabled={readOnly}
              onChange={(_, d) => setLists({ namePrefix: d.value })}
            />
          </Field>
        </Section>
      )}
    </>
  );
}
