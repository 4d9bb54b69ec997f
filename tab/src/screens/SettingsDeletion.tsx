import {
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  SpinButton,
  Switch,
} from "@fluentui/react-components";
import { errorFor } from "../app/settingsForm.ts";
import { Section } from "../components/Section.tsx";
import { type SectionProps, setSettings } from "./settingsTypes.ts";

const num = (value: number | null | undefined, display: string | undefined): number =>
  value ?? (display !== undefined && display.trim() !== "" ? Number(display) : Number.NaN);

/**
 * Mirror, the deletion guard, retention, update-only and photos: what the sync may change or remove. In push
 * mode Entra decides what is deleted and sends no photos, so only the guard and retention apply there.
 */
export function DeletionSection({
  form,
  update,
  errors,
  readOnly,
  push = false,
}: SectionProps & { push?: boolean }) {
  const s = form.settings;
  const set = (patch: Partial<typeof s>) => update(setSettings((x) => ({ ...x, ...patch })));
  const guard = s.deletionGuard;
  const setGuard = (patch: Partial<typeof guard>) => set({ deletionGuard: { ...guard, ...patch } });
  return (
    <Section id="changes" title="Changes and deletions">
      {push && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            Entra's provisioning service sends deletions and deactivations itself. The guard counts them over
            the last hour: past the threshold, each further one is held on a halted task in History until an
            administrator applies or discards them.
          </MessageBarBody>
        </MessageBar>
      )}
      {!push && (
        <Switch
          label="Mirror Entra ID: delete profiles and lists that leave the scope"
          checked={s.mirror}
          disabled={readOnly}
          onChange={(_, d) => set({ mirror: d.checked })}
        />
      )}
      {s.mirror && !push && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Deletions propagate</MessageBarTitle>
            When someone is deleted in Entra ID, or leaves the groups or filters above, their profile is
            deleted here too. Narrowing the scope deletes everyone who falls outside it. Deletions only happen
            after a complete, successful read of Entra ID.
          </MessageBarBody>
        </MessageBar>
      )}
      <Switch
        label="Deletion guard: stop and ask before deleting many records"
        checked={guard.enabled}
        disabled={readOnly}
        onChange={(_, d) => setGuard({ enabled: d.checked })}
      />
      {guard.enabled && (
        <>
          <Field
            label={
              push
                ? "Hold removals past this many within an hour (records)"
                : "Stop when a run would delete more than (records)"
            }
            validationMessage={errorFor(errors, "deletionGuard.maxCount")}
          >
            <SpinButton
              value={guard.maxCount}
              min={0}
              max={1_000_000}
              disabled={readOnly}
              onChange={(_, d) => setGuard({ maxCount: num(d.value, d.displayValue) })}
            />
          </Field>
          <Field
            label="…or more than this percentage of the synced records"
            validationMessage={errorFor(errors, "deletionGuard.maxPercent")}
          >
            <SpinButton
              value={guard.maxPercent}
              min={0}
              max={100}
              step={1}
              disabled={readOnly}
              onChange={(_, d) => setGuard({ maxPercent: num(d.value, d.displayValue) })}
            />
          </Field>
        </>
      )}
      <Field
        label="Keep deleted records restorable for (days)"
        hint="Deletes are soft first; after this many days they are purged. 0 purges at once."
        validationMessage={errorFor(errors, "retentionDays")}
      >
        <SpinButton
          value={s.retentionDays}
          min={0}
          max={365}
          disabled={readOnly}
          onChange={(_, d) => set({ retentionDays: num(d.value, d.displayValue) })}
        />
      </Field>
      {!push && (
        <>
          <Switch
            label="Update only: never create profiles, only update or deactivate existing ones (matched by UPN or email)"
            checked={s.updateOnly}
            disabled={readOnly}
            onChange={(_, d) => set({ updateOnly: d.checked })}
          />
          <Switch
            label="Sync profile photos"
            checked={s.photos}
            disabled={readOnly}
            onChange={(_, d) => set({ photos: d.checked })}
          />
        </>
      )}
    </Section>
  );
}
