import { DELTA_TOKEN_LIFETIME_MS } from "../constants.ts";
import type { Change, ObjectKind, TenantState } from "../directory/state.ts";
import { activeMembers } from "../directory/state.ts";
import { SimError } from "../errors.ts";
import { PERMS, requireAny } from "./auth.ts";
import { forgetPass, type PassKey, recallPass, rememberPass, rowCount } from "./delta-passes.ts";
import { groupDoc, ok, userDoc } from "./directory-routes.ts";
import type { FilterNode } from "./filter.ts";
import { parseFilter } from "./filter.ts";
import { decodeToken, encodeToken } from "./paging.ts";
import type { GraphResponse, RouteContext } from "./types.ts";

/** What a delta round remembers: where it started, what it selects, which ids it tracks. */
interface DeltaState {
  k: ObjectKind;
  /** Changes after this sequence number are reported; -1 means the initial full round. */
  from: number;
  /** Sequence number at the start of the round; the next deltaLink continues from here. */
  to: number;
  o: number;
  sel?: string[];
  ids?: string[];
  /** The round's number among the tenant's remembered rounds (see delta-passes.ts). */
  p?: number;
}

interface DeltaToken {
  k: ObjectKind;
  s: number;
  /** When the link was issued (ms): links older than seven days are gone. */
  t: number;
  sel?: string[];
  ids?: string[];
}

const DEFAULT_PAGE = 100;

function idsFromFilter(raw: string | null): string[] | undefined {
  if (!raw) return undefined;
  const ids: string[] = [];
  const walk = (n: FilterNode): void => {
    if (n.type === "or") {
      walk(n.left);
      walk(n.right);
    } else if (n.type === "cmp" && n.op === "eq" && n.prop === "id" && typeof n.value === "string") {
      ids.push(n.value.toLowerCase());
    } else {
      throw new SimError(
        400,
        "Request_UnsupportedQuery",
        "Delta query only supports $filter on id with 'eq' combined by 'or'.",
      );
    }
  };
  walk(parseFilter(raw));
  if (ids.length > 50)
    throw new SimError(
      400,
      "Request_UnsupportedQuery",
      "A maximum of 50 ids can be filtered in a delta query.",
    );
  return ids;
}

function pageSize(ctx: RouteContext): number {
  const m = /odata\.maxpagesize=(\d+)/i.exec(ctx.req.headers.prefer ?? "");
  return m ? Math.max(1, Math.min(999, Number(m[1]))) : DEFAULT_PAGE;
}

/** GET /users/delta and /groups/delta, answered from the tenant's change log. */
export function delta(kind: ObjectKind) {
  return (ctx: RouteContext): GraphResponse => {
    requireAny(ctx.caller, kind === "user" ? PERMS.readUsers : PERMS.readMembers);
    const t = ctx.caller.tenant;
    const skip = ctx.params.get("$skiptoken");
    const deltaToken = ctx.params.get("$deltatoken");
    let state: DeltaState;
    if (skip) {
      state = decodeToken<DeltaState>(skip);
    } else if (deltaToken === "latest") {
      const sel = ctx.params.get("$select")?.split(",");
      return respond(ctx, [], {
        k: kind,
        s: t.seq,
        t: ctx.dir.now(),
        sel,
        ids: idsFromFilter(ctx.params.get("$filter")),
      });
    } else if (deltaToken) {
      const token = decodeToken<DeltaToken>(deltaToken);
      if (token.k !== kind)
        throw new SimError(400, "Request_BadRequest", "The delta token does not belong to this resource.");
      if (ctx.dir.now() - token.t > DELTA_TOKEN_LIFETIME_MS) {
        throw new SimError(
          400,
          "syncStateNotFound",
          "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
        );
      }
      state = { k: kind, from: token.s, to: t.seq, o: 0, sel: token.sel, ids: token.ids };
    } else {
      state = {
        k: kind,
        from: -1,
        to: t.seq,
        o: 0,
        sel: ctx.params.get("$select")?.split(","),
        ids: idsFromFilter(ctx.params.get("$filter")),
      };
    }
    const now = ctx.dir.now();
    const key: PassKey = { k: kind, from: state.from, to: state.to, sel: state.sel, ids: state.ids };
    let rows = recallPass(t, state.p, key, now);
    let pass = state.p;
    if (!rows) {
      rows = state.from < 0 ? { ids: initialIds(t, kind, state) } : { docs: changes(t, kind, state) };
      pass = undefined;
    }
    const size = pageSize(ctx);
    const total = rowCount(rows);
    const page =
      "ids" in rows
        ? initialDocs(t, kind, state, rows.ids.slice(state.o, state.o + size))
        : rows.docs.slice(state.o, state.o + size);
    if (state.o + size < total) {
      pass ??= rememberPass(t, key, rows, now);
      return respond(ctx, page, undefined, { ...state, o: state.o + size, p: pass });
    }
    forgetPass(t, pass);
    return respond(ctx, page, { k: kind, s: state.to, t: now, sel: state.sel, ids: state.ids });
  };
}

function respond(
  ctx: RouteContext,
  value: Record<string, unknown>[],
  next?: DeltaToken,
  skip?: DeltaState,
): GraphResponse {
  const base = `${ctx.root}/${ctx.path.split("/")[1]}/delta`;
  const body: Record<string, unknown> = {
    "@odata.context": `${ctx.root}/$metadata#${ctx.path.split("/")[1]}`,
  };
  if (skip) body["@odata.nextLink"] = `${base}?$skiptoken=${encodeToken(skip)}`;
  if (next) body["@odata.deltaLink"] = `${base}?$deltatoken=${encodeToken(next)}`;
  body.value = value;
  const prefer = /odata\.maxpagesize=\d+/i.exec(ctx.req.headers.prefer ?? "");
  return ok(body, prefer ? { "preference-applied": prefer[0] } : {});
}

function docFor(t: TenantState, kind: ObjectKind, sel: string[] | undefined) {
  const users = userDoc(t, sel);
  // `members` is a navigation property: selecting it asks for members@delta, not a group property.
  const groups = groupDoc(sel?.filter((p) => p !== "members"));
  return (id: string): Record<string, unknown> | undefined => {
    if (kind === "user") {
      const u = t.users.get(id);
      return u ? users(u) : undefined;
    }
    const g = t.groups.get(id);
    return g ? groups(g) : undefined;
  };
}

const typeOf = (t: TenantState, id: string) =>
  t.groups.has(id) || t.deletedGroups.has(id) ? "#microsoft.graph.group" : "#microsoft.graph.user";

/** The objects an initial round returns, in the tenant's order. */
function initialIds(t: TenantState, kind: ObjectKind, state: DeltaState): string[] {
  const ids = kind === "user" ? [...t.users.keys()] : [...t.groups.keys()];
  if (!state.ids) return ids;
  const wanted = new Set(state.ids);
  return ids.filter((id) => wanted.has(id));
}

/**
 * One page of an initial round, rendered when it is asked for. An object deleted since the round began is
 * left out of its page (the next round reports its removal); the other objects keep their positions.
 */
function initialDocs(
  t: TenantState,
  kind: ObjectKind,
  state: DeltaState,
  ids: string[],
): Record<string, unknown>[] {
  const doc = docFor(t, kind, state.sel);
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const d = doc(id);
    if (!d) continue;
    out.push(d);
    if (kind === "group") {
      const members = activeMembers(t, id);
      if (members.length > 0)
        d["members@delta"] = members.map((m) => ({ "@odata.type": typeOf(t, m), id: m }));
    }
  }
  return out;
}

/** Coalesces the change log into one entry per object, in the order objects last changed. */
function changes(t: TenantState, kind: ObjectKind, state: DeltaState): Record<string, unknown>[] {
  const wanted = state.ids ? new Set(state.ids) : undefined;
  type Entry = { object?: Change; relevant: boolean; members: Map<string, Change> };
  const perObject = new Map<string, Entry>();
  for (const c of changesBetween(t, state.from, state.to)) {
    if (c.kind !== kind || (wanted && !wanted.has(c.id))) continue;
    const entry: Entry = perObject.get(c.id) ?? { relevant: false, members: new Map() };
    perObject.delete(c.id);
    perObject.set(c.id, entry);
    if (c.op === "memberAdd" || c.op === "memberRemove") {
      entry.members.set(c.memberId as string, c);
    } else {
      entry.object = c;
      // An update touching only unselected properties is not reported, as Graph does.
      const touchesSelection = !c.props || !state.sel || c.props.some((p) => state.sel?.includes(p));
      entry.relevant ||= c.op !== "upsert" || touchesSelection;
    }
  }
  const doc = docFor(t, kind, state.sel);
  const out: Record<string, unknown>[] = [];
  for (const [id, entry] of perObject) {
    const op = entry.object?.op;
    if (op === "hardDelete" || op === "softDelete") {
      out.push({ id, "@removed": { reason: op === "hardDelete" ? "deleted" : "changed" } });
      continue;
    }
    const current = doc(id);
    if (!current) continue;
    if (!entry.relevant && entry.members.size === 0) continue;
    if (entry.members.size > 0) {
      current["members@delta"] = [...entry.members.values()].map((m) => ({
        "@odata.type": m.memberKind === "group" ? "#microsoft.graph.group" : "#microsoft.graph.user",
        id: m.memberId,
        ...(m.op === "memberRemove" ? { "@removed": { reason: "deleted" } } : {}),
      }));
    }
    out.push(current);
  }
  return out;
}

function changesBetween(t: TenantState, from: number, to: number): Change[] {
  // The log is ordered by seq and seq starts at 1, so positions are seq - 1.
  return t.changes.slice(Math.max(0, from), Math.max(0, to));
}
