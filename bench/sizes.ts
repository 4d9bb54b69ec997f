/** Tenant shapes the benchmark knows, by name. The 100k shape is the one the targets are set for. */
export interface TenantSize {
  name: string;
  users: number;
  groups: number;
  /** Direct user-to-group memberships. */
  memberships: number;
  /** Group-in-group edges, so lists have to follow nesting. */
  nestedGroups: number;
}

/** Smaller tenants keep the 100k tenant's proportions: one group per 20 users, 2.5 memberships per user. */
export function sizeOf(users: number, name = label(users)): TenantSize {
  const groups = Math.max(1, Math.round(users / 20));
  return {
    name,
    users,
    groups,
    memberships: Math.round(users * 2.5),
    nestedGroups: Math.max(1, Math.round(groups / 50)),
  };
}

const SIZES: Record<string, TenantSize> = {
  "1k": sizeOf(1_000),
  "10k": sizeOf(10_000),
  // The large tenant: 100k users, 5k groups, 250k memberships, some nested.
  "100k": sizeOf(100_000),
  "300k": sizeOf(300_000),
  // A university or retail tenant: 1M users in 50k groups, 5 memberships each, some groups nested.
  "1m": { name: "1M", users: 1_000_000, groups: 50_000, memberships: 5_000_000, nestedGroups: 1_000 },
};

function label(users: number): string {
  return users % 1000 === 0 ? `${users / 1000}k` : String(users);
}

/** "1k", "10k", "100k", "300k", "1m" or a plain user count such as "2500". */
export function parseSize(name: string): TenantSize {
  const known = SIZES[name.toLowerCase()];
  if (known) return known;
  const m = /^(\d+)(k?)$/i.exec(name.trim());
  if (!m) throw new Error(`Unknown size "${name}": use 1k, 10k, 100k, 300k, 1m or a user count`);
  return sizeOf(Number(m[1]) * (m[2] ? 1000 : 1));
}
