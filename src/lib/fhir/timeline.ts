/**
 * The timeline model: a flat, dated list of what happened to the patient,
 * built from a parsed Bundle, and a short summary of who the record is about.
 *
 * | kind         | resource           | date (first present)                                   | title                                   | detail                        | end               | status                 |
 * | ------------ | ------------------ | ------------------------------------------------------ | --------------------------------------- | ----------------------------- | ----------------- | ---------------------- |
 * | encounter    | Encounter          | period.start                                           | type[0], else class.display/code        | reasonCode[0]                 | period.end        | status                 |
 * | condition    | Condition          | onsetDateTime, onsetPeriod.start, recordedDate         | code                                    | —                             | abatementDateTime | clinicalStatus code    |
 * | observation  | Observation        | effectiveDateTime, effectivePeriod.start, effectiveInstant, issued | code                        | value / BP / components       | effectivePeriod.end | status               |
 * | medication   | MedicationRequest  | authoredOn                                             | medicationCodeableConcept, else the referenced Medication's code, else medicationReference.display | dosageInstruction[0].text | — | status |
 * | immunization | Immunization       | occurrenceDateTime, recorded                           | vaccineCode                             | —                             | —                 | status                 |
 * | procedure    | Procedure          | performedDateTime, performedPeriod.start               | code                                    | —                             | performedPeriod.end | status               |
 * | allergy      | AllergyIntolerance | onsetDateTime, recordedDate                            | code                                    | reaction manifestations       | —                 | clinicalStatus code (and `criticality`) |
 *
 * A title is a CodeableConcept's text, else its first coding's display, else
 * its code; a resource with none is titled by its resource type. Dates are
 * kept as the record wrote them (with their zone); sorting uses their instant.
 * Other resource types (Claim, CarePlan, DiagnosticReport, ...) are not on the
 * timeline.
 */
import { conceptCode, conceptText, indexBundle, instant, referencedId, type BundleIndex, type IndexedResource } from './bundle';
import { observationDetail } from './format';
import { isResource, type Bundle, type Patient, type Resource } from './schema';

export const TIMELINE_KINDS = ['encounter', 'condition', 'observation', 'medication', 'immunization', 'procedure', 'allergy'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Pseudonymised Patients carry their pseudonym as an identifier in this system. */
export const PSEUDONYM_SYSTEM = 'urn:medchain:pseudonym';

export interface TimelineEntry {
  /** "Type/id": unique in the bundle, a stable key for lists. */
  ref: string;
  kind: TimelineKind;
  /** FHIR date or dateTime as written (with its zone), or null when the resource has none. */
  date: string | null;
  /** Milliseconds since the epoch of `date` (NaN when date is null). */
  time: number;
  /** End of the period, abatement of a condition, if recorded. */
  end?: string;
  title: string;
  detail?: string;
  /** The logical id of the Encounter this happened in. */
  encounterId?: string;
  /** The resource's status (clinical status for conditions and allergies). */
  status?: string;
  /** An allergy's criticality code: low | high | unable-to-assess. */
  criticality?: string;
}

export interface PatientSummary {
  /** The pseudonym if the Patient carries one, else the name, else null. */
  pseudonymOrName: string | null;
  /** Whether pseudonymOrName is a pseudonym. */
  pseudonymous: boolean;
  gender: string | null;
  birthYear: number | null;
  counts: Record<TimelineKind, number>;
  /** The oldest and newest dated timeline entries. */
  first: string | null;
  last: string | null;
}

const KIND_ORDER: Record<TimelineKind, number> = { encounter: 0, condition: 1, allergy: 2, procedure: 3, medication: 4, immunization: 5, observation: 6 };

function firstDate(...dates: Array<string | undefined>): string | null {
  for (const d of dates) if (d) return d;
  return null;
}

function entryFor(index: BundleIndex, item: IndexedResource): TimelineEntry | undefined {
  const r: Resource = item.resource;
  const make = (kind: TimelineKind, date: string | null, title: string | undefined, rest: Partial<TimelineEntry>): TimelineEntry => {
    const e: TimelineEntry = { ref: item.ref, kind, date, time: instant(date), title: title ?? r.resourceType };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== '') (e as unknown as Record<string, unknown>)[k] = v;
    return e;
  };
  if (isResource(r, 'Encounter')) {
    return make('encounter', firstDate(r.period?.start), conceptText(r.type?.[0]) ?? r.class?.display ?? r.class?.code, {
      detail: conceptText(r.reasonCode?.[0]),
      end: r.period?.end,
      status: r.status
    });
  }
  if (isResource(r, 'Condition')) {
    return make('condition', firstDate(r.onsetDateTime, r.onsetPeriod?.start, r.recordedDate), conceptText(r.code), {
      end: r.abatementDateTime,
      status: conceptCode(r.clinicalStatus),
      encounterId: referencedId(index, r.encounter)
    });
  }
  if (isResource(r, 'Observation')) {
    return make('observation', firstDate(r.effectiveDateTime, r.effectivePeriod?.start, r.effectiveInstant, r.issued), conceptText(r.code), {
      detail: observationDetail(r),
      end: r.effectivePeriod?.end,
      status: r.status,
      encounterId: referencedId(index, r.encounter)
    });
  }
  if (isResource(r, 'MedicationRequest')) {
    const med = index.resolve(r.medicationReference?.reference)?.resource;
    const title = conceptText(r.medicationCodeableConcept) ?? (isResource(med, 'Medication') ? conceptText(med.code) : undefined) ?? r.medicationReference?.display;
    return make('medication', firstDate(r.authoredOn), title, {
      detail: r.dosageInstruction?.find((d) => d.text)?.text,
      status: r.status,
      encounterId: referencedId(index, r.encounter)
    });
  }
  if (isResource(r, 'Immunization')) {
    return make('immunization', firstDate(r.occurrenceDateTime, r.recorded), conceptText(r.vaccineCode), {
      status: r.status,
      encounterId: referencedId(index, r.encounter)
    });
  }
  if (isResource(r, 'Procedure')) {
    return make('procedure', firstDate(r.performedDateTime, r.performedPeriod?.start), conceptText(r.code), {
      end: r.performedPeriod?.end,
      status: r.status,
      encounterId: referencedId(index, r.encounter)
    });
  }
  if (isResource(r, 'AllergyIntolerance')) {
    const reactions = (r.reaction ?? []).flatMap((x) => (x.manifestation ?? []).map(conceptText)).filter((t): t is string => !!t);
    return make('allergy', firstDate(r.onsetDateTime, r.recordedDate), conceptText(r.code), {
      detail: [...new Set(reactions)].join(', '),
      criticality: r.criticality,
      status: conceptCode(r.clinicalStatus),
      encounterId: referencedId(index, r.encounter)
    });
  }
  return undefined;
}

/**
 * Orders newest first; undated entries last; on equal instants an encounter
 * comes before what happened in it, then by kind, title and ref, so the
 * order is total and the same on every run.
 */
export function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  const ta = Number.isNaN(a.time) ? -Infinity : a.time;
  const tb = Number.isNaN(b.time) ? -Infinity : b.time;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
}

/**
 * The bundle's encounters, conditions, observations, medication requests,
 * immunizations, procedures and allergies as timeline entries, newest first.
 * Reads only; the bundle is not changed.
 */
export function timeline(bundle: Bundle): TimelineEntry[] {
  const index = indexBundle(bundle);
  const out: TimelineEntry[] = [];
  for (const item of index.all) {
    const e = entryFor(index, item);
    if (e) out.push(e);
  }
  return out.sort(compareEntries);
}

function nameOf(p: Patient): string | null {
  const names = p.name ?? [];
  const n = names.find((x) => (x as { use?: unknown }).use === 'official') ?? names[0];
  if (!n) return null;
  if (n.text?.trim()) return n.text.trim();
  const full = [...(n.given ?? []), n.family ?? ''].join(' ').trim();
  return full || null;
}

/**
 * Who the record is about and how much it holds. With several Patients
 * (a search result), the first one is summarised.
 * @param entries the bundle's timeline if already computed (saves a pass)
 */
export function patientSummary(bundle: Bundle, entries: TimelineEntry[] = timeline(bundle)): PatientSummary {
  const counts = Object.fromEntries(TIMELINE_KINDS.map((k) => [k, 0])) as Record<TimelineKind, number>;
  for (const e of entries) counts[e.kind]++;
  const dated = entries.filter((e) => e.date !== null);
  const patient = indexBundle(bundle).patients[0]?.resource;
  const pseudonym = patient?.identifier?.find((i) => i.system === PSEUDONYM_SYSTEM)?.value;
  const year = patient?.birthDate ? Number(patient.birthDate.slice(0, 4)) : NaN;
  return {
    pseudonymOrName: pseudonym ?? (patient ? nameOf(patient) : null),
    pseudonymous: pseudonym !== undefined,
    gender: patient?.gender ?? null,
    birthYear: Number.isInteger(year) ? year : null,
    counts,
    first: dated.length ? dated[dated.length - 1].date : null,
    last: dated.length ? dated[0].date : null
  };
}
