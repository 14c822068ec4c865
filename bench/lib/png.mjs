// A tiny PNG writer (8-bit RGB, zlib from node:zlib) and a raster canvas: pixels, lines, dots, 5x7 text.
import { deflateSync } from "node:zlib";
import { glyph } from "./font5x7.mjs";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG bytes of an RGB image (rgb.length = width * height * 3). */
export function encodePng(width, height, rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export class Canvas {
  constructor(width, height, bg = [255, 255, 255]) {
    this.width = width;
    this.height = height;
    this.rgb = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) this.rgb.set(bg, i * 3);
  }

  set(x, y, color) {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.rgb.set(color, (y * this.width + x) * 3);
  }

  get(x, y) {
    const i = (y * this.width + x) * 3;
    return [this.rgb[i], this.rgb[i + 1], this.rgb[i + 2]];
  }

  rect(x0, y0, w, h, color) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, color);
  }

  /** Bresenham line, `thick` pixels wide (square pen), optionally dashed. */
  line(x0, y0, x1, y1, color, thick = 1, dash = 0) {
    x0 = Math.round(x0); y0 = Math.round(y0); x1 = Math.round(x1); y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    const r = Math.floor(thick / 2);
    for (let step = 0; ; step++) {
      if (!dash || Math.floor(step / dash) % 2 === 0) this.rect(x0 - r, y0 - r, thick, thick, color);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }

  dot(cx, cy, radius, color) {
    for (let y = -radius; y <= radius; y++) for (let x = -radius; x <= radius; x++) if (x * x + y * y <= radius * radius + radius) this.set(cx + x, cy + y, color);
  }

  /** 5x7 text at (x, y) = top-left, `scale` pixels per font pixel; returns the width drawn. */
  text(x, y, s, color, scale = 1) {
    let cx = x;
    for (const ch of String(s)) {
      const rows = glyph(ch);
      rows.forEach((bits, row) => {
        for (let col = 0; col < 5; col++) if (bits & (1 << (4 - col))) this.rect(cx + col * scale, y + row * scale, scale, scale, color);
      });
      cx += 6 * scale;
    }
    return cx - x;
  }

  /** Text rotated 90° counter-clockwise (for a y-axis label), (x, y) = bottom-left of the run. */
  textUp(x, y, s, color, scale = 1) {
    let cy = y;
    for (const ch of String(s)) {
      const rows = glyph(ch);
      rows.forEach((bits, row) => {
        for (let col = 0; col < 5; col++) if (bits & (1 << (4 - col))) this.rect(x + row * scale, cy - col * scale, scale, scale, color);
      });
      cy -= 6 * scale;
    }
  }

  png() {
    return encodePng(this.width, this.height, this.rgb);
  }
}

export const textWidth = (s, scale = 1) => String(s).length * 6 * scale - scale;
