import { Field, SpinButton, Switch } from "@fluentui/react-components";
import { errorFor } from "../app/settingsForm.ts";
import { Section } from "../components/Section.tsx";
import type { SectionProps } from "./settingsTypes.ts";

const num = (value: number | null | undefined, display: string | undefined): number =>
  value ?? (display !== undefined && display.trim() !== "" ? Number(display) : Number.NaN);

/** When syncs run on their own. */
export function ScheduleSection({ form, update, errors, readOnly }: SectionProps) {
  const sch = form.schedule;
  const set = (patch: Partial<typeof sch>) =>
    update((f) => ({ ...f, schedule: { ...f.schedule, ...patch } }));
  return (
    <Section
      id="schedule"
      title="Schedule"
      description="Scheduled runs read only what changed since the last run; a full reconciliation catches anything missed."
    >
      <Switch
        label="Run syncs on a schedule"
        checked={sch.enabled}
        disabled={readOnly}
        onChange={(_, d) => set({ enabled: d.checked })}
      />
      {sch.enabled && (
        <>
          <Field label="Every (minutes)" validationMessage={errorFor(errors, "schedule.intervalMinutes")}>
            <SpinButton
              value={sch.intervalMinutes}
              min={1}
              max={10_080}
              step={1}
              disabled={readOnly}
              onChange={(_, d) => set({ intervalMinutes: num(d.value, d.displayValue) })}
            />
          </Field>
          <Field
            label="Full reconciliation every (hours)"
            validationMessage={errorFor(errors, "schedule.fullEveryHours")}
          >
            <SpinButton
              value={sch.fullEveryHours}
              min={1}
              max={720}
              disabled={readOnly}
              onChange={(_, d) => set({ fullEveryHours: num(d.value, d.displayValue) })}
            />
          </Field>
          <Switch
            label="Quiet: post to the admin channel only when a sync changed something or went wrong"
            checked={sch.quiet}
            disabled={readOnly}
            onChange={(_, d) => set({ quiet: d.checked })}
          />
        </>
      )}
    </Section>
  );
}
