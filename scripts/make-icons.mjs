// Renders static/icons/icon-{192,512}.png (the manifest's raster icons) from
// the same design as icon.svg: a white cross on teal. Run once when the design
// changes; the PNGs are committed. PNG is written by hand with node:zlib
// because the image is two rectangles and a PNG needs only three chunks.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/** @param {Buffer} buf */
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** @param {number} size */
function icon(size) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const s = size / 64;
  const inCross = (/** @type {number} */ x, /** @type {number} */ y) => (x >= 26 * s && x < 38 * s && y >= 12 * s && y < 52 * s) || (x >= 12 * s && x < 52 * s && y >= 26 * s && y < 38 * s);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const [r, g, b] = inCross(x, y) ? [255, 255, 255] : [0x0f, 0x76, 0x6e];
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

for (const size of [192, 512]) writeFileSync(`static/icons/icon-${size}.png`, icon(size));
console.log('wrote static/icons/icon-192.png and icon-512.png');
