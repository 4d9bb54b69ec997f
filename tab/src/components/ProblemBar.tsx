import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { useState } from "react";
import type { ApiError } from "../api/client.ts";
import { useOptionalSession } from "../app/session.tsx";

/**
 * An error as a person should see it: what happened and what to do. Offers admin consent when the API
 * says consent is missing, and "Try again" when the screen can retry.
 */
export function ProblemBar({
  error,
  title,
  onRetry,
  onConsented,
  intent = "error",
}: {
  error: Pick<ApiError, "message" | "remedy"> & Partial<Pick<ApiError, "code" | "consentUrl">>;
  title?: string;
  onRetry?: () => void;
  onConsented?: () => void;
  intent?: "error" | "warning";
}) {
  const session = useOptionalSession();
  const [busy, setBusy] = useState(false);
  const consentUrl = error.consentUrl;
  const consent = async () => {
    if (!session || !consentUrl) return;
    setBusy(true);
    try {
      const result = await session.openConsent(consentUrl);
      if (result.ok) session.notify("Admin consent granted", "success");
      else if (!result.closed) session.notify(result.detail ?? "Consent was not granted", "warning");
      // A closed window may or may not have granted consent: check again either way.
      if (result.ok || result.closed) (onConsented ?? onRetry)?.();
    } finally {
      setBusy(false);
    }
  };
  return (
    <MessageBar intent={intent} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title ?? error.message}</MessageBarTitle>
        {title ? `${error.message.replace(/\.$/, "")}. ` : ""}
        {error.remedy}
      </MessageBarBody>
      {(consentUrl || onRetry) && (
        <MessageBarActions>
          {consentUrl && session && (
            <Button appearance="primary" onClick={consent} disabled={busy}>
              Grant admin consent
            </Button>
          )}
          {onRetry && <Button onClick={onRetry}>Try again</Button>}
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
