import { Body1, makeStyles, Spinner, Subtitle2, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { ApiError } from "../api/client.ts";
import { ProblemBar } from "./ProblemBar.tsx";

const useStyles = makeStyles({
  center: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalL}`,
    textAlign: "center",
  },
  icon: { fontSize: "40px", color: tokens.colorBrandForeground1 },
  text: { maxWidth: "52ch", color: tokens.colorNeutralForeground2 },
});

export function Loading({ label = "Loading…" }: { label?: string }) {
  const s = useStyles();
  return (
    <div className={s.center} role="status">
      <Spinner label={label} />
    </div>
  );
}

export function Empty({
  icon,
  title,
  children,
  action,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  const s = useStyles();
  return (
    <div className={s.center}>
      {icon && (
        <span className={s.icon} aria-hidden>
          {icon}
        </span>
      )}
      <Subtitle2 as="p">{title}</Subtitle2>
      {children && <Body1 className={s.text}>{children}</Body1>}
      {action}
    </div>
  );
}

/** Loading / error / ready in one place, so no screen forgets a state. */
export function Loaded<T>({
  load,
  children,
  label,
}: {
  load: { state: "loading" | "ready" | "error"; data?: T; error?: ApiError; reload: () => void };
  children: (data: T) => ReactNode;
  label?: string;
}) {
  if (load.state === "loading") return <Loading {...(label ? { label } : {})} />;
  if (load.state === "error" || load.data === undefined)
    return load.error ? <ProblemBar error={load.error} onRetry={load.reload} /> : <Loading />;
  return <>{children(load.data)}</>;
}
