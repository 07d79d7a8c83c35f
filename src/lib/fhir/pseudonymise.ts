/**
 * Pseudonymisation of a one-patient FHIR Bundle before it leaves the patient's
 * hands: the Patient resource keeps only what research and care need without
 * the person (gender, birth year, race/ethnicity/birth sex, clinical links),
 * takes the pseudonym as its only identifier and an id derived from it, and
 * free text elsewhere that names or identifies the patient is replaced by the
 * pseudonym where that is cheap to find. docs/fhir.md lists every rule.
 *
 * Rules, in order:
 *  1. Patient: an allowlist. Kept: resourceType, active, gender, birthDate
 *     (year only), deceasedBoolean, deceasedDateTime (year only),
 *     managingOrganization, generalPractitioner, meta.profile, and extensions
 *     in KEPT_PATIENT_EXTENSIONS. Replaced: id (a UUID from SHA-256 of the
 *     pseudonym), identifier ([{ system: PSEUDONYM_SYSTEM, value: pseudonym }]).
 *     Everything else is removed (name, telecom, address, photo, contact,
 *     communication, maritalStatus, multipleBirth[x], link, text, contained,
 *     other extensions such as mothersMaidenName and birthPlace, ...).
 *  2. References to the Patient (urn:uuid:<id>, Patient/<id>, absolute URLs,
 *     versioned) point at the new id; the Patient entry's fullUrl and
 *     request.url follow, and its conditional headers (ifNoneExist, ...) go.
 *     A Reference to the Patient gets the pseudonym as `display`, and a
 *     logical reference by one of its identifiers gets the pseudonym identifier.
 *  3. Everywhere else (other resources, contained ones, Bundle.link), in
 *     every string that is not a code (Coding system/code/display/version/
 *     unit, CodeableConcept.text, Extension.url, resourceType):
 *     - these become the pseudonym: the patient's and contacts' names (whole
 *       words, case-insensitive; "given family", "family, given" and
 *       "familygiven" forms; Han, kana and Hangul names as substrings of 2+
 *       characters), the mother's maiden name, and identifier values, telecom
 *       values and street lines (whole tokens of 6+ characters, or 4+ with a
 *       non-digit);
 *     - the old id becomes the new one: as a substring when it has 8+
 *       characters, else where it is the whole string or a `Patient/<id>`
 *       segment of a URL.
 *  4. RelatedPerson and Person resources (and a Patient contained in another
 *     resource) lose name, telecom, address, photo, identifier,
 *     communication and text; Coverage loses identifier and subscriberId.
 *
 * Not handled (documented limits): dates of care (they are clinical data),
 * practitioners' and organisations' names and addresses, the city, state and
 * postal code of the patient's address where they occur elsewhere, identity
 * written in other forms (a phone number with other separators, a nickname),
 * and attachments (Binary, DocumentReference content) which are kept as-is.
 *
 * Deterministic (same input and pseudonym → same output), pure (the input is
 * not changed: the work is on a structuredClone).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { indexBundle } from './bundle';
import { FhirError } from './errors';
import type { Bundle, BundleEntry, Patient } from './schema';
import { PSEUDONYM_SYSTEM } from './timeline';

/** Patient extensions kept: low-entropy demographics with clinical use. */
export const KEPT_PATIENT_EXTENSIONS: readonly string[] = [
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex',
  'http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity',
  'http://hl7.org/fhir/StructureDefinition/patient-genderIdentity'
];

const KEPT_PATIENT_FIELDS = new Set(['resourceType', 'id', 'meta', 'identifier', 'active', 'gender', 'birthDate', 'deceasedBoolean', 'deceasedDateTime', 'managingOrganization', 'generalPractitioner', 'extension']);
const PERSON_FIELDS = ['name', 'telecom', 'address', 'photo', 'identifier', 'communication', 'contact', 'text'];
const CODING_FIELDS = new Set(['system', 'code', 'display', 'version', 'unit']);
const MAX_PSEUDONYM = 256;

export interface PseudonymiseResult {
  bundle: Bundle;
  /** What was removed or replaced, one line each, in bundle order ("Patient.name", "Encounter/x: subject.display"). */
  removed: string[];
}

/** The Patient id a pseudonym gets: a UUID (version 8) from SHA-256 of the pseudonym. */
export function pseudonymPatientId(pseudonym: string): string {
  const h = sha256(utf8ToBytes(`medchain/fhir/patient-id\u0000${pseudonym}`)).slice(0, 16);
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = bytesToHex(h);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const EAST_ASIAN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Names and literal strings that identify the patient, from the original Patient. */
function identityTokens(p: Patient): RegExp | undefined {
  const names = new Set<string>();
  const literals = new Set<string>();
  const addName = (s: string | undefined) => {
    const t = s?.trim();
    if (!t) return;
    names.add(t);
    for (const w of t.split(/[\s,]+/)) if (w.length >= 3) names.add(w);
  };
  const addHumanName = (n: unknown) => {
    if (!isObj(n)) return;
    const given = Array.isArray(n.given) ? n.given.filter((g): g is string => typeof g === 'string') : [];
    const family = typeof n.family === 'string' ? n.family : '';
    addName(typeof n.text === 'string' ? n.text : undefined);
    addName(family);
    given.forEach(addName);
    if (given.length && family) {
      for (const g of [given.join(' '), ...given]) {
        addName(`${g} ${family}`);
        addName(`${family}, ${g}`);
        addName(`${family} ${g}`);
      }
      names.add(`${family}${given.join('')}`);
    }
  };
  // Short all-digit values would hit years and doses, so they are not searched for.
  const addLiteral = (s: unknown) => {
    const t = typeof s === 'string' ? s.trim() : '';
    if (t.length >= 6 || (t.length >= 4 && /\D/.test(t))) literals.add(t);
  };
  const addContacts = (telecom: unknown, address: unknown) => {
    if (Array.isArray(telecom)) for (const t of telecom) if (isObj(t)) addLiteral(t.value);
    for (const a of Array.isArray(address) ? address : [address]) {
      if (!isObj(a)) continue;
      addLiteral(a.text);
      if (Array.isArray(a.line)) a.line.forEach(addLiteral);
    }
  };
  (p.name ?? []).forEach(addHumanName);
  (p.identifier ?? []).forEach((i) => addLiteral(i.value));
  addContacts(p.telecom, p.address);
  for (const c of Array.isArray(p.contact) ? p.contact : []) {
    if (!isObj(c)) continue;
    addHumanName(c.name);
    addContacts(c.telecom, c.address);
  }
  for (const e of p.extension ?? []) if (/mothersMaidenName$/.test(e.url) && typeof e.valueString === 'string') addName(e.valueString);

  const wordy: string[] = [];
  const substr: string[] = [];
  for (const n of names) {
    if (EAST_ASIAN.test(n)) {
      if ([...n].length >= 2) substr.push(n);
    } else if (n.length >= 2) wordy.push(n);
  }
  wordy.push(...literals);
  const alt = (xs: string[]) => [...new Set(xs)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(escapeRe).join('|');
  const parts: string[] = [];
  if (wordy.length) parts.push(`(?<![\\p{L}\\p{N}])(?:${alt(wordy)})(?![\\p{L}\\p{N}])`);
  if (substr.length) parts.push(`(?:${alt(substr)})`);
  return parts.length ? new RegExp(parts.join('|'), 'giu') : undefined;
}

interface Ctx {
  pseudonym: string;
  oldId: string;
  newId: string;
  oldFullUrl?: string;
  /** "Patient/<oldId>" as a path segment of a URL or reference. */
  idInPath: RegExp;
  identifierValues: Set<string>;
  tokens?: RegExp;
  /** Two or more pseudonyms separated only by spaces, commas, periods or initials. */
  runs: RegExp;
  refCount: number;
  removed: string[];
}

function isPatientRef(ctx: Ctx, s: string): boolean {
  if (s === ctx.oldFullUrl || s === `urn:uuid:${ctx.oldId}`) return true;
  const i = s.lastIndexOf(`Patient/${ctx.oldId}`);
  if (i < 0 || (i > 0 && s[i - 1] !== '/')) return false;
  const rest = s.slice(i + 8 + ctx.oldId.length);
  return rest === '' || rest.startsWith('/_history/');
}

function rewriteRef(ctx: Ctx, s: string): string {
  if (s.startsWith('urn:uuid:')) return `urn:uuid:${ctx.newId}`;
  if (s === ctx.oldFullUrl && !s.includes(`Patient/${ctx.oldId}`)) return `urn:uuid:${ctx.newId}`;
  const i = s.lastIndexOf(`Patient/${ctx.oldId}`);
  return `${s.slice(0, i)}Patient/${ctx.newId}`;
}

/** The old id replaced by the new one: as a substring when long enough to be unambiguous. */
function replaceId(ctx: Ctx, s: string): string {
  if (ctx.oldId.length >= 8) return s.includes(ctx.oldId) ? s.split(ctx.oldId).join(ctx.newId) : s;
  if (s === ctx.oldId) return ctx.newId;
  return s.includes(`Patient/${ctx.oldId}`) ? s.replace(ctx.idInPath, `$1Patient/${ctx.newId}`) : s;
}

/** Identity tokens become the pseudonym; a run of them ("Ada R. Quill") becomes one. */
function replaceTokens(ctx: Ctx, s: string): string {
  if (!ctx.tokens) return s;
  const out = s.replace(ctx.tokens, () => ctx.pseudonym);
  return out === s ? s : out.replace(ctx.runs, () => ctx.pseudonym);
}

function drop(node: Json, keys: readonly string[], where: string, ctx: Ctx): void {
  for (const k of keys) {
    if (k in node) {
      delete node[k];
      ctx.removed.push(`${where}: ${k}`);
    }
  }
}

/** Walks a resource in place; `where` names it in the removed list. */
function walkResource(r: Json, where: string, ctx: Ctx, contained: boolean): void {
  const rt = r.resourceType;
  if (rt === 'RelatedPerson' || rt === 'Person' || (rt === 'Patient' && contained)) drop(r, PERSON_FIELDS, where, ctx);
  if (rt === 'Coverage') drop(r, ['identifier', 'subscriberId'], where, ctx);
  walkObject(r, where, '', ctx);
}

function walk(node: unknown, where: string, path: string, ctx: Ctx): void {
  if (Array.isArray(node)) node.forEach((x, i) => walk(x, where, `${path}[${i}]`, ctx));
  else if (isObj(node)) {
    if (typeof node.resourceType === 'string') walkResource(node, `${where} ${path}`, ctx, true);
    else walkObject(node, where, path, ctx);
  }
}

/** Rules 2 and 3 on one object (not a resource boundary) and below. */
function walkObject(node: Json, where: string, path: string, ctx: Ctx): void {
  const at = (k: string) => (path ? `${path}.${k}` : k);

  // A Reference to the patient, literal or logical (by identifier).
  if (typeof node.reference === 'string' && isPatientRef(ctx, node.reference)) {
    node.reference = rewriteRef(ctx, node.reference);
    ctx.refCount++;
    if (typeof node.display === 'string' && node.display !== ctx.pseudonym) {
      node.display = ctx.pseudonym;
      ctx.removed.push(`${where}: ${at('display')}`);
    }
  }
  if (isObj(node.identifier) && typeof node.identifier.value === 'string' && ctx.identifierValues.has(node.identifier.value)) {
    node.identifier = { system: PSEUDONYM_SYSTEM, value: ctx.pseudonym };
    ctx.removed.push(`${where}: ${at('identifier')}`);
  }

  // Codes are not free text: a Coding's fields, a CodeableConcept's text, an Extension's url.
  const coding = typeof node.system === 'string' || typeof node.code === 'string';
  const concept = Array.isArray(node.coding);
  const extension = typeof node.url === 'string' && Object.keys(node).some((k) => k.startsWith('value') || k === 'extension');
  for (const [k, v] of Object.entries(node)) {
    if (typeof v !== 'string') {
      walk(v, where, at(k), ctx);
      continue;
    }
    if (k === 'resourceType' || (coding && CODING_FIELDS.has(k)) || (concept && k === 'text') || (extension && k === 'url')) continue;
    scrubField(node, k, where, at(k), ctx);
  }
}

/** Rule 3 on the string node[k]; listed in `removed` when identity (not only the id) was replaced. */
function scrubField(node: Json, k: string, where: string, path: string, ctx: Ctx): void {
  const v = node[k] as string;
  const moved = replaceId(ctx, v);
  const clean = replaceTokens(ctx, moved);
  if (clean !== v) node[k] = clean;
  if (clean !== moved) ctx.removed.push(`${where}: ${path}`);
}

function newPatient(old: Patient, ctx: Ctx): Patient {
  const p: Patient = { resourceType: 'Patient', id: ctx.newId };
  const removed = (what: string) => ctx.removed.push(`Patient.${what}`);
  for (const key of Object.keys(old)) if (!KEPT_PATIENT_FIELDS.has(key)) removed(key);
  if (isObj(old.meta)) {
    const profile = old.meta.profile;
    if (Array.isArray(profile)) p.meta = { profile: structuredClone(profile) };
    if (Object.keys(old.meta).some((k) => k !== 'profile')) removed('meta (all but profile)');
  }
  p.identifier = [{ system: PSEUDONYM_SYSTEM, value: ctx.pseudonym }];
  if (old.identifier?.length) removed(`identifier (${old.identifier.length})`);
  if (typeof old.active === 'boolean') p.active = old.active;
  if (old.gender !== undefined) p.gender = old.gender;
  if (old.birthDate) {
    p.birthDate = old.birthDate.slice(0, 4);
    if (old.birthDate.length > 4) removed('birthDate (month and day)');
  }
  if (typeof old.deceasedBoolean === 'boolean') p.deceasedBoolean = old.deceasedBoolean;
  if (old.deceasedDateTime) {
    p.deceasedDateTime = old.deceasedDateTime.slice(0, 4);
    if (old.deceasedDateTime.length > 4) removed('deceasedDateTime (all but the year)');
  }
  for (const k of ['managingOrganization', 'generalPractitioner'] as const) if (old[k] !== undefined) p[k] = structuredClone(old[k]);
  const kept = (old.extension ?? []).filter((e) => KEPT_PATIENT_EXTENSIONS.includes(e.url));
  for (const e of old.extension ?? []) if (!KEPT_PATIENT_EXTENSIONS.includes(e.url)) removed(`extension(${e.url})`);
  if (kept.length) p.extension = structuredClone(kept);
  return p;
}

/**
 * Replaces the patient's identity in a one-patient bundle by `pseudonym`.
 * @param bundle a bundle from parseBundle, with exactly one Patient resource
 * @param pseudonym the pseudonym (1–256 characters, not blank)
 * @returns a new bundle and the list of what was removed or replaced
 * @throws FhirError kind 'invalid' (messageKey fhir.error.patientCount) when the bundle has no Patient or several
 * @throws TypeError / RangeError for a wrong argument
 */
export function pseudonymise(bundle: Bundle, pseudonym: string): PseudonymiseResult {
  if (!isObj(bundle) || bundle.resourceType !== 'Bundle') throw new TypeError('bundle: expected a parsed FHIR Bundle');
  if (typeof pseudonym !== 'string') throw new TypeError('pseudonym: expected a string');
  if (!pseudonym.trim() || pseudonym.length > MAX_PSEUDONYM) throw new RangeError(`pseudonym: expected 1 to ${MAX_PSEUDONYM} characters, not blank`);

  const out = structuredClone(bundle);
  const patients = indexBundle(out).patients;
  if (patients.length !== 1) {
    throw new FhirError('invalid', 'fhir.error.patientCount', `The bundle must hold exactly one Patient to be pseudonymised; it holds ${patients.length}.`, { count: patients.length });
  }
  const pi = patients[0];
  const old = pi.resource;
  const ctx: Ctx = {
    pseudonym,
    oldId: pi.id,
    newId: pseudonymPatientId(pseudonym),
    oldFullUrl: pi.fullUrl,
    idInPath: new RegExp(`(^|/)Patient/${escapeRe(pi.id)}(?=$|[/?#])`, 'g'),
    identifierValues: new Set((old.identifier ?? []).map((i) => i.value).filter((x): x is string => !!x)),
    tokens: identityTokens(old),
    runs: new RegExp(`${escapeRe(pseudonym)}(?:(?:[\\s,.]|\\b\\p{Lu}\\.)+${escapeRe(pseudonym)})+`, 'gu'),
    refCount: 0,
    removed: []
  };

  const entries = out.entry as BundleEntry[];
  const pEntry = entries[pi.index];
  pEntry.resource = newPatient(old, ctx);
  if (pEntry.fullUrl !== undefined) pEntry.fullUrl = isPatientRef(ctx, pEntry.fullUrl) ? rewriteRef(ctx, pEntry.fullUrl) : `urn:uuid:${ctx.newId}`;
  if (pEntry.request) {
    const { method, url } = pEntry.request;
    if (Object.keys(pEntry.request).some((k) => k !== 'method' && k !== 'url')) ctx.removed.push('Patient entry: request (conditional headers)');
    pEntry.request = { ...(method !== undefined && { method }), ...(url !== undefined && { url: url.startsWith('Patient/') ? `Patient/${ctx.newId}` : url }) };
  }
  for (const k of Object.keys(pEntry)) if (k !== 'fullUrl' && k !== 'resource' && k !== 'request') walk(pEntry[k], 'Patient entry', k, ctx);

  entries.forEach((e, i) => {
    if (i === pi.index) return;
    const r = e.resource;
    const where = r ? `${r.resourceType}/${typeof r.id === 'string' ? replaceId(ctx, r.id) : `entry-${i}`}` : `entry[${i}]`;
    for (const k of Object.keys(e)) {
      if (k === 'resource' && isObj(r)) walkResource(r, where, ctx, false);
      else if (typeof e[k] === 'string') scrubField(e, k, where, k, ctx);
      else walk(e[k], where, k, ctx);
    }
  });
  const top: Json = out;
  for (const k of Object.keys(top)) {
    if (k === 'entry' || k === 'resourceType' || k === 'type') continue;
    if (typeof top[k] === 'string') scrubField(top, k, 'Bundle', k, ctx);
    else walk(top[k], 'Bundle', k, ctx);
  }

  ctx.removed.unshift(`Patient.id (replaced; ${ctx.refCount} references to the patient rewritten)`);
  return { bundle: out, removed: ctx.removed };
}
