import { once } from "node:events";
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { JSONObject } from "@azure/cosmos";
import { CONTAINER_NAMES } from "../api/store/containers.ts";
import type { LocalDocuments } from "./local-cosmos-store.ts";

/**
 * The local Cosmos server keeps data in memory only. `npm start` saves every container to a file under
 * .local/ (git-ignored) and loads it at the next start, so local work survives a restart.
 *
 * The file is JSON Lines: a header, then per container a line naming it and its document count followed by
 * one document a line. Lines are written and read as a stream, so a 100k-user tenant (hundreds of MB) is
 * never one string, and documents go straight into the server's memory instead of through HTTP.
 */
const HEADER = JSON.stringify({ snapshot: 2 });
/** Documents per write (and per turn of the event loop, so the API keeps answering while saving). */
const CHUNK = 1000;

interface Section {
  container: string;
  documents: number;
}

/** Older versions wrote one JSON object of every container to `cosmos-snapshot.json`. */
const legacyFileOf = (file: string) => file.replace(/\.jsonl$/, ".json");

function withoutSystemProperties(doc: JSONObject): JSONObject {
  const { _rid, _self, _etag, _attachments, _ts, ...rest } = doc;
  return rest;
}

export async function saveSnapshot(local: LocalDocuments, databaseId: string, file: string): Promise<number> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Every profile of every tenant is in here: owner-only, like the key files next to it. `mode` applies
  // only when the file is created, so a temporary file left behind by an older version is tightened too.
  const temporary = `${file}.tmp`;
  const out = createWriteStream(temporary, { mode: 0o600 });
  await once(out, "open");
  chmodSync(temporary, 0o600);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  let count = 0;
  try {
    await write(`${HEADER}\n`);
    for (const name of CONTAINER_NAMES) {
      const docs = local.all(databaseId, name) ?? [];
      await write(`${JSON.stringify({ container: name, documents: docs.length } satisfies Section)}\n`);
      for (let i = 0; i < docs.length; i += CHUNK) {
        let lines = "";
        for (const doc of docs.slice(i, i + CHUNK))
          lines += `${JSON.stringify(withoutSystemProperties(doc))}\n`;
        await write(lines);
        await yieldToEventLoop();
      }
      count += docs.length;
    }
    out.end();
    await once(out, "finish");
  } catch (err) {
    out.destroy();
    throw err;
  }
  renameSync(temporary, file);
  // The old format holds the same profiles: once the new file is written it is only a stale copy.
  if (legacyFileOf(file) !== file) rmSync(legacyFileOf(file), { force: true });
  return count;
}

export async function loadSnapshot(local: LocalDocuments, databaseId: string, file: string): Promise<number> {
  if (existsSync(file)) return loadLines(local, databaseId, file);
  const legacy = legacyFileOf(file);
  if (legacy !== file && existsSync(legacy)) return loadLegacy(local, databaseId, legacy);
  return 0;
}

const known = new Set<string>(CONTAINER_NAMES);

/** A snapshot that cannot be loaded stops `npm start`: the error says which file, what is wrong, and the way out. */
const unreadable = (file: string, problem: string, cause?: unknown) =>
  new Error(
    `${file} ${problem}: move it aside (or delete it) to start with empty local data`,
    cause === undefined ? undefined : { cause },
  );

function parseLine<T>(file: string, line: string, lineNumber: number): T {
  try {
    return JSON.parse(line) as T;
  } catch (err) {
    throw unreadable(file, `has a damaged line ${lineNumber} (${(err as Error).message})`, err);
  }
}

async function loadLines(local: LocalDocuments, databaseId: string, file: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let header = true;
  let section: Section | undefined;
  let remaining = 0;
  let batch: JSONObject[] = [];
  let count = 0;
  const flush = () => {
    if (section && known.has(section.container) && batch.length > 0) {
      local.upsert(databaseId, section.container, batch);
      count += batch.length;
    }
    batch = [];
  };
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (header) {
      if (line !== HEADER) throw unreadable(file, "is not a local data snapshot");
      header = false;
    } else if (remaining === 0) {
      section = parseLine<Section>(file, line, lineNumber);
      remaining = section.documents;
    } else {
      batch.push(parseLine<JSONObject>(file, line, lineNumber));
      remaining--;
      if (batch.length >= CHUNK || remaining === 0) flush();
    }
  }
  if (remaining > 0) throw unreadable(file, `ends ${remaining} documents early (in ${section?.container})`);
  return count;
}

function loadLegacy(local: LocalDocuments, databaseId: string, file: string): number {
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as Record<string, JSONObject[]>;
  let count = 0;
  for (const name of CONTAINER_NAMES) {
    const docs = snapshot[name] ?? [];
    local.upsert(databaseId, name, docs);
    count += docs.length;
  }
  return count;
}
