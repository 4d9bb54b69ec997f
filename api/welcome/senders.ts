import type { WelcomeSettings } from "../domain/welcome.ts";
import type { WelcomeChannel } from "../domain/welcome-template.ts";
import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { PersonalMessenger } from "./ports.ts";

export interface Recipient {
  tenantId: string;
  /** Entra object id. */
  sourceId: string;
  name: string;
  email?: string;
}

export interface RenderedNotice {
  subject: string;
  body: string;
}

/**
 * A send that did not happen, with the cause an admin reads. Every failure is tried again by the next run, up
 * to the service's attempt limit: the admin's fix (a permission, a policy, a license) is what that run is for.
 */
export class SendFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "SendFailure";
  }
}

export interface WelcomeSender {
  readonly channel: WelcomeChannel;
  /** Why this person cannot get a notice on this channel at all, if so (a skip, not a failure). */
  unreachable(recipient: Recipient): string | undefined;
  send(recipient: Recipient, notice: RenderedNotice): Promise<void>;
}

/** Graph's own words for a failed call, made into a cause with its remedy. */
function failureOf(err: unknown, action: string, remedies: Partial<Record<number, string>>): SendFailure {
  if (err instanceof SendFailure) return err;
  if (isDirectoryProblem(err)) {
    const status = err.status ?? 0;
    const remedy = remedies[status] ?? err.remedy;
    return new SendFailure(
      `${action} failed: ${err.message} ${remedy}`.trim(),
      err.graphCode ?? (status ? `graph-${status}` : err.kind),
    );
  }
  return new SendFailure(`${action} failed: ${(err as Error).message}`, "unexpected");
}

/** Email from the mailbox the admin named, through Graph sendMail (application permission Mail.Send). */
class EmailSender implements WelcomeSender {
  readonly channel = "email" as const;
  constructor(
    private readonly graph: GraphApi,
    private readonly mailbox: string,
  ) {}

  unreachable(recipient: Recipient): string | undefined {
    return recipient.email ? undefined : "no email address to send the notice to";
  }

  async send(recipient: Recipient, notice: RenderedNotice): Promise<void> {
    try {
      await this.graph.post(`/users/${encodeURIComponent(this.mailbox)}/sendMail`, {
        message: {
          subject: notice.subject,
          body: { contentType: "Text", content: notice.body },
          toRecipients: [{ emailAddress: { address: recipient.email, name: recipient.name } }],
        },
        // Hundreds of identical notices would fill the sending mailbox; the welcome records are the log.
        saveToSentItems: false,
      });
    } catch (err) {
      throw failureOf(err, `Sending from ${this.mailbox}`, {
        403: `Grant Mail.Send (application) and admin consent, and make sure the application access policy allows ${this.mailbox}.`,
        404: `Check that ${this.mailbox} is a mailbox in this tenant.`,
      });
    }
  }
}

/**
 * A Teams message from the bot: the app is installed for the person first (Graph answers 409 when it already
 * is), then the bot opens a 1:1 chat and posts.
 */
class TeamsSender implements WelcomeSender {
  readonly channel = "teams" as const;
  constructor(
    private readonly graph: GraphApi,
    private readonly teamsAppId: string | undefined,
    private readonly messenger: PersonalMessenger | undefined,
  ) {}

  unreachable(): string | undefined {
    return undefined;
  }

  async send(recipient: Recipient, notice: RenderedNotice): Promise<void> {
    if (!this.teamsAppId || !this.messenger)
      throw new SendFailure(
        "Teams notices need the app's catalog id (TEAMS_APP_ID) and the bot to be configured on the server.",
        "teams-not-configured",
      );
    try {
      await this.graph.post(`/users/${recipient.sourceId}/teamwork/installedApps`, {
        "teamsApp@odata.bind": this.graph.url(`/appCatalogs/teamsApps/${this.teamsAppId}`),
      });
    } catch (err) {
      if (!(isDirectoryProblem(err) && err.status === 409))
        throw failureOf(err, "Installing the app for the person", {
          403: "Grant TeamsAppInstallation.ReadWriteForUser.All (application) and admin consent, and allow the app in the Teams admin center's app permission policies.",
          404: "The person has no Teams account yet (no license); the next run tries again.",
        });
    }
    try {
      await this.messenger.sendPersonal(
        recipient.tenantId,
        recipient.sourceId,
        `${notice.subject}\n\n${notice.body}`,
      );
    } catch (err) {
      throw failureOf(err, "Posting the Teams message", {});
    }
  }
}

export function senderFor(
  settings: WelcomeSettings,
  graph: GraphApi,
  teams: { teamsAppId?: string; messenger?: PersonalMessenger },
): WelcomeSender {
  return settings.channel === "email"
    ? new EmailSender(graph, settings.mailbox)
    : new TeamsSender(graph, teams.teamsAppId, teams.messenger);
}
