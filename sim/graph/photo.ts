import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export const PHOTO_SIZE = 48;

const photoKey = (userId: string, version = 0) => (version === 0 ? userId : `${userId}#${version}`);

/** A small PNG whose colours derive from the user id and photo version: same photo, same bytes, every run. */
export function photoBytes(userId: string, version = 0): Buffer {
  const h = createHash("sha1").update(photoKey(userId, version)).digest();
  const size = PHOTO_SIZE;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const inner = x > 11 && x < 36 && y > 11 && y < 36;
      row[1 + x * 3] = inner ? (h[3] as number) : (h[0] as number);
      row[2 + x * 3] = inner ? (h[4] as number) : (h[1] as number);
      row[3 + x * 3] = inner ? (h[5] as number) : (h[2] as number);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function photoEtag(userId: string, version = 0): string {
  return `W/"${createHash("sha1")
    .update(`photo:${photoKey(userId, version)}`)
    .digest("hex")
    .slice(0, 40)}"`;
}
