import { createHash } from "node:crypto";

/**
 * How many users a full sync read share each email, kept as a 96-bit digest of the lowercased address
 * (16 characters) rather than the address itself: a million addresses stay a few dozen megabytes, and two
 * different addresses sharing a digest is far less likely than any run's other failures.
 */
export class EmailTally {
  private readonly counts = new Map<string, number>();
  private shared = 0;

  add(email: string | undefined): void {
    if (!email) return;
    const key = digest(email);
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n === 2) this.shared += 1;
  }

  /** Whether any email was read more than once. */
  get anyShared(): boolean {
    return this.shared > 0;
  }

  isShared(email: string | undefined): boolean {
    return email ? (this.counts.get(digest(email)) ?? 0) > 1 : false;
  }
}

const digest = (email: string) =>
  createHash("sha256").update(email.toLowerCase()).digest("base64url").slice(0, 16);
