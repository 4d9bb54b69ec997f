import { type WelcomeSettings, welcomeSettingsSchema } from "../domain/welcome.ts";
import { renderTemplate, type WelcomeChannel, welcomeValues } from "../domain/welcome-template.ts";
import type { EventListener } from "../events.ts";
import type { GraphApi } from "../graph/client.ts";
import type { Logger } from "../logger.ts";
import { sleep as realSleep, type Sleep } from "../retry/sleep.ts";
import type { ConnectionDoc, EventKind, ProfileDoc, TaskDoc, WelcomeNoticeDoc } from "../store/documents.ts";
import type { QuerySpec } from "../store/repository.ts";
import type { Store } from "../store/store.ts";
import { personOf, WelcomeNotices } from "./notices.ts";
import type { PersonalMessenger } from "./ports.ts";
import {
  type Recipient,
  type RenderedNotice,
  SendFailure,
  senderFor,
  type WelcomeSender,
} from "./senders.ts";
import { collectCreated, GUEST_SKIPPED } from "./sources.ts";

/**
 * Exchange Online lets one mailbox send 30 messages a minute and reach 10,000 recipients a day; Teams lets a
 * bot post about 7 messages a second per conversation, and app installations share Graph's Teams budget.
 * Notices are spaced below those limits; a 429 on top is waited out by the Graph client's retry policy.
 */
const SPACING_MS: Record<WelcomeChannel, number> = { email: 2_000, teams: 250 };
const DAILY_RECIPIENTS = 10_000;
const DAY_MS = 24 * 3600_000;
/** A failing notice is tried this many times in all (once per run), then left failed for an admin to see. */
const MAX_ATTEMPTS = 5;
/** A claim older than this belongs to a sender that stopped mid-send. */
const STALE_CLAIM_MS = 10 * 60_000;

const FINISHED_EVENTS: ReadonlySet<EventKind> = new Set(["sync-finished", "sync-halted", "sync-failed"]);

export interface WelcomeServiceDeps {
  store: Store;
  graphFor: (connection: ConnectionDoc) => Promise<GraphApi>;
  logger: Logger;
  /** This instance, as claims name it. */
  owner: string;
  /** The Teams app's catalog id, installed for people welcomed in Teams. */
  teamsAppId?: string;
  messenger?: PersonalMessenger;
  now?: () => Date;
  sleep?: Sleep;
  /** Time between two notices of a pass, per channel (tests shorten it). */
  spacingMs?: Partial<Record<WelcomeChannel, number>>;
}

export interface PassResult {
  sent: number;
  failed: number;
  skipped: number;
}

const emptyResult = (): PassResult => ({ sent: 0, failed: 0, skipped: 0 });

/**
 * Welcome notices to people a sync created. It runs after runs finish, outside the sync engine: it reads the
 * task records a finished run wrote (created, never updated or restored), gives each person one notice
 * record (created only if absent, so no one is welcomed twice), then sends what is due, paced.
 */
export class WelcomeService {
  private readonly notices: WelcomeNotices;
  private readonly now: () => Date;
  private readonly sleep: Sleep;
  /** One pass per connection at a time in this process; claims keep other instances apart. */
  private readonly running = new Map<string, Promise<unknown>>();
  private stopping = false;

  constructor(private readonly deps: WelcomeServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? realSleep;
    this.notices = new WelcomeNotices(deps.store, this.now);
  }

  /** Starts a pass when a run of a connection ends; returns at once, so the run is not held up by sending. */
  listener(): EventListener {
    return (event) => {
      if (!FINISHED_EVENTS.has(event.kind) || !event.connectionId) return;
      this.schedule(event.tenantId, event.connectionId);
    };
  }

  schedule(tenantId: string, connectionId: string): Promise<PassResult> {
    const key = `${tenantId}/${connectionId}`;
    if (this.stopping) return Promise.resolve(emptyResult());
    const previous = this.running.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.pass(tenantId, connectionId))
      .catch((err: unknown) => {
        this.deps.logger.warn({ err, tenantId, connectionId }, "welcome notices: pass failed");
        return emptyResult();
      });
    this.running.set(key, next);
    void next.finally(() => {
      if (this.running.get(key) === next) this.running.delete(key);
    });
    return next;
  }

  /** Lets the notice being sent finish and sends no more; later events start nothing. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** Resolves when no pass is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Looks at the connection's finished runs not yet looked at, then sends every notice that is due. */
  async pass(tenantId: string, connectionId: string): Promise<PassResult> {
    const connection = await this.deps.store.connections.get(tenantId, connectionId);
    if (!connection) return emptyResult();
    const settings = settingsOf(connection);
    const state = await this.notices.state(tenantId, connectionId);
    if (!settings.enabled) {
      if (state?.on) await this.notices.saveState(tenantId, connectionId, { on: false });
      return emptyResult();
    }
    const switchedOn = !state?.on;
    // Just switched on: only the run that brought us here counts; earlier ones ran while notices were off.
    const runs = switchedOn
      ? await this.latestRun(tenantId, connectionId)
      : await this.finishedRuns(tenantId, connectionId, state?.processedThrough);
    const result = emptyResult();
    for (const task of runs) {
      const initialImport = !(await this.succeededBefore(task));
      result.skipped += await collectCreated(this.deps.store, this.notices, task, settings, initialImport);
    }
    if (switchedOn && settings.existingPeople === "welcome")
      await this.welcomeExisting(tenantId, connectionId, settings);
    const last = runs.at(-1)?.finishedAt ?? state?.processedThrough;
    await this.notices.saveState(tenantId, connectionId, {
      on: true,
      ...(last ? { processedThrough: last } : {}),
    });
    const sent = await this.sendDue(connection, settings);
    return { sent: sent.sent, failed: sent.failed, skipped: result.skipped + sent.skipped };
  }

  /** Renders the notice for one profile (or the admin's own values) and sends it to the admin. */
  async sendTest(
    connection: ConnectionDoc,
    settings: WelcomeSettings,
    to: Recipient,
    profile: ProfileDoc | undefined,
  ): Promise<RenderedNotice> {
    const notice = render(settings, profile, to.name);
    const sender = senderFor(settings, await this.deps.graphFor(connection), this.deps);
    const unreachable = sender.unreachable(to);
    if (unreachable) throw new SendFailure(`Cannot send you a test: ${unreachable}.`, "no-address");
    await sender.send(to, notice);
    return notice;
  }

  private async latestRun(tenantId: string, connectionId: string): Promise<TaskDoc[]> {
    const page = await this.deps.store.tasks.page(
      tenantId,
      finishedRunsSpec(connectionId, undefined, "DESC"),
      {
        pageSize: 1,
      },
    );
    return page.items.slice(0, 1);
  }

  private async finishedRuns(
    tenantId: string,
    connectionId: string,
    after: string | undefined,
  ): Promise<TaskDoc[]> {
    return this.deps.store.tasks.all(tenantId, finishedRunsSpec(connectionId, after, "ASC"));
  }

  /**
   * Whether a real run of the connection succeeded before this one. Until one has, the connection is still
   * importing the people the tenant already had, who are "existing people", not newcomers.
   */
  private async succeededBefore(task: TaskDoc): Promise<boolean> {
    const count = await this.deps.store.tasks.count(task.tenantId, {
      where:
        "c.connectionId = @c AND c.taskType != 'preview' AND c.status = 'succeeded' AND c.finishedAt < @f",
      parameters: [
        { name: "@c", value: task.connectionId },
        { name: "@f", value: task.finishedAt ?? "" },
      ],
    });
    return count > 0;
  }

  /** The first-sync choice "welcome people who already exist": everyone active the connection holds. */
  private async welcomeExisting(
    tenantId: string,
    connectionId: string,
    settings: WelcomeSettings,
  ): Promise<void> {
    for await (const page of this.deps.store.profiles.stream(tenantId, {
      where: "c.connectionId = @c AND c.status = 'active'",
      parameters: [{ name: "@c", value: connectionId }],
    })) {
      for (const profile of page) {
        const person = personOf(profile);
        const skip = person.guest && settings.guests === "skip";
        await this.notices.createIfAbsent(tenantId, {
          connectionId,
          sourceId: profile.sourceId,
          name: person.name,
          ...(person.email ? { email: person.email } : {}),
          status: skip ? "skipped" : "pending",
          ...(skip ? { detail: GUEST_SKIPPED } : {}),
        });
      }
    }
  }

  private async sendDue(connection: ConnectionDoc, settings: WelcomeSettings): Promise<PassResult> {
    const { tenantId, id: connectionId } = connection;
    const result = emptyResult();
    const due = await this.notices.due(tenantId, connectionId, MAX_ATTEMPTS);
    if (due.length === 0) return result;
    let sender: WelcomeSender | undefined;
    let budget =
      DAILY_RECIPIENTS -
      (await this.notices.sentSince(tenantId, connectionId, new Date(this.now().getTime() - DAY_MS)));
    const spacing = this.deps.spacingMs?.[settings.channel] ?? SPACING_MS[settings.channel];
    let first = true;
    for (const notice of due) {
      if (this.stopping) break;
      if (notice.status === "sending") {
        await this.settleStaleClaim(notice);
        continue;
      }
      if (budget <= 0) {
        this.deps.logger.info(
          { tenantId, connectionId },
          "welcome notices: daily limit reached; the rest go with a later run",
        );
        break;
      }
      const profile = await this.profileOf(connection, notice.sourceId);
      if (profile?.status !== "active") {
        const settled = await this.notices.settle(notice, {
          status: "skipped",
          detail: profile
            ? `the account is ${profile.status} in the directory`
            : "the profile was removed before the notice went out",
        });
        await this.notices.showOnTaskRecord(settled);
        result.skipped++;
        continue;
      }
      sender ??= senderFor(settings, await this.deps.graphFor(connection), this.deps);
      const { email } = personOf(profile);
      const recipient: Recipient = {
        tenantId,
        sourceId: notice.sourceId,
        name: profile.displayName,
        ...(email ? { email } : {}),
      };
      const unreachable = sender.unreachable(recipient);
      if (unreachable) {
        const settled = await this.notices.settle(notice, {
          status: "skipped",
          channel: sender.channel,
          detail: unreachable,
        });
        await this.notices.showOnTaskRecord(settled);
        result.skipped++;
        continue;
      }
      const claimed = await this.notices.claim(notice, this.deps.owner);
      if (!claimed) continue;
      if (!first) await this.sleep(spacing);
      first = false;
      const settled = await this.sendOne(
        sender,
        claimed,
        recipient,
        render(settings, profile, profile.displayName),
      );
      await this.notices.showOnTaskRecord(settled);
      if (settled.status === "sent") {
        result.sent++;
        budget--;
      } else result.failed++;
    }
    return result;
  }

  private async sendOne(
    sender: WelcomeSender,
    notice: WelcomeNoticeDoc,
    recipient: Recipient,
    rendered: RenderedNotice,
  ): Promise<WelcomeNoticeDoc> {
    try {
      await sender.send(recipient, rendered);
      return await this.notices.settle(notice, { status: "sent", channel: sender.channel });
    } catch (err) {
      const failure =
        err instanceof SendFailure ? err : new SendFailure((err as Error).message, "unexpected");
      const last = notice.attempts >= MAX_ATTEMPTS;
      this.deps.logger.warn(
        { tenantId: notice.tenantId, connectionId: notice.connectionId, code: failure.code },
        "welcome notice not sent",
      );
      return this.notices.settle(notice, {
        status: "failed",
        channel: sender.channel,
        errorCode: failure.code,
        detail: last
          ? `${failure.message} (tried ${notice.attempts} times; not tried again)`
          : failure.message,
      });
    }
  }

  /** A claim nobody settled: the sender stopped mid-send, so whether it arrived is unknown. Never resent. */
  private async settleStaleClaim(notice: WelcomeNoticeDoc): Promise<void> {
    const claimedAt = Date.parse(notice.claim?.at ?? notice.updatedAt);
    if (this.now().getTime() - claimedAt < STALE_CLAIM_MS) return;
    const settled = await this.notices.settle(notice, {
      status: "uncertain",
      detail:
        "the server stopped while sending this notice, so it may have arrived; it is not sent again so nobody gets it twice",
    });
    await this.notices.showOnTaskRecord(settled);
  }

  private async profileOf(connection: ConnectionDoc, sourceId: string): Promise<ProfileDoc | undefined> {
    const [profile] = await this.deps.store.profiles.all(connection.tenantId, {
      where: "c.connectionId = @c AND c.sourceId = @s",
      parameters: [
        { name: "@c", value: connection.id },
        { name: "@s", value: sourceId },
      ],
    });
    return profile;
  }
}

/** The connection's welcome settings; settings stored before notices existed read as "off". */
function settingsOf(connection: ConnectionDoc): WelcomeSettings {
  const parsed = welcomeSettingsSchema.safeParse(
    (connection.settings as { welcome?: unknown }).welcome ?? {},
  );
  return parsed.success ? parsed.data : welcomeSettingsSchema.parse({});
}

/** Real runs (never previews) of a connection that ended, after a time, in finishing order. */
function finishedRunsSpec(connectionId: string, after: string | undefined, order: "ASC" | "DESC"): QuerySpec {
  return {
    where:
      "c.connectionId = @c AND c.taskType != 'preview' AND IS_DEFINED(c.finishedAt) AND c.finishedAt > @after AND ARRAY_CONTAINS(@done, c.status)",
    parameters: [
      { name: "@c", value: connectionId },
      { name: "@after", value: after ?? "" },
      { name: "@done", value: ["succeeded", "halted", "failed", "cancelled"] },
    ],
    orderBy: `c.finishedAt ${order}`,
  };
}

function render(
  settings: WelcomeSettings,
  profile: ProfileDoc | undefined,
  fallbackName: string,
): RenderedNotice {
  const values = welcomeValues(profile?.fields ?? {}, profile?.displayName ?? fallbackName, settings.appLink);
  return { subject: renderTemplate(settings.subject, values), body: renderTemplate(settings.body, values) };
}
