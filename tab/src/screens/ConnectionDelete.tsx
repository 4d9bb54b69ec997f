import {
  Body1,
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
  Spinner,
  tokens,
} from "@fluentui/react-components";
import { Delete20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { Connection } from "../api/types.ts";
import { useSession } from "../app/session.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";

const useStyles = makeStyles({
  content: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

type Step =
  | { state: "closed" }
  | { state: "asking" }
  | { state: "choosing"; explanation: ApiError; profiles: number; lists: number }
  | { state: "failed"; error: ApiError };

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * "Delete connection": first asks the API what deleting would do (it answers 409 with the number of
 * profiles and lists the connection synced), then lets the admin keep that data or remove it.
 */
export function DeleteConnectionButton({
  connection,
  onDeleted,
}: {
  connection: Pick<Connection, "id" | "name">;
  onDeleted: () => void;
}) {
  const s = useStyles();
  const { client, notify } = useSession();
  const [step, setStep] = useState<Step>({ state: "closed" });
  const [data, setData] = useState<"keep" | "remove">("keep");
  const [deleting, setDeleting] = useState(false);
  const [problem, setProblem] = useState<ApiError>();

  const open = async () => {
    setStep({ state: "asking" });
    setProblem(undefined);
    setData("keep");
    try {
      await client.deleteConnection(connection.id);
      // Deleting without a choice is always refused; an answer here means the API changed its mind.
      setStep({ state: "closed" });
      onDeleted();
    } catch (err) {
      const e = toApiError(err);
      if (e.code !== "confirmation-required") return setStep({ state: "failed", error: e });
      const count = (key: string) => (typeof e.detail[key] === "number" ? (e.detail[key] as number) : 0);
      setStep({ state: "choosing", explanation: e, profiles: count("profiles"), lists: count("lists") });
    }
  };

  const confirm = async () => {
    setDeleting(true);
    setProblem(undefined);
    try {
      await client.deleteConnection(connection.id, data);
      setStep({ state: "closed" });
      notify(
        data === "keep"
          ? `Deleted ${connection.name}; its profiles and lists were kept`
          : `Deleted ${connection.name} and the profiles and lists it synced`,
      );
      onDeleted();
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      setDeleting(false);
    }
  };

  const close = () => setStep({ state: "closed" });
  return (
    <>
      <Button appearance="subtle" icon={<Delete20Regular />} onClick={open}>
        Delete
      </Button>
      <Dialog open={step.state !== "closed"} onOpenChange={(_, d) => !d.open && close()}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Delete {connection.name}?</DialogTitle>
            <DialogContent className={s.content}>
              {step.state === "asking" && (
                <Spinner size="small" label="Checking what this connection synced…" />
              )}
              {step.state === "failed" && <ProblemBar error={step.error} />}
              {step.state === "choosing" && (
                <>
                  <Body1>{step.explanation.message}</Body1>
                  <RadioGroup
                    aria-label="What happens to the synced data"
                    value={data}
                    onChange={(_, d) => setData(d.value === "remove" ? "remove" : "keep")}
                  >
                    <Radio
                      value="keep"
                      label={`Keep the ${plural(step.profiles, "profile", "profiles")} and ${plural(step.lists, "list", "lists")}: they stay as they are and are no longer updated`}
                    />
                    <Radio
                      value="remove"
                      label={`Remove the ${plural(step.profiles, "profile", "profiles")} and ${plural(step.lists, "list", "lists")} now`}
                    />
                  </RadioGroup>
                  {problem && <ProblemBar error={problem} title="The connection was not deleted" />}
                </>
              )}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={close}>
                Cancel
              </Button>
              {step.state === "choosing" && (
                <Button appearance="primary" onClick={confirm} disabled={deleting}>
                  {deleting ? "Deleting…" : "Delete connection"}
                </Button>
              )}
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
