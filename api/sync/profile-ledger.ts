import type { RecordStatus } from "../domain/records.ts";
import type { ProfileDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { type ProfileIndexEntry, profileId } from "./profiles.ts";

const LEDGER_SELECT = "c.id, c.sourceId, c.source, c.status, c.hash, c.lastTaskId, c.photo, c.adopted";

interface LedgerRow {
  id: string;
  sourceId: string;
  source: ProfileDoc["source"];
  status: RecordStatus;
  hash: string;
  lastTaskId: string;
  photo?: ProfileDoc["photo"];
  adopted?: true;
}

const STATUS_CODE: Record<RecordStatus, string> = { active: "a", inactive: "i", deleted: "d" };
const STATUS_OF: Record<string, RecordStatus> = { a: "active", i: "inactive", d: "deleted" };
// JSON never contains a raw tab, so a tab separates the packed fields whatever a photo's etag holds.
const SEP = "\t";

/**
 * A connection's profiles as a full sync plans with them, one packed string per profile (about 150 bytes
 * with its key) instead of an index object (about 1 KB): at a million profiles the difference is the
 * worker's memory budget. Names, emails and UPNs are left out; the few profiles that leave or are
 * deactivated are read in full when their removal is written down.
 */
export class ProfileLedger {
  private readonly rows = new Map<string, string>();
  private live = 0;

  private constructor(
    private readonly connectionId: string,
    private readonly taskId: string,
  ) {}

  static async load(store: Store, tenantId: string, connectionId: string, taskId: string) {
    const ledger = new ProfileLedger(connectionId, taskId);
    const spec = {
      where: "c.connectionId = @connectionId",
      parameters: [{ name: "@connectionId", value: connectionId }],
      select: LEDGER_SELECT,
    };
    for await (const page of store.profiles.stream(tenantId, spec, 2000))
      for (const row of page as unknown as LedgerRow[]) ledger.add(row);
    return ledger;
  }

  private add(row: LedgerRow): void {
    if (row.status !== "deleted") this.live += 1;
    const ownId = row.id === profileId(this.connectionId, row.sourceId);
    this.rows.set(
      row.sourceId,
      [
        STATUS_CODE[row.status],
        row.hash,
        row.lastTaskId === this.taskId ? "1" : "",
        row.adopted ? "1" : "",
        ownId ? "" : row.id,
        row.source === "entra" ? "" : row.source,
        row.photo ? JSON.stringify(row.photo) : "",
      ].join(SEP),
    );
  }

  /** Profiles not deleted before the run: the deletion guard's base. */
  get population(): number {
    return this.live;
  }

  status(sourceId: string): RecordStatus | undefined {
    const packed = this.rows.get(sourceId);
    return packed === undefined ? undefined : STATUS_OF[packed[0] as string];
  }

  /**
   * The planner's entry for one profile. Its name, email and UPN are empty: whoever records a removal
   * takes them from the stored profile (see `withNames`).
   */
  entry(sourceId: string): ProfileIndexEntry | undefined {
    const packed = this.rows.get(sourceId);
    if (packed === undefined) return undefined;
    const [status, hash, mine, adopted, id, source, photo] = packed.split(SEP) as string[];
    return {
      id: id || profileId(this.connectionId, sourceId),
      sourceId,
      connectionId: this.connectionId,
      source: (source || "entra") as ProfileDoc["source"],
      status: STATUS_OF[status as string] as RecordStatus,
      hash: hash as string,
      // Only "written by this task" matters to the planner; any other task is just not this one.
      lastTaskId: mine ? this.taskId : "",
      displayName: "",
      ...(photo ? { photo: JSON.parse(photo) as ProfileDoc["photo"] } : {}),
      ...(adopted ? { adopted: true as const } : {}),
    };
  }

  /** The entries for a window of users, keyed by Entra object id. */
  entries(sourceIds: Iterable<string>): Map<string, ProfileIndexEntry> {
    const out = new Map<string, ProfileIndexEntry>();
    for (const sourceId of sourceIds) {
      const entry = this.entry(sourceId);
      if (entry) out.set(sourceId, entry);
    }
    return out;
  }

  /**
   * Ids of the profiles adopted from another connection (their id is not this connection's own) that do not
   * carry the adopted mark yet: read from the packed fields, without unpacking every profile.
   */
  unmarkedAdoptions(): string[] {
    const out: string[] = [];
    for (const packed of this.rows.values()) {
      const [, , , adopted, id] = packed.split(SEP, 5);
      if (!adopted && id) out.push(id);
    }
    return out;
  }

  sourceIds(): IterableIterator<string> {
    return this.rows.keys();
  }
}

/** An index entry with the stored profile's name, email and UPN, as a removal record names the person. */
export const withNames = (entry: ProfileIndexEntry, doc: ProfileDoc | undefined): ProfileIndexEntry =>
  doc
    ? {
        ...entry,
        displayName: doc.displayName,
        ...(doc.emailKey ? { emailKey: doc.emailKey } : {}),
        ...(doc.upnKey ? { upnKey: doc.upnKey } : {}),
      }
    : entry;
