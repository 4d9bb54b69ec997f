/** A message Graph accepted from `POST /users/{mailbox}/sendMail`, as a test reads it back. */
export interface SentMail {
  tenantId: string;
  /** The calling application's client id. */
  appId: string;
  /** The mailbox the message was sent from (the user the path named), lower-cased. */
  from: string;
  to: string[];
  subject: string;
  contentType: string;
  body: string;
  saveToSentItems: boolean;
  at: string;
}

/** An app installed in a user's personal scope through `POST /users/{id}/teamwork/installedApps`. */
export interface UserAppInstallation {
  tenantId: string;
  userId: string;
  teamsAppId: string;
  /** The installation's own id, which Graph says differs from the app's. */
  id: string;
  installedBy: string;
  at: string;
}

/**
 * What applications sent through the simulated tenant: mail and personal-scope app installations, kept so
 * tests can assert exactly what left, plus Exchange's application access policies, which restrict an
 * application to the mailboxes an admin names.
 */
export class Outbox {
  readonly mail: SentMail[] = [];
  readonly installations: UserAppInstallation[] = [];
  /** Per tenant and app: the mailboxes it may use; an app without an entry may use any mailbox. */
  private readonly policies = new Map<string, Set<string>>();

  restrictMailboxes(tenantId: string, appId: string, mailboxes: string[]): void {
    this.policies.set(`${tenantId}/${appId}`, new Set(mailboxes.map((m) => m.toLowerCase())));
  }

  allowsMailbox(tenantId: string, appId: string, mailbox: string): boolean {
    const allowed = this.policies.get(`${tenantId}/${appId}`);
    return !allowed || allowed.has(mailbox.toLowerCase());
  }

  installation(tenantId: string, userId: string, teamsAppId: string): UserAppInstallation | undefined {
    return this.installations.find(
      (i) => i.tenantId === tenantId && i.userId === userId && i.teamsAppId === teamsAppId,
    );
  }

  clear(): void {
    this.mail.length = 0;
    this.installations.length = 0;
    this.policies.clear();
  }
}
