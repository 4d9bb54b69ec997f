import {
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { useMemo } from "react";
import { developerApi } from "../api/developer.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";

/**
 * Home's banner for webhook endpoints switched off after days of failed deliveries: the application behind
 * them stops hearing about changes, so an admin should see it without opening the API screen.
 */
export function WebhooksOffBanner() {
  const { client } = useSession();
  const api = useMemo(() => developerApi(client), [client]);
  const endpoints = useLoad(() => api.webhooks(), [api]);
  const off = endpoints.data?.data.filter((e) => e.status === "disabled" && e.disabledReason) ?? [];
  if (off.length === 0) return null;
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>
          {off.length === 1
            ? "A webhook endpoint was switched off"
            : `${off.length} webhook endpoints were switched off`}
        </MessageBarTitle>
        {off.map((e) => e.url).join(", ")} failed every delivery for days. Its events are kept: fix the
        receiver, switch it on and redeliver.
      </MessageBarBody>
      <MessageBarActions>
        <Link href={href({ name: "api" })}>Open API and webhooks</Link>
      </MessageBarActions>
    </MessageBar>
  );
}
