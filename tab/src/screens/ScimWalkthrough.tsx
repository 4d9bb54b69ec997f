import { Body1, makeStyles, Subtitle2, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import type { ScimSetup } from "../api/types.ts";
import { CopyField } from "../components/CopyField.tsx";
import { ScimMappings } from "./ScimMappings.tsx";

const useStyles = makeStyles({
  steps: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  step: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  ui: { fontWeight: tokens.fontWeightSemibold },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

/** A value or attribute name typed exactly so in Entra. */
function Code({ children }: { children: ReactNode }) {
  const s = useStyles();
  return <code className={s.code}>{children}</code>;
}

/** A label of Entra's own UI, set apart so the admin can find it on screen. */
function Ui({ children }: { children: ReactNode }) {
  const s = useStyles();
  return <span className={s.ui}>{children}</span>;
}

function Step({ title, children }: { title: string; children: ReactNode }) {
  const s = useStyles();
  return (
    <li className={s.step}>
      <Subtitle2 as="h3">{title}</Subtitle2>
      {children}
    </li>
  );
}

/**
 * Entra's own setup for a non-gallery app, in the order its screens come, with the values to paste: what
 * SnapComms-style guides describe by hand, here with this connection's tenant URL and mappings.
 */
export function ScimWalkthrough({ setup, tokenShown }: { setup: ScimSetup; tokenShown: boolean }) {
  const s = useStyles();
  const idleMinutes = Math.round(setup.cycleIdleSeconds / 60);
  return (
    <ol className={s.steps} aria-label="Set up provisioning in Entra">
      <Step title="1. Create an enterprise application">
        <Body1>
          In the Microsoft Entra admin center (entra.microsoft.com), signed in as at least a Cloud Application
          Administrator, open <Ui>Enterprise applications</Ui> and select <Ui>New application</Ui>, then{" "}
          <Ui>Create your own application</Ui>. Name it, for example "Directory Sync", choose{" "}
          <Ui>Integrate any other application you don't find in the gallery (Non-gallery)</Ui> and select{" "}
          <Ui>Create</Ui>.
        </Body1>
      </Step>
      <Step title="2. Assign the people and groups to sync">
        <Body1>
          In the new application open <Ui>Users and groups</Ui> → <Ui>Add user/group</Ui> and assign them.
          With the recommended scope (step 6) Entra sends only what is assigned here; an assigned group brings
          its members and, as a list, the group itself.
        </Body1>
      </Step>
      <Step title="3. Turn on automatic provisioning">
        <Body1>
          Open <Ui>Provisioning</Ui> (select <Ui>Get started</Ui> or <Ui>New configuration</Ui> if Entra
          offers it) and set <Ui>Provisioning Mode</Ui> to <Ui>Automatic</Ui>.
        </Body1>
      </Step>
      <Step title="4. Paste the tenant URL and secret token">
        <Body1>
          Under <Ui>Admin Credentials</Ui>:
        </Body1>
        <CopyField label="Tenant URL" value={setup.tenantUrl} />
        <Body1>
          <Ui>Secret Token</Ui>:{" "}
          {tokenShown
            ? "the token shown above; copy it before you leave this page."
            : "the token you copied when it was made. If nobody has it any more, rotate the token and paste the new one."}
        </Body1>
        <Body1>
          Select <Ui>Test Connection</Ui>: Entra reports that the supplied credentials are authorized to
          enable provisioning. Then select <Ui>Save</Ui> (or <Ui>Create</Ui>).
        </Body1>
      </Step>
      <Step title="5. Check the attribute mappings">
        <Body1>
          Under <Ui>Mappings</Ui>, open <Ui>Provision Microsoft Entra ID Users</Ui>. Keep (or add) these
          mappings; change the source of <Code>externalId</Code> from <Code>mailNickname</Code> to{" "}
          <Code>objectId</Code>, so that a person this tenant also syncs over Graph stays one profile.
          Mappings not listed here may stay: Directory Sync ignores them and lists them in the cycle's
          details.
        </Body1>
        <ScimMappings mappings={setup.mappings} />
        <Body1>
          Keep <Ui>Provision Microsoft Entra ID Groups</Ui> enabled with <Code>displayName</Code>,{" "}
          <Code>objectId → externalId</Code> and <Code>members</Code>: groups become lists. Custom profile
          attributes defined in Directory Sync go under <Ui>Show advanced options</Ui> →{" "}
          <Ui>Edit attribute list for customappsso</Ui> as <Code>{setup.customAttributeSchema}:name</Code>,
          one per attribute; other custom attributes are ignored and reported.
        </Body1>
      </Step>
      <Step title="6. Choose the scope and the deletion threshold">
        <Body1>
          Under <Ui>Settings</Ui>: <Ui>Scope</Ui> → <Ui>Sync only assigned users and groups</Ui>{" "}
          (recommended). Tick <Ui>Prevent accidental deletion</Ui> and set an{" "}
          <Ui>Accidental deletion threshold</Ui>; Directory Sync's own deletion guard (Settings → Deletions)
          also holds a burst of deletions and deactivations until an administrator releases it.
        </Body1>
      </Step>
      <Step title="7. Start provisioning">
        <Body1>
          Set <Ui>Provisioning Status</Ui> to <Ui>On</Ui> and select <Ui>Save</Ui>, or select{" "}
          <Ui>Start provisioning</Ui> on the provisioning overview. Entra's first cycle sends everyone in
          scope; later cycles run about every 40 minutes and send only changes. Each cycle shows in History as
          one task started by SCIM: requests more than {idleMinutes} minute{idleMinutes === 1 ? "" : "s"}{" "}
          apart start a new one.
        </Body1>
      </Step>
    </ol>
  );
}
