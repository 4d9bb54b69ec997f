import type { GraphApi } from "../graph/client.ts";
import { type GroupMembers, readGroupMembers } from "./reader.ts";

/** Member ids (users and nested groups) held read but not yet taken: about 100 bytes each in memory. */
const MAX_HELD_IDS = 250_000;

interface Chunk {
  index: number;
  ids: string[];
  /** What was read and not yet taken. */
  members?: GroupMembers;
  /** Settles once the chunk's read ended; undefined when it was never read or its read failed. */
  read: Promise<GroupMembers | undefined>;
  settle: (members: GroupMembers | undefined) => void;
  held: number;
}

/**
 * Reads the list scope's Graph members ahead, in the full sync's lists order, while the users phase writes
 * profiles: that phase hardly asks Graph anything, and reading members is what the lists phase waits for
 * (Graph's throttling budget for them, not this process, sets its pace). The lists phase then takes each
 * chunk's members from here. At most MAX_HELD_IDS member ids (by default) are held, so memory stays bounded
 * however large the tenant. A chunk whose read failed, or that was never read, is read again when the lists
 * phase asks, so a failure surfaces where it would have without the read ahead.
 */
export class MemberPrefetch {
  private readonly chunks: Chunk[] = [];
  private readonly chunkOf = new Map<string, Chunk>();
  private held = 0;
  /** Chunks before this one are done with. */
  private passed = 0;
  private closed = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly graph: GraphApi,
    groupIds: readonly string[],
    chunkSize: number,
    private readonly maxHeldIds = MAX_HELD_IDS,
  ) {
    for (let i = 0; i < groupIds.length; i += chunkSize) {
      let settle!: Chunk["settle"];
      const read = new Promise<GroupMembers | undefined>((resolve) => {
        settle = resolve;
      });
      const chunk: Chunk = {
        index: this.chunks.length,
        ids: groupIds.slice(i, i + chunkSize),
        read,
        settle,
        held: 0,
      };
      this.chunks.push(chunk);
      // A group named twice is read with its first chunk.
      for (const id of chunk.ids) if (!this.chunkOf.has(id)) this.chunkOf.set(id, chunk);
    }
  }

  /** Starts reading; called once the users phase no longer reads from Graph. */
  start(): void {
    this.running ??= this.readChunks();
  }

  /**
   * The members of these groups: taken from what was read ahead, the rest read now. The lists phase asks in
   * the order given to the constructor, so a chunk before the one asked for is done with.
   */
  async members(groupIds: string[]): Promise<GroupMembers> {
    this.start();
    const users = new Map<string, Set<string>>();
    const nested = new Map<string, Set<string>>();
    const unread: string[] = [];
    for (const id of groupIds) {
      const chunk = this.chunkOf.get(id);
      if (chunk) for (const before of this.chunks.slice(this.passed, chunk.index)) this.release(before);
      const read = chunk ? await chunk.read : undefined;
      const found = read?.users.get(id);
      if (!read || !found) {
        unread.push(id);
        continue;
      }
      users.set(id, found);
      nested.set(id, read.nested.get(id) ?? new Set());
      read.users.delete(id);
      read.nested.delete(id);
    }
    if (unread.length > 0) {
      const now = await readGroupMembers(this.graph, unread);
      for (const [id, set] of now.users) users.set(id, set);
      for (const [id, set] of now.nested) nested.set(id, set);
    }
    return { users, nested };
  }

  /**
   * Stops reading ahead and waits for the chunk read in flight (one chunk's pages at most), so the run's
   * Graph reads end with it.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
    for (const chunk of this.chunks) chunk.settle(undefined);
  }

  private async readChunks(): Promise<void> {
    for (const chunk of this.chunks) {
      while (!this.closed && this.held >= this.maxHeldIds)
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      if (this.closed || chunk.index < this.passed) {
        chunk.settle(undefined);
        continue;
      }
      try {
        const read = await readGroupMembers(this.graph, chunk.ids);
        // Passed while it was read: nobody will take it, so it must not count against the bound.
        if (chunk.index < this.passed) {
          chunk.settle(undefined);
          continue;
        }
        chunk.held = [...read.users.values(), ...read.nested.values()].reduce((n, s) => n + s.size, 0);
        this.held += chunk.held;
        chunk.members = read;
        chunk.settle(read);
      } catch {
        // Read again when asked for, where the failure then counts; no further reads ahead.
        for (const rest of this.chunks) rest.settle(undefined);
        return;
      }
    }
  }

  /** Forgets a chunk's members (anything not taken belonged to lists the run skips) and reads on. */
  private release(chunk: Chunk): void {
    this.passed = Math.max(this.passed, chunk.index + 1);
    for (const id of chunk.ids) this.chunkOf.delete(id);
    chunk.members?.users.clear();
    chunk.members?.nested.clear();
    chunk.members = undefined;
    this.held -= chunk.held;
    chunk.held = 0;
    this.wake?.();
    this.wake = undefined;
  }
}
