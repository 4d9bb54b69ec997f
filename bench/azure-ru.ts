import type { TenantDocument, TenantRepository } from "../api/store/repository.ts";
import type { Store } from "../api/store/store.ts";

/**
 * Microsoft's published charges by item size with the default (index everything) policy and session
 * consistency: "Understand request unit consumption" on learn.microsoft.com. Sizes in KB.
 */
const SIZES_KB = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];
const WRITE_RU = [4.95, 6.29, 6.67, 7.04, 9.52, 11.23, 22.67, 48.19, 98.29, 184.57, 625, 1250];
const READ_RU = [1, 1.04, 1.14, 1.33, 1.67, 2.19, 4.76, 9.95, 20.28, 40.95, 145.9, 291.8];
/**
 * Microsoft publishes no formula for queries. Assumed here: a small single-partition query page costs
 * about what the documentation's examples show for one (2.5 RU), plus what a point read of its results as
 * one item would cost beyond the first KB. Queries the local server scans are answered from the index on Azure, so this is their cost there.
 */
const QUERY_PAGE_RU = 2.5;
/** A delete is charged like writing the item; the benchmark never sees the deleted item, so 1 KB is assumed. */
const DELETE_RU = WRITE_RU[0] as number;

export interface AzureRu {
  writes: number;
  pointReads: number;
  queries: number;
  total: number;
  /** Per container: documents written and their mean size, what the write estimate rests on. */
  written: Record<string, { documents: number; meanBytes: number; ru: number }>;
}

/** Linear between the published sizes; below 1 KB an item costs what 1 KB does. */
function charge(table: number[], bytes: number): number {
  const kb = bytes / 1024;
  if (kb <= 1) return table[0] as number;
  for (let i = 1; i < SIZES_KB.length; i++) {
    const hi = SIZES_KB[i] as number;
    if (kb <= hi) {
      const lo = SIZES_KB[i - 1] as number;
      const a = table[i - 1] as number;
      const b = table[i] as number;
      return a + ((b - a) * (kb - lo)) / (hi - lo);
    }
  }
  return ((table.at(-1) as number) * kb) / 2048;
}

const sizeOf = (doc: unknown) => Buffer.byteLength(JSON.stringify(doc));
const queryPage = (items: unknown[]) =>
  QUERY_PAGE_RU + charge(READ_RU, sizeOf(items)) - (READ_RU[0] as number);

/**
 * Estimates what each store call would cost on Azure Cosmos DB, from the sizes of the documents it wrote
 * and read: the local server charges 1 RU for everything, which says nothing about an Azure bill.
 */
export function estimateAzureRu(store: Store): () => AzureRu {
  let pointReads = 0;
  let queries = 0;
  const written: AzureRu["written"] = {};
  for (const [name, value] of Object.entries(store)) {
    if (!value || typeof value !== "object" || !("stream" in value)) continue;
    const repo = value as TenantRepository<TenantDocument>;
    const tally = { documents: 0, meanBytes: 0, ru: 0 };
    written[name] = tally;
    const wrote = (doc: unknown) => {
      const bytes = sizeOf(doc);
      tally.meanBytes += (bytes - tally.meanBytes) / ++tally.documents;
      tally.ru += charge(WRITE_RU, bytes);
    };
    const read = (doc: unknown) => {
      if (doc) pointReads += charge(READ_RU, sizeOf(doc));
      else pointReads += READ_RU[0] as number;
    };
    const create = repo.create.bind(repo);
    const upsert = repo.upsert.bind(repo);
    const replace = repo.replace.bind(repo);
    const remove = repo.delete.bind(repo);
    const bulkUpsert = repo.bulkUpsert.bind(repo);
    const bulkDelete = repo.bulkDelete.bind(repo);
    const get = repo.get.bind(repo);
    const readMany = repo.readMany.bind(repo);
    const page = repo.page.bind(repo);
    const count = repo.count.bind(repo);
    const stream = repo.stream.bind(repo);
    Object.assign(repo, {
      create: (doc: TenantDocument) => {
        wrote(doc);
        return create(doc);
      },
      upsert: (doc: TenantDocument) => {
        wrote(doc);
        return upsert(doc);
      },
      replace: (doc: TenantDocument, options?: { ifMatch?: string }) => {
        wrote(doc);
        return replace(doc, options);
      },
      delete: (...args: Parameters<typeof remove>) => {
        tally.ru += DELETE_RU;
        return remove(...args);
      },
      bulkUpsert: (docs: TenantDocument[]) => {
        for (const doc of docs) wrote(doc);
        return bulkUpsert(docs);
      },
      bulkDelete: (tenantId: string, ids: string[]) => {
        tally.ru += ids.length * DELETE_RU;
        return bulkDelete(tenantId, ids);
      },
      get: async (...args: Parameters<typeof get>) => {
        const doc = await get(...args);
        read(doc);
        return doc;
      },
      readMany: async (...args: Parameters<typeof readMany>) => {
        const ids = [...new Set(args[1])];
        const found = await readMany(args[0], ids);
        for (const id of ids) read(found.get(id));
        return found;
      },
      page: async (...args: Parameters<typeof page>) => {
        const result = await page(...args);
        queries += queryPage(result.items);
        return result;
      },
      count: async (...args: Parameters<typeof count>) => {
        queries += QUERY_PAGE_RU;
        return count(...args);
      },
      stream: async function* (...args: Parameters<typeof stream>) {
        let pages = 0;
        for await (const items of stream(...args)) {
          pages += 1;
          queries += queryPage(items);
          yield items;
        }
        // A query that matched nothing yields no page but was still asked and charged.
        if (pages === 0) queries += QUERY_PAGE_RU;
      },
    });
  }
  return () => {
    const writes = Object.values(written).reduce((n, w) => n + w.ru, 0);
    return {
      writes: Math.round(writes),
      pointReads: Math.round(pointReads),
      queries: Math.round(queries),
      total: Math.round(writes + pointReads + queries),
      written: Object.fromEntries(
        Object.entries(written)
          .filter(([, w]) => w.ru > 0)
          .map(([name, w]) => [
            name,
            { documents: w.documents, meanBytes: Math.round(w.meanBytes), ru: Math.round(w.ru) },
          ]),
      ),
    };
  };
}

/** What one run cost: the difference of two snapshots. */
export function azureRuSince(before: AzureRu, after: AzureRu): AzureRu {
  const written: AzureRu["written"] = {};
  for (const [name, w] of Object.entries(after.written)) {
    const b = before.written[name] ?? { documents: 0, meanBytes: 0, ru: 0 };
    const documents = w.documents - b.documents;
    if (w.ru - b.ru <= 0) continue;
    written[name] = {
      documents,
      meanBytes:
        documents > 0 ? Math.round((w.meanBytes * w.documents - b.meanBytes * b.documents) / documents) : 0,
      ru: w.ru - b.ru,
    };
  }
  return {
    writes: after.writes - before.writes,
    pointReads: after.pointReads - before.pointReads,
    queries: after.queries - before.queries,
    total: after.total - before.total,
    written,
  };
}
