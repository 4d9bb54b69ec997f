import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
  Radio,
  RadioGroup,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwise20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { IssuedScimToken, ScimToken } from "../api/types.ts";
import { formatRelative, formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";

const useStyles = makeStyles({
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

const HOUR = 60;
/** How long the old token keeps working after a rotation: long enough to paste the new one into Entra. */
const GRACE_CHOICES = [
  { minutes: HOUR, label: "1 hour" },
  { minutes: 24 * HOUR, label: "24 hours (recommended)" },
  { minutes: 7 * 24 * HOUR, label: "7 days" },
  { minutes: 0, label: "End it now: the old token leaked or must stop at once" },
] as const;

/** When a token stops working, in words: the current one never does until it is rotated. */
function validity(t: ScimToken, now = Date.now()): string {
  if (!t.validUntil) return "Current token";
  const until = Date.parse(t.validUntil);
  return until > now ? `Until ${formatWhen(t.validUntil)}` : `Ended ${formatWhen(t.validUntil)}`;
}

/** The tokens Entra may hold (never their secrets), and a new token with the old one kept for a while. */
export function ScimTokens({
  connectionId,
  tokens: list,
  readOnly,
  onRotated,
}: {
  connectionId: string;
  tokens: ScimToken[];
  readOnly: boolean;
  onRotated: (issued: IssuedScimToken) => void;
}) {
  const s = useStyles();
  const { client } = useSession();
  const [open, setOpen] = useState(false);
  const [grace, setGrace] = useState<number>(24 * HOUR);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError>();

  // A failure from an earlier attempt belongs to that attempt: the dialog opens without it.
  const openDialog = () => {
    setProblem(undefined);
    setOpen(true);
  };

  const rotate = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const issued = await client.rotateScimToken(connectionId, { graceMinutes: grace });
      setOpen(false);
      onRotated(issued);
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Table aria-label="Secret tokens" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Token</TableHeaderCell>
            <TableHeaderCell>Created</TableHeaderCell>
            <TableHeaderCell>Valid</TableHeaderCell>
            <TableHeaderCell>Last used</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {list.map((t) => (
            <TableRow key={t.id}>
              <TableCell>
                <span className={s.mono}>{t.hint}</span>
              </TableCell>
              <TableCell title={formatWhen(t.createdAt)}>{formatRelative(t.createdAt)}</TableCell>
              <TableCell>{validity(t)}</TableCell>
              <TableCell title={t.lastUsedAt ? formatWhen(t.lastUsedAt) : undefined}>
                {t.lastUsedAt ? formatRelative(t.lastUsedAt) : "Not yet"}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {!readOnly && (
        <div>
          <Button icon={<ArrowClockwise20Regular />} onClick={openDialog}>
            Rotate token
          </Button>
        </div>
      )}
      <Dialog open={open} onOpenChange={(_, d) => !busy && setOpen(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Rotate the secret token?</DialogTitle>
            <DialogContent className={s.content}>
              {problem && <ProblemBar error={problem} title="The token was not rotated" />}
              <Text>
                A new token is made and shown once. Paste it into Entra (Provisioning → Admin Credentials →
                Secret Token), select Test Connection, then Save. Until then Entra still sends the current
                token: choose how long it keeps working.
              </Text>
              <RadioGroup
                aria-label="The current token keeps working for"
                value={String(grace)}
                onChange={(_, d) => setGrace(Number(d.value))}
              >
                {GRACE_CHOICES.map((c) => (
                  <Radio key={c.minutes} value={String(c.minutes)} label={c.label} />
                ))}
              </RadioGroup>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </Button>
              <Button appearance="primary" onClick={rotate} disabled={busy}>
                {busy ? "Rotating…" : "Rotate token"}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
