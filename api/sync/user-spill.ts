import { createReadStream } from "node:fs";
import { type FileHandle, mkdtemp, open, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { MappedUser } from "./mapping.ts";

const PREFIX = "entra-sync-users-";
/** Far longer than any full sync runs: a folder this old belongs to a worker that was killed. */
const ABANDONED_AFTER_MS = 24 * 3600_000;

/** A user as read: mapped, and why the client-side scope left them out, if it did. */
export interface SpilledUser {
  user: MappedUser;
  excluded?: string;
}

/**
 * The users a full sync read, on local disk until the read is complete. Nothing is written before the
 * whole read succeeded and duplicate emails are known, yet holding a million mapped users would take
 * about half a gigabyte of heap; a line of JSON per user on disk takes the same in bytes and no memory.
 * The file lives in its own private temporary folder and is removed when the run ends, however it ends;
 * a worker killed outright leaves its folder, which the next spill opened on that machine a day later removes.
 */
export class UserSpill {
  private constructor(
    private readonly folder: string,
    private readonly file: FileHandle,
  ) {}

  static async open(): Promise<UserSpill> {
    await sweepAbandoned();
    const folder = await mkdtemp(join(tmpdir(), PREFIX));
    return new UserSpill(folder, await open(join(folder, "users.ndjson"), "a", 0o600));
  }

  private get path(): string {
    return join(this.folder, "users.ndjson");
  }

  async append(users: SpilledUser[]): Promise<void> {
    if (users.length === 0) return;
    await this.file.appendFile(`${users.map((u) => JSON.stringify(u)).join("\n")}\n`);
  }

  /** Reads the users back in the order they were read from Graph, `size` at a time. */
  async *windows(size: number): AsyncGenerator<SpilledUser[]> {
    const lines = createInterface({
      input: createReadStream(this.path),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let window: SpilledUser[] = [];
    for await (const line of lines) {
      if (!line) continue;
      window.push(JSON.parse(line) as SpilledUser);
      if (window.length >= size) {
        yield window;
        window = [];
      }
    }
    if (window.length > 0) yield window;
  }

  async close(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.folder, { recursive: true, force: true });
  }
}

/** Removes the folders of workers killed mid-sync (no `finally` runs then), so they do not pile up. */
async function sweepAbandoned(): Promise<void> {
  const root = tmpdir();
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const folder = join(root, name);
    const info = await stat(folder).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > ABANDONED_AFTER_MS)
      await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}
