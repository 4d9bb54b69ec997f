import {
  Menu,
  MenuButton,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Tooltip,
} from "@fluentui/react-components";
import { ArrowSync20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { TaskType } from "../api/types.ts";
import { navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";

const CHOICES: { type: TaskType; label: string }[] = [
  { type: "full", label: "Sync users and lists" },
  { type: "users", label: "Sync users only" },
  { type: "lists", label: "Sync lists only" },
  { type: "preview", label: "Preview changes (changes nothing)" },
];

/** Starts a sync of one connection and opens its progress; a sync already running is opened instead. */
export function SyncNowMenu({
  connectionId,
  connectionName,
  disabled,
  disabledReason,
  onError,
}: {
  connectionId: string;
  connectionName: string;
  disabled?: boolean;
  /** Why it cannot be used: shown as its tooltip, and the button stays focusable so keyboards reach it. */
  disabledReason?: string | undefined;
  onError: (err: ApiError) => void;
}) {
  const { client, notify } = useSession();
  const [busy, setBusy] = useState(false);
  const start = async (type: TaskType) => {
    setBusy(true);
    try {
      const task = await client.startTask(connectionId, type);
      navigate({ name: "run", taskId: task.id });
    } catch (err) {
      const e = toApiError(err);
      if (e.code === "already-running" && e.taskId) {
        notify(`${e.message}. Showing the running sync.`, "info");
        navigate({ name: "run", taskId: e.taskId });
      } else onError(e);
    } finally {
      setBusy(false);
    }
  };
  if (disabledReason)
    return (
      <Tooltip content={disabledReason} relationship="description" withArrow>
        <MenuButton
          appearance="primary"
          icon={<ArrowSync20Regular />}
          disabledFocusable
          aria-label={`Sync now: ${connectionName}`}
        >
          Sync now
        </MenuButton>
      </Tooltip>
    );
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <MenuButton
          appearance="primary"
          icon={<ArrowSync20Regular />}
          disabled={disabled || busy}
          aria-label={`Sync now: ${connectionName}`}
        >
          {busy ? "Starting…" : "Sync now"}
        </MenuButton>
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {CHOICES.map((c) => (
            <MenuItem key={c.type} onClick={() => start(c.type)}>
              {c.label}
            </MenuItem>
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
