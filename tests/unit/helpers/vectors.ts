/**
 * Test vectors live in ../shared/vectors/ (never copied into the project).
 * `vectorSuite(name)` returns the suite's directory, or undefined with a
 * reason. In CI (CI=true) a missing suite throws, so it fails the run; on a
 * developer's machine the caller skips and says why.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const VECTORS_DIR = resolve(process.env.MEDCHAIN_VECTORS ?? join(process.cwd(), '..', 'shared', 'vectors'));
const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

export interface Suite {
  dir: string;
  read(rel: string): string;
  json<T = unknown>(rel: string): T;
  list(rel: string): string[];
}

/** The suite directory, or undefined (with a console note) when missing outside CI. */
export function vectorSuite(name: string): Suite | undefined {
  const dir = join(VECTORS_DIR, name);
  if (!existsSync(dir)) {
    const why = `vector suite ${name} not found at ${dir} (set MEDCHAIN_VECTORS or put ../shared/vectors beside the project)`;
    if (IN_CI) throw new Error(`CI: ${why}`);
    console.warn(`skipping: ${why}`);
    return undefined;
  }
  return {
    dir,
    read: (rel) => readFileSync(join(dir, rel), 'utf8'),
    json: (rel) => JSON.parse(readFileSync(join(dir, rel), 'utf8')),
    list: (rel) => readdirSync(join(dir, rel)).sort()
  };
}

export function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2) throw new Error(`odd hex length: ${hex}`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
