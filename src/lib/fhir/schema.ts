/**
 * Schemas (valibot) for the parts of FHIR R4 that MedChain reads, and the
 * TypeScript types inferred from them.
 *
 * Only the fields that the timeline, the summary and pseudonymisation read are
 * described; every object is a `looseObject`, so unknown fields (and all the
 * fields we do not read: `meta`, `text`, `category`, billing, ...) pass
 * untouched. Every described field is optional unless FHIR makes it the
 * reason the element exists (`resourceType`, `Extension.url`). Shapes that
 * real exporters get wrong in fields we never read (Synthea writes
 * `Condition.category` as an object, not an array) therefore still pass.
 *
 * The schemas have no transforms and no defaults, so a value that passes is
 * its own output: `parseBundle` returns the JSON it parsed, typed, rather than
 * the copy valibot makes (halves the memory for a 20 MiB bundle).
 *
 * Dates: FHIR `date`, `dateTime` and `instant` are checked with one lenient
 * pattern (YYYY, YYYY-MM, YYYY-MM-DD, or a date-time with optional seconds,
 * fraction and zone); calendar validity is not checked.
 *
 * Spec: https://hl7.org/fhir/R4/ (Bundle, Patient, Encounter, Condition,
 * Observation, MedicationRequest, Medication, Immunization, Procedure,
 * AllergyIntolerance).
 */
import * as v from 'valibot';

/** The R4 Bundle.type value set. */
export const BUNDLE_TYPES = ['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response', 'history', 'searchset', 'collection'] as const;
export type BundleType = (typeof BUNDLE_TYPES)[number];

export const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const str = v.string();
const opt = v.optional;
const dateTime = v.pipe(v.string(), v.regex(FHIR_DATE_TIME, 'expected a FHIR date or dateTime'));

export const CodingSchema = v.looseObject({ system: opt(str), code: opt(str), display: opt(str) });
export const CodeableConceptSchema = v.looseObject({ coding: opt(v.array(CodingSchema)), text: opt(str) });
export const ReferenceSchema = v.looseObject({ reference: opt(str), display: opt(str) });
export const QuantitySchema = v.looseObject({ value: opt(v.number()), unit: opt(str), code: opt(str), system: opt(str), comparator: opt(str) });
export const PeriodSchema = v.looseObject({ start: opt(dateTime), end: opt(dateTime) });
export const HumanNameSchema = v.looseObject({ text: opt(str), family: opt(str), given: opt(v.array(str)), prefix: opt(v.array(str)), suffix: opt(v.array(str)) });
export const IdentifierSchema = v.looseObject({ system: opt(str), value: opt(str) });
export const ContactPointSchema = v.looseObject({ system: opt(str), value: opt(str) });
export const AddressSchema = v.looseObject({ text: opt(str), line: opt(v.array(str)), city: opt(str), district: opt(str), state: opt(str), postalCode: opt(str), country: opt(str) });
export const ExtensionSchema = v.looseObject({ url: str });

export type Coding = v.InferOutput<typeof CodingSchema>;
export type CodeableConcept = v.InferOutput<typeof CodeableConceptSchema>;
export type Reference = v.InferOutput<typeof ReferenceSchema>;
export type Quantity = v.InferOutput<typeof QuantitySchema>;
export type Period = v.InferOutput<typeof PeriodSchema>;
export type HumanName = v.InferOutput<typeof HumanNameSchema>;
export type Identifier = v.InferOutput<typeof IdentifierSchema>;

/** Fields every resource may have that we read. */
const base = { id: opt(str), extension: opt(v.array(ExtensionSchema)) };

/** Observation.value[x] and Observation.component.value[x], the kinds we show. */
const observationValue = {
  valueQuantity: opt(QuantitySchema),
  valueCodeableConcept: opt(CodeableConceptSchema),
  valueString: opt(str),
  valueBoolean: opt(v.boolean()),
  valueInteger: opt(v.number()),
  valueTime: opt(str),
  valueDateTime: opt(dateTime)
};

export const PatientSchema = v.looseObject({
  resourceType: v.literal('Patient'),
  ...base,
  identifier: opt(v.array(IdentifierSchema)),
  name: opt(v.array(HumanNameSchema)),
  telecom: opt(v.array(ContactPointSchema)),
  address: opt(v.array(AddressSchema)),
  gender: opt(str),
  birthDate: opt(dateTime),
  deceasedDateTime: opt(dateTime)
});

export const EncounterSchema = v.looseObject({
  resourceType: v.literal('Encounter'),
  ...base,
  status: opt(str),
  class: opt(CodingSchema),
  type: opt(v.array(CodeableConceptSchema)),
  reasonCode: opt(v.array(CodeableConceptSchema)),
  subject: opt(ReferenceSchema),
  participant: opt(v.array(v.looseObject({ individual: opt(ReferenceSchema) }))),
  period: opt(PeriodSchema)
});

export const ConditionSchema = v.looseObject({
  resourceType: v.literal('Condition'),
  ...base,
  clinicalStatus: opt(CodeableConceptSchema),
  code: opt(CodeableConceptSchema),
  subject: opt(ReferenceSchema),
  encounter: opt(ReferenceSchema),
  onsetDateTime: opt(dateTime),
  onsetPeriod: opt(PeriodSchema),
  abatementDateTime: opt(dateTime),
  recordedDate: opt(dateTime)
});

export const ObservationSchema = v.looseObject({
  resourceType: v.literal('Observation'),
  ...base,
  status: opt(str),
  code: opt(CodeableConceptSchema),
  subject: opt(ReferenceSchema),
  encounter: opt(ReferenceSchema),
  effectiveDateTime: opt(dateTime),
  effectivePeriod: opt(PeriodSchema),
  effectiveInstant: opt(dateTime),
  issued: opt(dateTime),
  ...observationValue,
  component: opt(v.array(v.looseObject({ code: opt(CodeableConceptSchema), ...observationValue })))
});

export const MedicationRequestSchema = v.looseObject({
  resourceType: v.literal('MedicationRequest'),
  ...base,
  status: opt(str),
  medicationCodeableConcept: opt(CodeableConceptSchema),
  medicationReference: opt(ReferenceSchema),
  subject: opt(ReferenceSchema),
  encounter: opt(ReferenceSchema),
  authoredOn: opt(dateTime),
  dosageInstruction: opt(v.array(v.looseObject({ text: opt(str) })))
});

export const MedicationSchema = v.looseObject({ resourceType: v.literal('Medication'), ...base, code: opt(CodeableConceptSchema) });

export const ImmunizationSchema = v.looseObject({
  resourceType: v.literal('Immunization'),
  ...base,
  status: opt(str),
  vaccineCode: opt(CodeableConceptSchema),
  patient: opt(ReferenceSchema),
  encounter: opt(ReferenceSchema),
  occurrenceDateTime: opt(dateTime),
  recorded: opt(dateTime)
});

export const ProcedureSchema = v.looseObject({
  resourceType: v.literal('Procedure'),
  ...base,
  status: opt(str),
  code: opt(CodeableConceptSchema),
  subject: opt(ReferenceSchema),
  encounter: opt(ReferenceSchema),
  performedDateTime: opt(dateTime),
  performedPeriod: opt(PeriodSchema)
});

export const AllergyIntoleranceSchema = v.looseObject({
  resourceType: v.literal('AllergyIntolerance'),
  ...base,
  clinicalStatus: opt(CodeableConceptSchema),
  code: opt(CodeableConceptSchema),
  criticality: opt(str),
  patient: opt(ReferenceSchema),
  encounter: opt(ReferenceSchema),
  onsetDateTime: opt(dateTime),
  recordedDate: opt(dateTime),
  reaction: opt(v.array(v.looseObject({ manifestation: opt(v.array(CodeableConceptSchema)) })))
});

/** Any other resource: only `resourceType` (and `id`, if present) is checked. */
export const AnyResourceSchema = v.looseObject({ resourceType: v.pipe(str, v.regex(/^[A-Z][A-Za-z]{1,63}$/, 'expected a FHIR resource type name')), id: opt(str) });

export type Patient = v.InferOutput<typeof PatientSchema>;
export type Encounter = v.InferOutput<typeof EncounterSchema>;
export type Condition = v.InferOutput<typeof ConditionSchema>;
export type Observation = v.InferOutput<typeof ObservationSchema>;
export type ObservationComponent = NonNullable<Observation['component']>[number];
export type MedicationRequest = v.InferOutput<typeof MedicationRequestSchema>;
export type Medication = v.InferOutput<typeof MedicationSchema>;
export type Immunization = v.InferOutput<typeof ImmunizationSchema>;
export type Procedure = v.InferOutput<typeof ProcedureSchema>;
export type AllergyIntolerance = v.InferOutput<typeof AllergyIntoleranceSchema>;
export type Resource = v.InferOutput<typeof AnyResourceSchema>;

/** The schema that checks a resource of each type we read; others get AnyResourceSchema. */
export const RESOURCE_SCHEMAS = {
  Patient: PatientSchema,
  Encounter: EncounterSchema,
  Condition: ConditionSchema,
  Observation: ObservationSchema,
  MedicationRequest: MedicationRequestSchema,
  Medication: MedicationSchema,
  Immunization: ImmunizationSchema,
  Procedure: ProcedureSchema,
  AllergyIntolerance: AllergyIntoleranceSchema
} as const;

export type KnownResourceType = keyof typeof RESOURCE_SCHEMAS;
export interface ResourceByType {
  Patient: Patient;
  Encounter: Encounter;
  Condition: Condition;
  Observation: Observation;
  MedicationRequest: MedicationRequest;
  Medication: Medication;
  Immunization: Immunization;
  Procedure: Procedure;
  AllergyIntolerance: AllergyIntolerance;
}

/**
 * The Bundle envelope. `resource` may be absent only where FHIR allows it
 * (a DELETE in a transaction, a response entry); `parseBundle` requires an
 * entry to carry at least one of resource, request, response.
 */
export const BundleEntrySchema = v.looseObject({
  fullUrl: opt(str),
  resource: opt(v.looseObject({ resourceType: str })),
  request: opt(v.looseObject({ method: opt(str), url: opt(str) })),
  response: opt(v.looseObject({}))
});

export const BundleSchema = v.looseObject({
  resourceType: v.literal('Bundle'),
  id: opt(str),
  type: v.picklist(BUNDLE_TYPES, `expected one of ${BUNDLE_TYPES.join(', ')}`),
  entry: opt(v.array(BundleEntrySchema))
});

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method?: string; url?: string; [k: string]: unknown };
  response?: { [k: string]: unknown };
  [k: string]: unknown;
}

/** A parsed, checked FHIR R4 Bundle. */
export interface Bundle {
  resourceType: 'Bundle';
  id?: string;
  type: BundleType;
  entry?: BundleEntry[];
  [k: string]: unknown;
}

/** Narrows a resource by type; safe after parseBundle checked it. */
export function isResource<T extends KnownResourceType>(r: Resource | undefined, type: T): r is Resource & ResourceByType[T] {
  return r !== undefined && r.resourceType === type;
}
