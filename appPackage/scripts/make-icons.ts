/**
 * Draws the two Teams app icons (color.png 192x192, outline.png 32x32) as PNG files with nothing but
 * node:zlib, so the icons are reproducible from source and reviewable as code.
 *
 *   npx tsx appPackage/scripts/make-icons.ts
 *
 * The glyph is two arrows chasing each other round a circle ("sync"). Teams wants the color icon on a
 * full-bleed brand background (it rounds the corners itself) with the symbol inside the central safe
 * area, and the outline icon white on a transparent background.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";

type Rgba = readonly [number, number, number, number];

const BRAND: Rgba = [0x0f, 0x6c, 0xbd, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const TRANSPARENT: Rgba = [0, 0, 0, 0];

interface Glyph {
  /** Ring radius as a fraction of half the canvas. */
  radius: number;
  /** Stroke width as a fraction of half the canvas. */
  stroke: number;
  /** Arrow head half-width and length, as multiples of the stroke width. */
  headWidth: number;
  headLength: number;
}

const DEG = Math.PI / 180;
// Each arrow sweeps clockwise from its tail to its head; the gaps between them sit on the diagonal.
const ARCS = [
  { tail: 165 * DEG, head: 30 * DEG },
  { tail: 345 * DEG, head: 210 * DEG },
] as const;

function normalize(angle: number): number {
  const full = 2 * Math.PI;
  return ((angle % full) + full) % full;
}

/** True when angle lies on the clockwise sweep from `from` to `to`. */
function onClockwiseSweep(angle: number, from: number, to: number): boolean {
  return normalize(from - angle) <= normalize(from - to);
}

function insideTriangle(px: number, py: number, t: readonly (readonly [number, number])[]): boolean {
  const [a, b, c] = t as [readonly [number, number], readonly [number, number], readonly [number, number]];
  const side = (p: readonly [number, number], q: readonly [number, number]) =>
    (q[0] - p[0]) * (py - p[1]) - (q[1] - p[1]) * (px - p[0]);
  const d1 = side(a, b);
  const d2 = side(b, c);
  const d3 = side(c, a);
  const negative = d1 < 0 || d2 < 0 || d3 < 0;
  const positive = d1 > 0 || d2 > 0 || d3 > 0;
  return !(negative && positive);
}

/** Whether point (x, y), in units of half the canvas with y pointing up, is inside the glyph. */
function insideGlyph(x: number, y: number, g: Glyph): boolean {
  const r = Math.hypot(x, y);
  const angle = normalize(Math.atan2(y, x));
  const half = g.stroke / 2;
  for (const arc of ARCS) {
    // The shaft stops where the arrow head begins, so the head's base is crisp.
    const headStart = arc.head + (g.headLength * g.stroke * 0.15) / g.radius;
    if (Math.abs(r - g.radius) <= half && onClockwiseSweep(angle, arc.tail, headStart)) return true;
    const ex = Math.cos(arc.head) * g.radius;
    const ey = Math.sin(arc.head) * g.radius;
    // Clockwise tangent at the head end (y up).
    const tx = Math.sin(arc.head);
    const ty = -Math.cos(arc.head);
    const nx = Math.cos(arc.head);
    const ny = Math.sin(arc.head);
    const w = g.headWidth * g.stroke;
    const l = g.headLength * g.stroke;
    const triangle = [
      [ex + nx * w, ey + ny * w],
      [ex - nx * w, ey - ny * w],
      [ex + tx * l, ey + ty * l],
    ] as const;
    if (insideTriangle(x, y, triangle)) return true;
  }
  return false;
}

/** Renders the glyph with 8x8 supersampling, blending `ink` over `paper`. */
function render(size: number, glyph: Glyph, scale: number, ink: Rgba, paper: Rgba): Uint8Array {
  const samples = 8;
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1;
          const y = 1 - ((py + (sy + 0.5) / samples) / size) * 2;
          if (insideGlyph(x / scale, y / scale, glyph)) hits++;
        }
      }
      const coverage = hits / (samples * samples);
      const alpha = ink[3] * coverage + paper[3] * (1 - coverage);
      const offset = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        // Blend in premultiplied space so transparent paper does not darken the anti-aliased edge.
        const premultiplied =
          ((ink[c] as number) * ink[3] * coverage + (paper[c] as number) * paper[3] * (1 - coverage)) / 255;
        pixels[offset + c] = alpha === 0 ? 0 : Math.round((premultiplied * 255) / alpha);
      }
      pixels[offset + 3] = Math.round(alpha);
    }
  }
  return pixels;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes 8-bit RGBA pixels as a PNG (colour type 6, no interlace, filter "none" on every row). */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: truecolour with alpha
  header[10] = 0; // compression
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let row = 0; row < size; row++) {
    raw[row * (stride + 1)] = 0;
    raw.set(rgba.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..");

// Color: the symbol fills about the central 60% of the tile, inside Teams' safe area.
const color = render(
  192,
  { radius: 0.72, stroke: 0.2, headWidth: 1.15, headLength: 1.5 },
  0.62,
  WHITE,
  BRAND,
);
// Outline: at 32 px the stroke must be heavier to stay legible; the glyph uses most of the canvas.
const outline = render(
  32,
  { radius: 0.7, stroke: 0.24, headWidth: 1.05, headLength: 1.35 },
  0.92,
  WHITE,
  TRANSPARENT,
);

writeFileSync(join(target, "color.png"), encodePng(192, color));
writeFileSync(join(target, "outline.png"), encodePng(32, outline));
console.log(`wrote ${join(target, "color.png")} and ${join(target, "outline.png")}`);
