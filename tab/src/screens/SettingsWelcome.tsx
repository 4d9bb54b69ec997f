import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Option,
  Radio,
  RadioGroup,
  Switch,
  Text,
  Textarea,
  tokens,
} from "@fluentui/react-components";
import { Send20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import {
  renderTemplate,
  templateProblem,
  WELCOME_PLACEHOLDERS,
  welcomeValues,
} from "../../../api/domain/welcome-template.ts";
import { type ApiError, toApiError } from "../api/client.ts";
import type { Connection, Profile, SyncSettings } from "../api/types.ts";
import { useSession } from "../app/session.tsx";
import { errorFor } from "../app/settingsForm.ts";
import { useLoad } from "../app/useLoad.ts";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { Section } from "../components/Section.tsx";
import { type SectionProps, setSettings } from "./settingsTypes.ts";

type Welcome = SyncSettings["welcome"];

const useStyles = makeStyles({
  preview: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  body: { whiteSpace: "pre-wrap" },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  code: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: "pre-wrap", overflowWrap: "anywhere" },
});

const PLACEHOLDER_LIST = WELCOME_PLACEHOLDERS.map((p) => `{${p}}`).join(", ");

/**
 * Welcome notices: off by default. Switching them on asks about the people already in the directory, so a
 * first sync of an existing tenant does not welcome everyone by surprise; the notice is previewed with a real
 * synced profile and can be sent to the admin first.
 */
export function WelcomeSection({
  form,
  update,
  errors,
  readOnly,
  connection,
}: SectionProps & { connection: Connection }) {
  const w = form.settings.welcome;
  const set = (patch: Partial<Welcome>) =>
    update(setSettings((x) => ({ ...x, welcome: { ...x.welcome, ...patch } })));
  const [asking, setAsking] = useState(false);
  const [choice, setChoice] = useState<Welcome["existingPeople"]>("skip");

  return (
    <>
      <Section
        id="welcome"
        title="Welcome notices"
        description="Send each person a sync creates a short welcome: an email from a mailbox you name, or a Teams message from the bot. Updated or restored people are never welcomed, and nobody is welcomed twice."
      >
        <Switch
          label={w.enabled ? "Welcome notices are on" : "Welcome notices are off"}
          checked={w.enabled}
          disabled={readOnly}
          onChange={(_, d) => {
            if (!d.checked) set({ enabled: false });
            else {
              setChoice(w.existingPeople);
              setAsking(true);
            }
          }}
        />
        {w.enabled && (
          <Text>
            {w.existingPeople === "welcome"
              ? "People already in the directory when notices were switched on are welcomed too."
              : "Only people created from now on are welcomed; people already in the directory are not."}
          </Text>
        )}
        <Field label="Send notices as">
          <RadioGroup
            value={w.channel}
            disabled={readOnly}
            onChange={(_, d) => set({ channel: d.value as Welcome["channel"] })}
          >
            <Radio value="email" label="Email, from a mailbox of this tenant" />
            <Radio value="teams" label="Teams message from the bot (the app is installed for each person)" />
          </RadioGroup>
        </Field>
        {w.channel === "email" ? (
          <>
            <Field
              label="Send from mailbox"
              required={w.enabled}
              hint="A shared mailbox such as welcome@contoso.com. The connection's app needs the Mail.Send application permission."
              validationMessage={errorFor(errors, "welcome.mailbox")}
            >
              <Input
                value={w.mailbox}
                type="email"
                disabled={readOnly}
                onChange={(_, d) => set({ mailbox: d.value })}
              />
            </Field>
            <AccessPolicyNote connection={connection} mailbox={w.mailbox} />
          </>
        ) : (
          <MessageBar intent="info" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>Teams needs the app for each person</MessageBarTitle>
              The connection's app needs TeamsAppInstallation.ReadWriteForUser.All (application). Each new
              person gets Directory Sync installed in their personal scope, then a 1:1 message from the bot.
              Your Teams app permission policies must allow the app, and the bot must already be in one of
              your teams.
            </MessageBarBody>
          </MessageBar>
        )}
        <Switch
          label="Welcome guests too"
          checked={w.guests === "include"}
          disabled={readOnly}
          onChange={(_, d) => set({ guests: d.checked ? "include" : "skip" })}
        />
        <Field
          label="Link to the application ({appLink})"
          hint="Where people open the application the notice welcomes them to."
          validationMessage={errorFor(errors, "welcome.appLink")}
        >
          <Input
            value={w.appLink}
            type="url"
            placeholder="https://"
            disabled={readOnly}
            onChange={(_, d) => set({ appLink: d.value })}
          />
        </Field>
        <Field
          label="Subject"
          validationMessage={errorFor(errors, "welcome.subject") ?? templateProblem(w.subject)}
        >
          <Input value={w.subject} disabled={readOnly} onChange={(_, d) => set({ subject: d.value })} />
        </Field>
        <Field
          label="Message"
          hint={`Placeholders: ${PLACEHOLDER_LIST}. Write {{ or }} for a brace.`}
          validationMessage={errorFor(errors, "welcome.body") ?? templateProblem(w.body)}
        >
          <Textarea
            value={w.body}
            rows={6}
            resize="vertical"
            disabled={readOnly}
            onChange={(_, d) => set({ body: d.value })}
          />
        </Field>
      </Section>
      <PreviewSection connection={connection} welcome={w} readOnly={readOnly} />
      <Dialog open={asking} onOpenChange={(_, d) => setAsking(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Switch on welcome notices</DialogTitle>
            <DialogContent>
              <RadioGroup
                aria-label="People already in the directory"
                value={choice}
                onChange={(_, d) => setChoice(d.value as Welcome["existingPeople"])}
              >
                <Radio
                  value="skip"
                  label="Only welcome people created from now on (people this connection already holds, and everyone its first sync imports, are not welcomed)"
                />
                <Radio
                  value="welcome"
                  label="Also welcome the people who already exist (everyone this connection holds gets a notice with the next sync)"
                />
              </RadioGroup>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setAsking(false)}>
                Cancel
              </Button>
              <Button
                appearance="primary"
                onClick={() => {
                  set({ enabled: true, existingPeople: choice });
                  setAsking(false);
                }}
              >
                Switch on
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}

/** Exchange lets an app with Mail.Send send as anyone unless an application access policy narrows it. */
function AccessPolicyNote({ connection, mailbox }: { connection: Connection; mailbox: string }) {
  const s = useStyles();
  const appId = connection.clientId ?? "<the app's client id>";
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Limit the app to this mailbox</MessageBarTitle>
        Mail.Send lets the app send as any mailbox of the tenant. An Exchange Online application access policy
        limits it to the mailboxes of one mail-enabled security group. In Exchange Online PowerShell:
        <div className={s.code}>
          {`New-ApplicationAccessPolicy -AppId ${appId} -PolicyScopeGroupId welcome-senders@contoso.com -AccessRight RestrictAccess -Description "Directory Sync welcome notices"\nTest-ApplicationAccessPolicy -Identity ${mailbox || "welcome@contoso.com"} -AppId ${appId}`}
        </div>
        Put {mailbox || "the mailbox"} in that group. A send the policy refuses fails with its cause in the
        task details and is tried again with the next sync.
      </MessageBarBody>
    </MessageBar>
  );
}

/** The notice as one real synced person would get it, and "send a test to me". */
function PreviewSection({
  connection,
  welcome,
  readOnly,
}: {
  connection: Connection;
  welcome: Welcome;
  readOnly: boolean;
}) {
  const s = useStyles();
  const { client, me, notify } = useSession();
  const people = useLoad(() => client.profiles({ connectionId: connection.id }), [client, connection.id]);
  const [chosen, setChosen] = useState<string>();
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<ApiError>();
  const items: Profile[] = people.data?.items ?? [];
  const profile = items.find((p) => p.id === chosen) ?? items[0];
  const broken = templateProblem(welcome.subject) ?? templateProblem(welcome.body);
  const values = welcomeValues(
    profile?.fields ?? {},
    profile?.displayName ?? me.name,
    welcome.appLink || "https://…",
  );

  const sendTest = async () => {
    setSending(true);
    setProblem(undefined);
    try {
      const sent = await client.welcomeTest(connection.id, {
        welcome,
        ...(profile ? { profileId: profile.id } : {}),
      });
      notify(`Test sent to ${sent.to}: "${sent.subject}"`);
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <Section
      id="welcome-preview"
      title="Preview"
      description="The notice as a synced person of this connection would get it. Check it before switching notices on."
    >
      {items.length > 0 ? (
        <Field label="Preview for">
          <Dropdown
            value={profile?.displayName ?? ""}
            selectedOptions={profile ? [profile.id] : []}
            onOptionSelect={(_, d) => setChosen(d.optionValue)}
          >
            {items.map((p) => (
              <Option key={p.id} value={p.id}>
                {p.displayName}
              </Option>
            ))}
          </Dropdown>
        </Field>
      ) : (
        <Text>No one is synced yet: the preview uses your name until a sync has run.</Text>
      )}
      {broken ? (
        <MessageBar intent="error">
          <MessageBarBody>The template cannot be previewed: {broken}.</MessageBarBody>
        </MessageBar>
      ) : (
        <section className={s.preview} aria-label="Notice preview">
          <Text weight="semibold">{renderTemplate(welcome.subject, values)}</Text>
          <Text className={s.body}>{renderTemplate(welcome.body, values)}</Text>
        </section>
      )}
      {!readOnly && (
        <div className={s.row}>
          <Button icon={<Send20Regular />} onClick={sendTest} disabled={sending || Boolean(broken)}>
            {sending ? "Sending…" : "Send a test to me"}
          </Button>
          <Text>
            {welcome.channel === "email"
              ? `From ${welcome.mailbox || "the mailbox above"} to ${me.upn ?? "you"}.`
              : "To you, in Teams."}
          </Text>
        </div>
      )}
      {problem && <ProblemBar error={problem} />}
    </Section>
  );
}
