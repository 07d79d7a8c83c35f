/**
 * FHIR R4 records: reading a Bundle from a file, replacing the patient's
 * identity by a pseudonym, and the timeline and summary the patient,
 * hospital and data-user pages show. Pure functions over JSON; no UI, no
 * network, no storage. See docs/fhir.md.
 *
 *   parseBundle(bytes | text, limits?) → Bundle        throws FhirError
 *   isFhirBundle(bytes | text) → boolean               cheap sniff
 *   pseudonymise(bundle, pseudonym) → { bundle, removed }
 *   timeline(bundle) → TimelineEntry[]                 newest first
 *   patientSummary(bundle, entries?) → PatientSummary
 *   groupTimeline(entries, { kinds, query }) → { groups, shown }
 */
export { FhirError, isFhirError, type FhirErrorKind, type FhirErrorParams } from './errors';
export { DEFAULT_LIMITS, MAX_ISSUES, SNIFF_BYTES, isFhirBundle, parseBundle, type BundleInput, type ParseLimits } from './parse';
export { KEPT_PATIENT_EXTENSIONS, pseudonymPatientId, pseudonymise, type PseudonymiseResult } from './pseudonymise';
export { PSEUDONYM_SYSTEM, TIMELINE_KINDS, compareEntries, patientSummary, timeline, type PatientSummary, type TimelineEntry, type TimelineKind } from './timeline';
export { groupTimeline, type GroupedTimeline, type TimelineFilter, type TimelineGroup } from './groups';
export { displayUnit, formatNumber, formatQuantity, formatValue, observationDetail } from './format';
export { conceptText, indexBundle, instant, type BundleIndex, type IndexedResource } from './bundle';
export {
  BUNDLE_TYPES,
  isResource,
  type Bundle,
  type BundleEntry,
  type BundleType,
  type CodeableConcept,
  type Condition,
  type Encounter,
  type Immunization,
  type MedicationRequest,
  type Observation,
  type Patient,
  type Procedure,
  type Resource
} from './schema';
