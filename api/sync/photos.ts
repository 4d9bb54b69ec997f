import { createHash } from "node:crypto";
import pLimit from "p-limit";
import type { GraphApi } from "../graph/client.ts";
import type { PhotoDoc, ProfileDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

const CONCURRENCY = 4;

/** What Graph says of each user's photo: its media ETag, or null when the user has none. */
export interface PhotoCheck {
  etags: Map<string, string | null>;
  /** Users whose photo Graph could not describe now (not permission problems: those fail the run). */
  unreadable: number;
}

export const photoId = (profileId: string) => `photo.${profileId}`;

/**
 * Reads photo metadata, twenty users per `$batch` request. The photo is not a user property, so Graph's
 * user delta never reports its changes; comparing media ETags finds them without downloading anything.
 */
export async function checkPhotos(graph: GraphApi, sourceIds: string[]): Promise<PhotoCheck> {
  const etags = new Map<string, string | null>();
  let unreadable = 0;
  const responses = await graph.batchGet(sourceIds.map((id) => ({ id, url: `/users/${id}/photo` })));
  for (const r of responses) {
    if (r.status === 404) etags.set(r.id, null);
    else if (r.status === 200) {
      // A photo Graph describes without a media ETag is unknown, not absent: the stored one stays.
      const etag = (r.body as { "@odata.mediaEtag"?: unknown } | undefined)?.["@odata.mediaEtag"];
      if (typeof etag === "string") etags.set(r.id, etag);
    } else if (r.status === 401 || r.status === 403) throw graph.failureOf(r, `/users/${r.id}/photo`);
    else unreadable++;
  }
  return { etags, unreadable };
}

/** Whether a profile's stored photo differs from what Graph reports (a photo without an ETag: unknown). */
export const photoChanged = (stored: ProfileDoc["photo"], etag: string | null | undefined) =>
  etag === undefined ? false : etag === null ? stored !== undefined : stored?.etag !== etag;

/**
 * Brings each profile's photo in line with Graph: downloads only photos whose media ETag changed, removes
 * photos that are gone, and stores photos outside the profile document, which keeps their hash, type and
 * ETag. Profiles are changed in place; returns the source ids whose photo changed.
 */
export async function attachPhotos(
  store: Store,
  graph: GraphApi,
  profiles: ProfileDoc[],
  now: string,
  known?: PhotoCheck,
): Promise<Set<string>> {
  const check =
    known ??
    (await checkPhotos(
      graph,
      profiles.map((p) => p.sourceId),
    ));
  const limit = pLimit(CONCURRENCY);
  const photos: PhotoDoc[] = [];
  const removed: string[] = [];
  const changed = new Set<string>();
  await Promise.all(
    profiles.map((profile) =>
      limit(async () => {
        const etag = check.etags.get(profile.sourceId);
        if (!photoChanged(profile.photo, etag)) return;
        changed.add(profile.sourceId);
        const photo = etag ? await graph.getBinary(`/users/${profile.sourceId}/photo/$value`) : undefined;
        if (!photo) {
          delete profile.photo;
          removed.push(photoId(profile.id));
          return;
        }
        const hash = createHash("sha256").update(photo.data).digest("base64url").slice(0, 32);
        profile.photo = { hash, contentType: photo.contentType, ...(etag ? { etag } : {}) };
        photos.push({
          id: photoId(profile.id),
          tenantId: profile.tenantId,
          type: "photo",
          profileId: profile.id,
          contentType: photo.contentType,
          hash,
          data: photo.data.toString("base64"),
          updatedAt: now,
        });
      }),
    ),
  );
  if (photos.length > 0) await store.photos.bulkUpsert(photos);
  const tenantId = profiles[0]?.tenantId;
  if (tenantId && removed.length > 0) await store.photos.bulkDelete(tenantId, removed);
  return changed;
}
