import { createHash } from "node:crypto";
import pLimit from "p-limit";
import type { GraphApi } from "../graph/client.ts";
import type { PhotoDoc, ProfileDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

const CONCURRENCY = 4;

/**
 * Fetches photos for the profiles about to be written (new or changed users only) and stores them outside
 * the profile document, which keeps only the photo's hash and type.
 */
export async function attachPhotos(
  store: Store,
  graph: GraphApi,
  profiles: ProfileDoc[],
  now: string,
): Promise<void> {
  const limit = pLimit(CONCURRENCY);
  const photos: PhotoDoc[] = [];
  await Promise.all(
    profiles.map((profile) =>
      limit(async () => {
        const photo = await graph.getBinary(`/users/${profile.sourceId}/photo/$value`);
        if (!photo) {
          delete profile.photo;
          return;
        }
        const hash = createHash("sha256").update(photo.data).digest("base64url").slice(0, 32);
        profile.photo = { hash, contentType: photo.contentType };
        photos.push({
          id: `photo.${profile.id}`,
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
}
