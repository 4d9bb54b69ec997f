import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { type FormEvent, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { Connection } from "../api/types.ts";
import { useSession } from "../app/session.tsx";

interface Props {
  connection: Connection;
  onDone: () => void;
  onError: (e: ApiError) => void;
}

/**
 * A connection whose credential stopped working. App-credential connections are fixed with a new client
 * secret; delegated ones by an admin signing in and consenting again.
 */
export function ReauthBanner({ connection, onDone, onError }: Props) {
  const { me } = useSession();
  const problem = connection.statusProblem;
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{connection.name} needs reauthorization</MessageBarTitle>
        {problem
          ? `${problem.message.replace(/\.$/, "")}. ${problem.remedy}`
          : "Its sign-in stopped working, so syncs are paused. An administrator must sign in again and grant consent."}
      </MessageBarBody>
      {me.isAdmin && (
        <MessageBarActions>
          {connection.kind === "graph-app" ? (
            <NewSecretButton connection={connection} onDone={onDone} onError={onError} />
          ) : (
            <ConsentButton connection={connection} onDone={onDone} onError={onError} />
          )}
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

function ConsentButton({ connection, onDone, onError }: Props) {
  const { client, openConsent, notify } = useSession();
  const [busy, setBusy] = useState(false);
  const reauthorize = async () => {
    setBusy(true);
    try {
      const { url } = await client.consentUrl(connection.id);
      const outcome = await openConsent(url);
      if (outcome.ok) notify(`${connection.name} is reauthorized`);
      else if (!outcome.closed) notify(outcome.detail ?? "Reauthorization was not completed", "warning");
      // The connection's status says whether it worked, however the window ended.
      onDone();
    } catch (err) {
      onError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button appearance="primary" onClick={reauthorize} disabled={busy}>
      {busy ? "Waiting for consent…" : "Reauthorize"}
    </Button>
  );
}

function NewSecretButton({ connection, onDone }: Props) {
  const { client, notify } = useSession();
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved = await client.updateConnection(connection.id, { clientSecret: secret });
      if (saved.status === "active") {
        notify(`${connection.name} works again with the new secret`);
        setOpen(false);
        setSecret("");
        onDone();
      } else {
        setError(
          saved.statusProblem
            ? `${saved.statusProblem.message} ${saved.statusProblem.remedy}`
            : "Entra ID did not accept the new secret.",
        );
      }
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError.fields.clientSecret ?? `${apiError.message} ${apiError.remedy}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <Button appearance="primary" onClick={() => setOpen(true)}>
        Enter a new client secret
      </Button>
      <DialogSurface>
        <form onSubmit={submit}>
          <DialogBody>
            <DialogTitle>New client secret for {connection.name}</DialogTitle>
            <DialogContent>
              <Field
                label="Client secret value"
                hint={`From the app registration ${connection.clientId ?? ""} in Entra ID → Certificates & secrets.`}
                validationMessage={error}
                required
              >
                <Input
                  type="password"
                  value={secret}
                  onChange={(_, d) => setSecret(d.value)}
                  autoComplete="off"
                />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={busy || secret.length < 8}>
                {busy ? "Checking…" : "Save and check"}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
