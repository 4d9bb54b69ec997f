import { Badge, type BadgeProps } from "@fluentui/react-components";
import {
  CheckmarkCircle16Regular,
  DismissCircle16Regular,
  ErrorCircle16Regular,
  Info16Regular,
  PauseCircle16Regular,
  Warning16Regular,
} from "@fluentui/react-icons";
import type { ReactElement } from "react";

type Look = { label: string; color: NonNullable<BadgeProps["color"]>; icon?: ReactElement };

const ok = <CheckmarkCircle16Regular />;
const bad = <ErrorCircle16Regular />;
const warn = <Warning16Regular />;
const info = <Info16Regular />;
const paused = <PauseCircle16Regular />;

const LOOKS: Record<string, Record<string, Look>> = {
  connection: {
    active: { label: "Active", color: "success", icon: ok },
    inactive: { label: "Inactive", color: "subtle", icon: paused },
    "needs-reauth": { label: "Needs reauthorization", color: "warning", icon: warn },
    error: { label: "Error", color: "danger", icon: bad },
  },
  task: {
    queued: { label: "Queued", color: "informative", icon: info },
    running: { label: "Running", color: "brand", icon: info },
    succeeded: { label: "Succeeded", color: "success", icon: ok },
    failed: { label: "Failed", color: "danger", icon: bad },
    halted: { label: "Halted", color: "warning", icon: warn },
    cancelled: { label: "Cancelled", color: "subtle", icon: <DismissCircle16Regular /> },
  },
  record: {
    active: { label: "Active", color: "success" },
    inactive: { label: "Inactive", color: "subtle" },
    deleted: { label: "Deleted", color: "danger" },
  },
  action: {
    created: { label: "Created", color: "success" },
    updated: { label: "Updated", color: "brand" },
    unchanged: { label: "Unchanged", color: "subtle" },
    deactivated: { label: "Deactivated", color: "warning" },
    deleted: { label: "Deleted", color: "danger" },
    restored: { label: "Restored", color: "success" },
    skipped: { label: "Skipped", color: "informative" },
    error: { label: "Error", color: "danger" },
    "pending-delete": { label: "Would be deleted", color: "warning", icon: warn },
    "pending-deactivate": { label: "Would be deactivated", color: "warning", icon: warn },
  },
  permission: {
    granted: { label: "Granted", color: "success", icon: ok },
    missing: { label: "Missing", color: "danger", icon: bad },
    // The credentials themselves were refused (wrong or expired secret, consent revoked).
    rejected: { label: "Rejected", color: "danger", icon: bad },
    // Syncing works without it; only a feature named in the detail does not.
    "optional-missing": { label: "Missing (optional)", color: "warning", icon: warn },
  },
};

export type StatusKind = "connection" | "task" | "record" | "action" | "permission";

/** The words a badge shows for a value, for filters that offer the same values. */
export const statusLabel = (kind: StatusKind, value: string): string => LOOKS[kind]?.[value]?.label ?? value;

/** A coloured status with an icon and words, so colour is never the only signal. */
export function StatusBadge({ kind, value }: { kind: StatusKind; value: string }) {
  const look = LOOKS[kind]?.[value] ?? { label: value, color: "informative" as const };
  return (
    <Badge
      appearance="tint"
      color={look.color}
      icon={look.icon}
      shape="rounded"
      style={{ whiteSpace: "nowrap" }}
    >
      {look.label}
    </Badge>
  );
}
