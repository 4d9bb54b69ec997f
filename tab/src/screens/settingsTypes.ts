import type { GroupHit, Schedule, SyncSettings } from "../api/types.ts";
import type { FieldErrors, LineFields } from "../app/settingsForm.ts";

/** What the settings screen edits; the whitelists stay text until saved so bad lines are never lost. */
export interface SettingsForm {
  name: string;
  allowConcurrent: boolean;
  settings: SyncSettings;
  schedule: Schedule;
  lines: LineFields;
  groups: Record<string, GroupHit>;
}

export interface SectionProps {
  form: SettingsForm;
  update: (change: (form: SettingsForm) => SettingsForm) => void;
  errors: FieldErrors;
  readOnly: boolean;
}

/** Shorthand for changing part of the settings. */
export const setSettings =
  (change: (s: SyncSettings) => SyncSettings) =>
  (form: SettingsForm): SettingsForm => ({ ...form, settings: change(form.settings) });
