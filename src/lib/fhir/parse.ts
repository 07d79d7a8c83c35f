/**
 * Reading a FHIR R4 Bundle from bytes or text that came from outside.
 *
 * `parseBundle` checks, in this order, and stops at the first failure:
 *  1. size: at most `maxBytes` of UTF-8 (before decoding)        → 'too-large'
 *  2. UTF-8 (a leading BOM is dropped) and JSON syntax             → 'not-json'
 *  3. a JSON object whose resourceType is "Bundle"                 → 'not-fhir'
 *  4. at most `maxEntries` entries                                 → 'too-large'
 *  5. the envelope: Bundle.type in the R4 value set, each entry an
 *     object with a resource (with a resourceType), or a request or
 *     response                                                      → 'invalid'
 *  6. each resource of a type we read against its schema (schema.ts),
 *     reporting up to MAX_ISSUES problems with entry index and path  → 'invalid'
 *
 * `isFhirBundle` is a cheap sniff for routing a file ("show it as a FHIR
 * record, or as an opaque attachment?"): it never throws and never parses the
 * whole input. A true answer still needs parseBundle.
 */
import * as v from 'valibot';
import { FhirError } from './errors';
import { AnyResourceSchema, BundleSchema, RESOURCE_SCHEMAS, type Bundle } from './schema';

export interface ParseLimits {
  /** Largest accepted input, in bytes of UTF-8. */
  maxBytes: number;
  /** Most entries accepted in one Bundle. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: Readonly<ParseLimits> = Object.freeze({ maxBytes: 20 * 1024 * 1024, maxEntries: 20_000 });

/** How many schema problems one 'invalid' error lists. */
export const MAX_ISSUES = 5;

/** How much of the input `isFhirBundle` looks at. */
export const SNIFF_BYTES = 1024 * 1024;

export type BundleInput = Uint8Array | ArrayBuffer | string;

const MIB = 1024 * 1024;
const fmtMiB = (n: number) => `${(n / MIB).toFixed(1)} MiB`;

function checkLimits(limits: Partial<ParseLimits> | undefined): ParseLimits {
  const l = { ...DEFAULT_LIMITS, ...limits };
  if (!Number.isSafeInteger(l.maxBytes) || l.maxBytes <= 0) throw new RangeError(`limits.maxBytes: expected a positive integer, got ${l.maxBytes}`);
  if (!Number.isSafeInteger(l.maxEntries) || l.maxEntries <= 0) throw new RangeError(`limits.maxEntries: expected a positive integer, got ${l.maxEntries}`);
  return l;
}

function tooLargeBytes(size: number, max: number): FhirError {
  return new FhirError('too-large', 'fhir.error.tooLarge', `The file is ${fmtMiB(size)}; the limit for a FHIR bundle is ${fmtMiB(max)}.`, { size: fmtMiB(size), max: fmtMiB(max) });
}

function decodeText(input: BundleInput, maxBytes: number): string {
  if (typeof input === 'string') {
    // Each UTF-16 unit is one to three UTF-8 bytes: more units than maxBytes
    // is certainly over (reported as that lower bound); measure only when
    // the string might be.
    if (input.length > maxBytes) throw tooLargeBytes(input.length, maxBytes);
    if (input.length * 3 > maxBytes) {
      const n = new TextEncoder().encode(input).length;
      if (n > maxBytes) throw tooLargeBytes(n, maxBytes);
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
  if (!bytes) throw new TypeError('input: expected a Uint8Array, an ArrayBuffer or a string');
  if (bytes.length > maxBytes) throw tooLargeBytes(bytes.length, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FhirError('not-json', 'fhir.error.notText', 'The file is not text (not UTF-8), so it cannot be a FHIR JSON bundle.');
  }
}

/** "entry[3].resource.code.text: <problem>" */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('').replace(/^\./, '');
  return `${path || '(root)'}: ${issue.message}`;
}

/**
 * Parses and checks a FHIR R4 Bundle (JSON). Returns the parsed object itself,
 * typed; it is not copied or changed.
 * @param input the file's bytes, or its text
 * @param limits overrides of DEFAULT_LIMITS (20 MiB, 20,000 entries)
 * @throws FhirError kind 'too-large' | 'not-json' | 'not-fhir' | 'invalid'
 * @throws TypeError / RangeError when called with a wrong argument type or limit
 */
export function parseBundle(input: BundleInput, limits?: Partial<ParseLimits>): Bundle {
  const lim = checkLimits(limits);
  const text = decodeText(input, lim.maxBytes);

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new FhirError('not-json', 'fhir.error.notJson', `The file is not JSON (${detail}).`, { detail });
  }

  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FhirError('not-fhir', 'fhir.error.notFhir', 'The file is JSON but not a FHIR resource: a FHIR bundle is a JSON object with "resourceType": "Bundle".');
  }
  const rt = (json as { resourceType?: unknown }).resourceType;
  if (rt !== 'Bundle') {
    if (typeof rt === 'string' && rt) {
      throw new FhirError('not-fhir', 'fhir.error.notBundle', `The file is a single FHIR ${rt}, not a Bundle: export the whole record as a Bundle.`, { resourceType: rt });
    }
    throw new FhirError('not-fhir', 'fhir.error.notFhir', 'The file is JSON but not a FHIR resource: a FHIR bundle is a JSON object with "resourceType": "Bundle".');
  }

  const entries = (json as { entry?: unknown }).entry;
  if (Array.isArray(entries) && entries.length > lim.maxEntries) {
    throw new FhirError('too-large', 'fhir.error.tooManyEntries', `The bundle has ${entries.length} entries; the limit is ${lim.maxEntries}.`, { count: entries.length, max: lim.maxEntries });
  }

  const env = v.safeParse(BundleSchema, json);
  if (!env.success) {
    const problem = describeIssue(env.issues[0]);
    throw new FhirError('invalid', 'fhir.error.invalidBundle', `The FHIR bundle is malformed: ${problem}.`, { problem });
  }

  const problems: string[] = [];
  const list = env.output.entry ?? [];
  for (let i = 0; i < list.length && problems.length < MAX_ISSUES; i++) {
    const entry = list[i];
    const resource = entry.resource;
    if (!resource) {
      if (!entry.request && !entry.response) problems.push(`entry[${i}]: no resource, request or response`);
      continue;
    }
    const schema = (RESOURCE_SCHEMAS as Record<string, v.GenericSchema>)[resource.resourceType] ?? AnyResourceSchema;
    const res = v.safeParse(schema, resource);
    if (!res.success) problems.push(`entry[${i}] (${resource.resourceType}) ${describeIssue(res.issues[0])}`);
  }
  if (problems.length) {
    const problem = problems.join('; ');
    throw new FhirError('invalid', 'fhir.error.invalidResource', `The FHIR bundle has resources we cannot read: ${problem}.`, { problem, count: problems.length });
  }
  // The schemas have no transforms, so the checked input is the output.
  return json as Bundle;
}

/**
 * Whether the input looks like a FHIR Bundle in JSON: an object whose
 * top-level "resourceType" is "Bundle", found within the first SNIFF_BYTES.
 * Scans strings and nesting depth, so a nested resource's resourceType does
 * not count. Never throws; false for anything unreadable.
 */
export function isFhirBundle(input: BundleInput): boolean {
  let text: string;
  try {
    if (typeof input === 'string') text = input.slice(0, SNIFF_BYTES);
    else {
      const bytes = input instanceof Uint8Array ? input : input instanceof ArrayBuffer ? new Uint8Array(input) : undefined;
      if (!bytes) return false;
      // Not fatal: the cut may split a multi-byte character at the end.
      text = new TextDecoder('utf-8').decode(bytes.subarray(0, SNIFF_BYTES));
    }
  } catch {
    return false;
  }
  return topLevelResourceType(text) === 'Bundle';
}

/** The value of the top-level "resourceType" key of a (possibly cut) JSON object. */
function topLevelResourceType(text: string): string | undefined {
  let i = 0;
  const n = text.length;
  while (i < n && (text[i] === '\ufeff' || text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  if (text[i] !== '{') return undefined;
  let depth = 0;
  let expectKey = false; // at depth 1, the next string is a key
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        const key = text.slice(i + 1, end);
        let j = end + 1;
        while (j < n && /\s/.test(text[j])) j++;
        if (text[j] !== ':') return undefined;
        if (key === 'resourceType') {
          j++;
          while (j < n && /\s/.test(text[j])) j++;
          if (text[j] !== '"') return undefined;
          const vEnd = endOfString(text, j);
          return vEnd < 0 ? undefined : text.slice(j + 1, vEnd);
        }
        expectKey = false;
        i = j + 1;
        continue;
      }
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth <= 0) return undefined;
    } else if (c === ',' && depth === 1) expectKey = true;
    i++;
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `start`, or -1. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  return -1;
}
