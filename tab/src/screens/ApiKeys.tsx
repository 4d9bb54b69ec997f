import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import { useRef, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import { type ApiKey, type DeveloperApi, MACHINE_SCOPES, type MachineScope } from "../api/developer.ts";
import { formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { ShownOnce } from "../components/ShownOnce.tsx";
import { Loaded } from "../components/States.tsx";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "560px" },
  scopes: { display: "flex", flexDirection: "column" },
  table: { marginTop: tokens.spacingVerticalL },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

/** A date picked in the admin's time zone, as the end of that day. */
const endOfDay = (date: string) => new Date(`${date}T23:59:59`).toISOString();

function keyState(k: ApiKey, now: number): string {
  if (k.revokedAt) return `Revoked ${formatWhen(k.revokedAt)}`;
  if (k.expiresAt && Date.parse(k.expiresAt) <= now) return "Expired";
  return "Active";
}

/** Create a key (shown once), see every key's prefix, scopes and last use, and revoke one. */
export function ApiKeys({ api }: { api: DeveloperApi }) {
  const s = useStyles();
  const { notify } = useSession();
  const keys = useLoad(() => api.apiKeys(), [api]);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<MachineScope[]>(["directory:read", "events:read"]);
  const [expires, setExpires] = useState("");
  const [problem, setProblem] = useState<ApiError>();
  const [created, setCreated] = useState<{ name: string; key: string }>();
  const [revoking, setRevoking] = useState<ApiKey>();
  // A second click while the first create is on its way must not make a second key.
  const busy = useRef(false);
  const [pending, setPending] = useState(false);

  const create = async () => {
    if (busy.current) return;
    busy.current = true;
    setPending(true);
    setProblem(undefined);
    try {
      const answer = await api.createApiKey({
        name,
        scopes,
        ...(expires ? { expiresAt: endOfDay(expires) } : {}),
      });
      setCreated({ name: answer.name, key: answer.key });
      setName("");
      setExpires("");
      keys.reload();
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      busy.current = false;
      setPending(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    try {
      await api.revokeApiKey(key.id);
      notify(`API key ${key.name} revoked`);
      keys.reload();
    } catch (err) {
      notify(toApiError(err).message, "error");
    } finally {
      setRevoking(undefined);
    }
  };

  const toggle = (scope: MachineScope, on: boolean) =>
    setScopes((now) => (on ? [...now, scope] : now.filter((x) => x !== scope)));
  const now = Date.now();
  return (
    <>
      {created ? (
        <ShownOnce label="API key" value={created.key} onDone={() => setCreated(undefined)} />
      ) : (
        <form
          className={s.form}
          aria-label="New API key"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          {problem && <ProblemBar error={problem} title="The key was not created" />}
          <Field
            label="Name"
            required
            validationMessage={problem?.fields.name}
            hint="Which application uses it"
          >
            <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={100} />
          </Field>
          <Field label="Scopes" validationMessage={problem?.fields.scopes}>
            <div className={s.scopes}>
              {MACHINE_SCOPES.map(({ scope, label }) => (
                <Checkbox
                  key={scope}
                  label={`${label} (${scope})`}
                  checked={scopes.includes(scope)}
                  onChange={(_, d) => toggle(scope, d.checked === true)}
                />
              ))}
            </div>
          </Field>
          <Field
            label="Expires (optional)"
            validationMessage={problem?.fields.expiresAt}
            hint="At the end of that day"
          >
            <Input type="date" value={expires} onChange={(_, d) => setExpires(d.value)} />
          </Field>
          <div>
            <Button type="submit" appearance="primary" disabled={pending} disabledFocusable={pending}>
              {pending ? "Creating…" : "Create API key"}
            </Button>
          </div>
        </form>
      )}
      <Loaded load={keys} label="Loading API keys…">
        {({ items }) =>
          items.length === 0 ? (
            <p>No API keys yet.</p>
          ) : (
            <Table className={s.table} aria-label="API keys">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Name</TableHeaderCell>
                  <TableHeaderCell>Prefix</TableHeaderCell>
                  <TableHeaderCell>Scopes</TableHeaderCell>
                  <TableHeaderCell>Last used</TableHeaderCell>
                  <TableHeaderCell>Expires</TableHeaderCell>
                  <TableHeaderCell>State</TableHeaderCell>
                  <TableHeaderCell>Actions</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((k) => (
                  <TableRow key={k.id}>
                    <TableCell>{k.name}</TableCell>
                    <TableCell className={s.mono}>{k.prefix}…</TableCell>
                    <TableCell>{k.scopes.join(", ")}</TableCell>
                    <TableCell>{k.lastUsedAt ? formatWhen(k.lastUsedAt) : "Never"}</TableCell>
                    <TableCell>{k.expiresAt ? formatWhen(k.expiresAt) : "Never"}</TableCell>
                    <TableCell>{keyState(k, now)}</TableCell>
                    <TableCell>
                      {!k.revokedAt && (
                        <Button size="small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )
        }
      </Loaded>
      <Dialog open={!!revoking} onOpenChange={(_, d) => !d.open && setRevoking(undefined)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Revoke {revoking?.name}?</DialogTitle>
            <DialogContent>
              Applications using the key starting {revoking?.prefix} are refused from now on. This cannot be
              undone: the application needs a new key.
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setRevoking(undefined)}>Cancel</Button>
              <Button appearance="primary" onClick={() => revoking && revoke(revoking)}>
                Revoke key
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
