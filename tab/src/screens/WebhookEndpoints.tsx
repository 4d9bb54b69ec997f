import {
  Button,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Option,
  tokens,
} from "@fluentui/react-components";
import { useRef, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import {
  type DeveloperApi,
  type DirectoryEventType,
  EVENT_TYPES,
  isEventType,
  type WebhookEndpoint,
} from "../api/developer.ts";
import { formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { ShownOnce } from "../components/ShownOnce.tsx";
import { Loaded } from "../components/States.tsx";
import { DeliveryLog } from "./WebhookDeliveries.tsx";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "560px" },
  endpoints: { listStyle: "none", margin: `${tokens.spacingVerticalL} 0 0`, padding: 0 },
  endpoint: {
    padding: tokens.spacingVerticalM,
    marginBottom: tokens.spacingVerticalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  url: {
    fontFamily: tokens.fontFamilyMonospace,
    overflowWrap: "anywhere",
    fontWeight: tokens.fontWeightSemibold,
  },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

/** The banner an endpoint that Directory Sync switched off after days of failed deliveries gets. */
export function DisabledEndpointBanner({ endpoint }: { endpoint: WebhookEndpoint }) {
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Webhook endpoint {endpoint.url} is switched off</MessageBarTitle>
        {endpoint.disabledReason ? `${endpoint.disabledReason}.` : "It was switched off."}
        {endpoint.failingSince ? ` Deliveries have failed since ${formatWhen(endpoint.failingSince)}.` : ""}{" "}
        Fix the receiver, switch the endpoint on, then redeliver the events since it failed.
      </MessageBarBody>
    </MessageBar>
  );
}

function Endpoint({
  api,
  endpoint,
  changed,
}: {
  api: DeveloperApi;
  endpoint: WebhookEndpoint;
  changed: () => void;
}) {
  const s = useStyles();
  const { notify } = useSession();
  const [secret, setSecret] = useState<string>();
  const [showLog, setShowLog] = useState(false);
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      notify(done);
      changed();
    } catch (err) {
      notify(toApiError(err).message, "error");
    }
  };
  const testSend = async () => {
    try {
      const answer = await api.testSend(endpoint.id);
      const ok = answer.status >= 200 && answer.status < 300;
      notify(
        ok
          ? `Test event delivered: ${answer.status} in ${answer.latencyMs} ms`
          : `Test event not accepted (${answer.status || "no answer"}): ${answer.excerpt || "no response"}`,
        ok ? "success" : "error",
      );
    } catch (err) {
      notify(toApiError(err).message, "error");
    }
  };
  const rotate = async () => {
    try {
      setSecret((await api.rotateSecret(endpoint.id)).secret);
      changed();
    } catch (err) {
      notify(toApiError(err).message, "error");
    }
  };
  return (
    <li className={s.endpoint} aria-label={`Endpoint ${endpoint.url}`}>
      <span className={s.url}>{endpoint.url}</span>
      <span>
        {endpoint.status === "enabled" ? "On" : "Off"} ·{" "}
        {endpoint.eventTypes.length ? endpoint.eventTypes.join(", ") : "All event types"} · secret from{" "}
        {formatWhen(endpoint.secretRotatedAt)}
      </span>
      {secret && <ShownOnce label="Signing secret" value={secret} onDone={() => setSecret(undefined)} />}
      <div className={s.actions}>
        <Button onClick={testSend}>Send test event</Button>
        <Button onClick={rotate}>Rotate secret</Button>
        <Button onClick={() => setShowLog((v) => !v)} aria-expanded={showLog}>
          {showLog ? "Hide delivery log" : "Delivery log"}
        </Button>
        <Button
          onClick={() =>
            act(
              () => api.setWebhookEnabled(endpoint.id, endpoint.status !== "enabled"),
              endpoint.status === "enabled" ? "Endpoint switched off" : "Endpoint switched on",
            )
          }
        >
          {endpoint.status === "enabled" ? "Switch off" : "Switch on"}
        </Button>
        <Button onClick={() => act(() => api.removeWebhook(endpoint.id), "Endpoint removed")}>Remove</Button>
      </div>
      {showLog && <DeliveryLog api={api} endpoint={endpoint} />}
    </li>
  );
}

/** Register an https receiver (its signing secret shown once), then test, rotate and follow its deliveries. */
export function WebhookEndpoints({ api }: { api: DeveloperApi }) {
  const s = useStyles();
  const endpoints = useLoad(() => api.webhooks(), [api]);
  const [url, setUrl] = useState("");
  const [types, setTypes] = useState<DirectoryEventType[]>([]);
  const [problem, setProblem] = useState<ApiError>();
  const [created, setCreated] = useState<string>();
  const busy = useRef(false);
  const [pending, setPending] = useState(false);

  const create = async () => {
    if (busy.current) return;
    busy.current = true;
    setPending(true);
    setProblem(undefined);
    try {
      const answer = await api.createWebhook({ url, eventTypes: types });
      setCreated(answer.secret);
      setUrl("");
      setTypes([]);
      endpoints.reload();
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      busy.current = false;
      setPending(false);
    }
  };

  return (
    <>
      {created ? (
        <ShownOnce label="Signing secret" value={created} onDone={() => setCreated(undefined)} />
      ) : (
        <form
          className={s.form}
          aria-label="New webhook endpoint"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          {problem && <ProblemBar error={problem} title="The endpoint was not added" />}
          <Field
            label="Receiver URL"
            required
            validationMessage={problem?.fields.url}
            hint="https; deliveries are signed per Standard Webhooks"
          >
            <Input type="url" value={url} onChange={(_, d) => setUrl(d.value)} placeholder="https://" />
          </Field>
          <Field label="Event types" hint="None chosen: every event type">
            <Dropdown
              multiselect
              placeholder="All event types"
              selectedOptions={types}
              value={types.join(", ")}
              onOptionSelect={(_, d) => setTypes(d.selectedOptions.filter(isEventType))}
            >
              {EVENT_TYPES.map((t) => (
                <Option key={t}>{t}</Option>
              ))}
            </Dropdown>
          </Field>
          <div>
            <Button type="submit" appearance="primary" disabled={pending} disabledFocusable={pending}>
              {pending ? "Adding…" : "Add endpoint"}
            </Button>
          </div>
        </form>
      )}
      <Loaded load={endpoints} label="Loading webhook endpoints…">
        {({ data }) =>
          data.length === 0 ? (
            <p>No webhook endpoints yet.</p>
          ) : (
            <ul className={s.endpoints} aria-label="Webhook endpoints">
              {data.map((e) => (
                <Endpoint key={e.id} api={api} endpoint={e} changed={endpoints.reload} />
              ))}
            </ul>
          )
        }
      </Loaded>
    </>
  );
}
