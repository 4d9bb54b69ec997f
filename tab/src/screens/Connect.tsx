import {
  Body1,
  Button,
  Card,
  Field,
  Input,
  makeStyles,
  mergeClasses,
  Radio,
  RadioGroup,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { CreatedConnection } from "../api/types.ts";
import { isGuid } from "../app/lines.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { Steps } from "../components/Steps.tsx";
import { ConnectTest } from "./ConnectTest.tsx";
import { ScimSetupPanel } from "./ScimSetupPanel.tsx";

const useStyles = makeStyles({
  card: { maxWidth: "640px", gap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalXL },
  // The Entra walkthrough holds a table of mappings: it needs the page's width.
  wide: { maxWidth: "none" },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  hint: { color: tokens.colorNeutralForeground2 },
});

type Kind = "graph-app" | "graph-delegated" | "scim";
const STEPS = ["Choose how", "Details", "Test connection"];
/** Push mode has nothing to test from here: Entra tests the connection with the tenant URL and token. */
const SCIM_STEPS = ["Choose how", "Details", "Set up in Entra"];

/**
 * Connects the signed-in tenant: app credentials, an admin's sign-in with admin consent, or a tenant URL
 * and token for Entra's provisioning service to push to.
 */
export function Connect() {
  const s = useStyles();
  const { client, me, openConsent } = useSession();
  const [step, setStep] = useState(0);
  const [kind, setKind] = useState<Kind>("graph-app");
  const [name, setName] = useState("Entra ID");
  const [clientId, setClientId] = useState("");
  const [secret, setSecret] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [connection, setConnection] = useState<CreatedConnection>();

  if (!me.isAdmin)
    return (
      <>
        <PageHeader title="Connect to Entra ID" back={{ href: href({ name: "home" }), label: "Home" }} />
        <ProblemBar
          error={{
            message: "Only administrators can add connections",
            remedy: "Ask an administrator of your organisation to add the connection.",
          }}
        />
      </>
    );

  const check = (): Record<string, string> => {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = "Enter a name, for example the tenant's name.";
    if (kind === "graph-app") {
      if (!isGuid(clientId))
        e.clientId = "Enter the application (client) id: a GUID like 00000000-0000-0000-0000-000000000000.";
      if (!secret.trim()) e.clientSecret = "Enter the client secret's value (not its id).";
    }
    return e;
  };

  const create = async () => {
    const e = check();
    setErrors(e);
    setProblem(undefined);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      const created =
        connection ??
        (await client.createConnection(
          kind === "graph-app"
            ? { name: name.trim(), kind, clientId: clientId.trim(), clientSecret: secret.trim() }
            : { name: name.trim(), kind },
        ));
      setConnection(created);
      if (kind === "graph-delegated") {
        const { url } = await client.consentUrl(created.id);
        const outcome = await openConsent(url);
        // A closed window is checked by the test step; only an explicit refusal stops here.
        if (!outcome.ok && !outcome.closed) {
          setProblem({
            message: "Admin consent was not granted",
            remedy: `${outcome.detail ?? ""} Select "Sign in and grant admin consent" to try again.`.trim(),
          } as ApiError);
          return;
        }
      }
      setStep(2);
    } catch (err) {
      const apiError = toApiError(err);
      setErrors(apiError.fields);
      setProblem(apiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Connect to Entra ID"
        back={{ href: href({ name: "home" }), label: "Home" }}
        subtitle={`Tenant ${me.tenantId} (the tenant you are signed in to)`}
      />
      <Steps steps={kind === "scim" ? SCIM_STEPS : STEPS} current={step} />
      <Card className={mergeClasses(s.card, step === 2 && kind === "scim" && s.wide)}>
        {step === 0 && (
          <div className={s.form}>
            <RadioGroup
              value={kind}
              onChange={(_, d) => setKind(d.value as Kind)}
              aria-label="How to connect"
            >
              <Radio
                value="graph-app"
                label="App credentials: an app registration's client id and secret (recommended for unattended syncs)"
              />
              <Radio
                value="graph-delegated"
                label="Sign in and grant admin consent: no app registration to manage; syncs run as you"
              />
              <Radio
                value="scim"
                label="Entra provisioning (SCIM push): Entra's provisioning service sends people and groups to a tenant URL with a secret token; no Graph permissions"
              />
            </RadioGroup>
            <div className={s.actions}>
              <Button appearance="primary" onClick={() => setStep(1)}>
                Next
              </Button>
            </div>
          </div>
        )}
        {step === 1 && (
          <form
            className={s.form}
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void create();
            }}
          >
            {problem && <ProblemBar error={problem} />}
            <Field
              label="Name"
              required
              validationMessage={errors.name}
              hint="How this connection is shown in the tab and in alerts."
            >
              <Input value={name} onChange={(_, d) => setName(d.value)} disabled={!!connection} />
            </Field>
            <Field label="Tenant id" hint="Always the tenant you signed in to.">
              <Input value={me.tenantId} readOnly />
            </Field>
            {kind === "scim" ? (
              <Body1 className={s.hint}>
                Directory Sync makes a tenant URL and a secret token for this connection. You paste both into
                an enterprise application in Entra (the next step shows where), and Entra's provisioning
                service sends the people and groups assigned to it, about every 40 minutes.
              </Body1>
            ) : kind === "graph-app" ? (
              <>
                <Field
                  label="Application (client) id"
                  required
                  validationMessage={errors.clientId}
                  hint="Entra admin center → App registrations → your app → Overview."
                >
                  <Input
                    value={clientId}
                    onChange={(_, d) => setClientId(d.value)}
                    spellCheck={false}
                    disabled={!!connection}
                  />
                </Field>
                <Field
                  label="Client secret"
                  required
                  validationMessage={errors.clientSecret}
                  hint="The secret's value. It is stored encrypted and never shown again."
                >
                  <Input
                    type="password"
                    value={secret}
                    onChange={(_, d) => setSecret(d.value)}
                    disabled={!!connection}
                  />
                </Field>
                <Body1 className={s.hint}>
                  The app needs the Microsoft Graph application permissions User.Read.All and
                  GroupMember.Read.All (Group.Read.All includes it; AdministrativeUnit.Read.All to sync by
                  administrative unit), with admin consent; the connection test checks each one. Add
                  RoleManagement.Read.Directory too, so the bot can check who may run sync commands in chat.
                </Body1>
              </>
            ) : (
              <Body1 className={s.hint}>
                You sign in as a Global Administrator or Privileged Role Administrator and grant consent for
                your organisation. If your account is later disabled or loses its role, the connection asks
                for reauthorization.
              </Body1>
            )}
            <div className={s.actions}>
              <Button onClick={() => setStep(0)} disabled={busy || !!connection}>
                Back
              </Button>
              <Button appearance="primary" type="submit" disabled={busy}>
                {busy
                  ? "Working…"
                  : kind === "scim"
                    ? "Create tenant URL and token"
                    : kind === "graph-app"
                      ? "Create and test"
                      : "Sign in and grant admin consent"}
              </Button>
            </div>
          </form>
        )}
        {step === 2 &&
          connection &&
          (connection.kind === "scim" ? (
            <ScimSetupPanel
              connectionId={connection.id}
              {...(connection.scim ? { issued: connection.scim } : {})}
            />
          ) : (
            <ConnectTest connection={connection} />
          ))}
      </Card>
    </>
  );
}
