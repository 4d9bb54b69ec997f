import { createReadStream } from "node:fs";
import { type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { MappedUser } from "./mapping.ts";

/** A user as read: mapped, and why the client-side scope left them out, if it did. */
export interface SpilledUser {
  user: MappedUser;
  excluded?: string;
}

/**
 * The users a full sync read, on local disk until the read is complete. Nothing is written before the
 * whole read succeeded and duplicate emails are known, yet holding a million mapped users would take
 * about half a gigabyte of heap; a line of JSON per user on disk takes the same in bytes and no memory.
 * The file lives in its own private temporary folder and is removed when the run ends, however it ends.
 */
export class UserSpill {
  private constructor(
    private readonly folder: string,
    private readonly file: FileHandle,
  ) {}

  static async open(): Promise<UserSpill> {
    const folder = await mkdtemp(join(tmpdir(), "entra-sync-users-"));
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
