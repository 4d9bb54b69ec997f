/** What a full sync asks of a set of ids it remembers across the run. */
export interface IdLookup {
  has(id: string): boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WORDS = 4;
const FIRST_CAPACITY = 1024;

/**
 * A set of directory object ids for a full sync's run-long memory (the users it read, the profiles that
 * remain). Entra ids are lowercase GUIDs: each is kept as its 16 bytes in an open-addressed table of 17 bytes
 * a slot, a quarter to a half full (34-68 bytes per id; 36 at a million), where a Set of strings takes 77.
 * Any other id (another case, another shape) is kept as it is, so the set answers exactly what a Set would.
 */
export class IdSet implements IdLookup {
  private words = new Uint32Array(FIRST_CAPACITY * WORDS);
  private used = new Uint8Array(FIRST_CAPACITY);
  private count = 0;
  private readonly others = new Set<string>();
  private readonly key = new Uint32Array(WORDS);

  get size(): number {
    return this.count + this.others.size;
  }

  add(id: string): this {
    if (!packGuid(id, this.key)) {
      this.others.add(id);
      return this;
    }
    const slot = this.find(this.key);
    if (this.used[slot]) return this;
    this.put(slot, this.key);
    this.count += 1;
    if (this.count * 2 > this.used.length) this.grow();
    return this;
  }

  has(id: string): boolean {
    if (!packGuid(id, this.key)) return this.others.has(id);
    return this.used[this.find(this.key)] === 1;
  }

  /** The slot holding `key`, or the empty slot where it would go (linear probing; the table is never full). */
  private find(key: Uint32Array): number {
    const mask = this.used.length - 1;
    let slot = hash(key) & mask;
    while (this.used[slot]) {
      const at = slot * WORDS;
      if (
        this.words[at] === key[0] &&
        this.words[at + 1] === key[1] &&
        this.words[at + 2] === key[2] &&
        this.words[at + 3] === key[3]
      )
        return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private put(slot: number, key: Uint32Array): void {
    this.words.set(key, slot * WORDS);
    this.used[slot] = 1;
  }

  private grow(): void {
    const words = this.words;
    const used = this.used;
    this.words = new Uint32Array(words.length * 2);
    this.used = new Uint8Array(used.length * 2);
    for (let slot = 0; slot < used.length; slot += 1) {
      if (!used[slot]) continue;
      const key = words.subarray(slot * WORDS, slot * WORDS + WORDS);
      this.put(this.find(key), key);
    }
  }
}

/** Writes a lowercase GUID's 128 bits into `out`; false for anything else. */
function packGuid(id: string, out: Uint32Array): boolean {
  if (id.length !== 36 || !GUID.test(id)) return false;
  let word = 0;
  let digits = 0;
  for (let i = 0; i < 36; i += 1) {
    const c = id.charCodeAt(i);
    if (c === 45) continue; // "-"
    word = (word << 4) | (c <= 57 ? c - 48 : c - 87);
    digits += 1;
    if (digits % 8 === 0) out[digits / 8 - 1] = word >>> 0;
  }
  return true;
}

/** GUIDs are random but for a few version bits: mixing the four words spreads them over the table. */
function hash(key: Uint32Array): number {
  let h = Math.imul(key[0] ?? 0, 0x9e3779b1) ^ (key[1] ?? 0);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ (key[2] ?? 0);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ (key[3] ?? 0);
  return (h ^ (h >>> 16)) >>> 0;
}
