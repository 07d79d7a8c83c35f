/**
 * Walking a parsed Bundle: its resources, references between them, and the
 * few FHIR datatypes that every reader needs (a CodeableConcept's text, a
 * date's instant).
 *
 * References are resolved the ways bundles write them: `urn:uuid:...` (a
 * transaction, as Synthea writes) matched against `entry.fullUrl`,
 * `Type/id` (relative), and an absolute URL ending in `Type/id`.
 */
import type { Bundle, CodeableConcept, Patient, Reference, Resource } from './schema';

export interface IndexedResource {
  resource: Resource;
  /** The resource's logical id: `id`, else the tail of `fullUrl`, else `entry-<index>`. */
  id: string;
  /** "Type/id", unique in the bundle. */
  ref: string;
  fullUrl?: string;
  index: number;
}

export interface BundleIndex {
  all: IndexedResource[];
  /** Resolves a Reference.reference string to the resource it names, if in the bundle. */
  resolve(reference: string | undefined): IndexedResource | undefined;
  patients: Array<IndexedResource & { resource: Patient }>;
}

/** The logical id a resource in entry `index` goes by. */
export function logicalId(resource: Resource, fullUrl: string | undefined, index: number): string {
  if (resource.id) return resource.id;
  if (fullUrl) {
    const tail = fullUrl.startsWith('urn:uuid:') ? fullUrl.slice(9) : fullUrl.slice(fullUrl.lastIndexOf('/') + 1);
    if (tail) return tail;
  }
  return `entry-${index}`;
}

/** Builds lookup tables over the bundle's resources (one pass; no copies). */
export function indexBundle(bundle: Bundle): BundleIndex {
  const all: IndexedResource[] = [];
  const byKey = new Map<string, IndexedResource>();
  const patients: BundleIndex['patients'] = [];
  (bundle.entry ?? []).forEach((e, index) => {
    const resource = e.resource;
    if (!resource) return;
    const id = logicalId(resource, e.fullUrl, index);
    const item: IndexedResource = { resource, id, ref: `${resource.resourceType}/${id}`, fullUrl: e.fullUrl, index };
    all.push(item);
    if (!byKey.has(item.ref)) byKey.set(item.ref, item);
    if (e.fullUrl && !byKey.has(e.fullUrl)) byKey.set(e.fullUrl, item);
    if (resource.resourceType === 'Patient') patients.push(item as IndexedResource & { resource: Patient });
  });
  function resolve(reference: string | undefined): IndexedResource | undefined {
    if (!reference) return undefined;
    const direct = byKey.get(reference);
    if (direct) return direct;
    // An absolute URL or a versioned reference: keep the last Type/id pair.
    const m = /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(reference);
    return m ? byKey.get(`${m[1]}/${m[2]}`) : undefined;
  }
  return { all, resolve, patients };
}

/** The id a reference names, whether or not the target is in the bundle ("Encounter/x" → "x"). */
export function referencedId(index: BundleIndex, ref: Reference | undefined): string | undefined {
  const r = ref?.reference;
  if (!r) return undefined;
  const hit = index.resolve(r);
  if (hit) return hit.id;
  if (r.startsWith('urn:uuid:')) return r.slice(9);
  const m = /\/([A-Za-z0-9\-.]{1,64})$/.exec(r);
  return m ? m[1] : undefined;
}

/** What a person reads for a code: its text, else the first coding's display, else its code. */
export function conceptText(cc: CodeableConcept | undefined): string | undefined {
  if (!cc) return undefined;
  if (cc.text?.trim()) return cc.text.trim();
  for (const c of cc.coding ?? []) if (c.display?.trim()) return c.display.trim();
  for (const c of cc.coding ?? []) if (c.code) return c.code;
  return undefined;
}

/** The first coding's code, e.g. a Condition.clinicalStatus ("active"). */
export function conceptCode(cc: CodeableConcept | undefined): string | undefined {
  return cc?.coding?.find((c) => c.code)?.code ?? cc?.text;
}

/**
 * Milliseconds since the epoch for a FHIR date/dateTime, or NaN.
 * Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) are taken as UTC midnight of
 * their first day; a date-time without a zone is taken as UTC.
 */
export function instant(date: string | undefined | null): number {
  if (!date) return NaN;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(date);
  if (m) return Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1);
  const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(date) ? date : `${date}Z`;
  return Date.parse(zoned);
}
