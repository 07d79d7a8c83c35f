#!/usr/bin/env node
// Writes the small synthetic FHIR R4 fixtures in tests/fixtures/fhir/.
// Every person, place and number here is invented; nothing comes from real
// records or from the Synthea samples. Deterministic: running it again gives
// the same files, so the committed output can be checked against it.
//
//   node scripts/gen-fhir-fixtures.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures', 'fhir');

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const UCUM = 'http://unitsofmeasure.org';

/** A made-up UUID from a counter: obviously synthetic, stable across runs. */
let counter = 0;
const uuid = () => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;

/** @param {string} system @param {string} code @param {string} display */
const cc = (system, code, display) => ({ coding: [{ system, code, display }], text: display });
/** @param {number} value @param {string} unit */
const qty = (value, unit) => ({ value, unit, system: UCUM, code: unit });
const vitals = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'vital-signs' }] }];
const lab = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'laboratory' }] }];

/**
 * A bundle builder. `style` decides how entries are named and referenced:
 * 'urn' (a transaction as Synthea writes it) or 'relative' (Type/id, with
 * absolute fullUrls on a made-up server).
 * @param {'transaction' | 'collection' | 'searchset'} type
 * @param {'urn' | 'relative'} style
 */
function builder(type, style) {
  /** @type {any[]} */
  const entry = [];
  const base = 'https://fhir.hospital-b.example/r4';
  return {
    /** @param {Record<string, any>} resource @param {string} [id] */
    add(resource, id = uuid()) {
      const r = { resourceType: resource.resourceType, id, ...resource };
      /** @type {any} */
      const e = style === 'urn' ? { fullUrl: `urn:uuid:${id}`, resource: r } : { fullUrl: `${base}/${r.resourceType}/${id}`, resource: r };
      if (type === 'transaction') e.request = { method: 'POST', url: r.resourceType };
      if (type === 'searchset') e.search = { mode: 'match' };
      entry.push(e);
      return { reference: style === 'urn' ? `urn:uuid:${id}` : `${r.resourceType}/${id}` };
    },
    /** @param {Record<string, any>} [extra] */
    done(extra = {}) {
      return { resourceType: 'Bundle', type, ...extra, entry };
    }
  };
}

function adaQuill() {
  counter = 0;
  const b = builder('transaction', 'urn');
  const patient = b.add({
    resourceType: 'Patient',
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Ada Quill, born 14 March 1984 in Brookhaven</div>' },
    extension: [
      { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [{ url: 'text', valueString: 'Other' }] },
      { url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: 'Maren Oakhart' },
      { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'F' },
      { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Brookhaven', country: 'XX' } }
    ],
    identifier: [
      { type: cc('http://terminology.hl7.org/CodeSystem/v2-0203', 'MR', 'Medical Record Number'), system: 'https://hospital-a.example/mrn', value: 'MRN-00417733' },
      { system: 'https://registry.example/national-id', value: 'NI-5521-8806-12' }
    ],
    name: [{ use: 'official', family: 'Quill', given: ['Ada', 'Rosalind'], prefix: ['Ms.'] }],
    telecom: [
      { system: 'phone', value: '+99 7700 900123', use: 'mobile' },
      { system: 'email', value: 'ada.quill@mail.example' }
    ],
    gender: 'female',
    birthDate: '1984-03-14',
    address: [{ line: ['12 Larkspur Lane', 'Flat 3'], city: 'Brookhaven', postalCode: 'BH4 9ZZ', country: 'XX' }],
    maritalStatus: cc('http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', 'M', 'Married'),
    contact: [{ relationship: [{ text: 'mother' }], name: { family: 'Quill', given: ['Maren'] }, telecom: [{ system: 'phone', value: '+99 7700 900456' }] }],
    communication: [{ language: cc('urn:ietf:bcp:47', 'en', 'English') }]
  });
  const org = b.add({ resourceType: 'Organization', name: 'Brookhaven General Hospital (fictional)' });
  const doc = b.add({ resourceType: 'Practitioner', name: [{ family: 'Reyes', given: ['Tomas'], prefix: ['Dr.'] }] });

  /** @param {string} start @param {string} end @param {any} type @param {any} [reason] @param {Record<string, any>} [extra] */
  const encounter = (start, end, type, reason, extra = {}) =>
    b.add({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [type],
      subject: { ...patient, ...extra.subject },
      participant: [{ individual: { ...doc, display: 'Dr. Tomas Reyes' } }],
      period: { start, end },
      ...(reason && { reasonCode: [reason] }),
      serviceProvider: org
    });
  /** @param {any} enc @param {string} when @param {number} sys @param {number} dia */
  const bp = (enc, when, sys, dia) =>
    b.add({
      resourceType: 'Observation',
      status: 'final',
      category: vitals,
      code: cc(LOINC, '85354-9', 'Blood pressure panel with all children optional'),
      subject: patient,
      encounter: enc,
      effectiveDateTime: when,
      component: [
        { code: cc(LOINC, '8480-6', 'Systolic blood pressure'), valueQuantity: qty(sys, 'mm[Hg]') },
        { code: cc(LOINC, '8462-4', 'Diastolic blood pressure'), valueQuantity: qty(dia, 'mm[Hg]') }
      ]
    });
  /** @param {any} enc @param {string} when @param {any} code @param {any} value @param {any[]} [category] @param {Record<string, any>} [extra] */
  const obs = (enc, when, code, value, category = vitals, extra = {}) =>
    b.add({ resourceType: 'Observation', status: 'final', category, code, subject: patient, encounter: enc, effectiveDateTime: when, ...value, ...extra });

  const checkup = cc(SNOMED, '185349003', 'Encounter for check up (procedure)');
  const e1 = encounter('2019-05-02T09:00:00+01:00', '2019-05-02T09:30:00+01:00', checkup);
  bp(e1, '2019-05-02T09:05:00+01:00', 128.4, 84.2);
  obs(e1, '2019-05-02T09:05:00+01:00', cc(LOINC, '29463-7', 'Body weight'), { valueQuantity: qty(71.25, 'kg') });
  obs(e1, '2019-05-02T09:05:00+01:00', cc(LOINC, '8302-2', 'Body height'), { valueQuantity: qty(165.2, 'cm') });
  obs(e1, '2019-05-02T09:05:00+01:00', cc(LOINC, '72166-2', 'Tobacco smoking status'), { valueCodeableConcept: cc(SNOMED, '8517006', 'Ex-smoker (finding)') }, [
    { coding: [{ code: 'social-history' }] }
  ]);
  b.add({ resourceType: 'Immunization', status: 'completed', vaccineCode: cc(CVX, '140', 'Influenza, seasonal, injectable, preservative free'), patient, encounter: e1, occurrenceDateTime: '2019-05-02T09:20:00+01:00', primarySource: true });

  const e2 = encounter('2020-02-11T14:00:00Z', '2020-02-11T14:40:00Z', cc(SNOMED, '185345009', 'Encounter for symptom'), cc(SNOMED, '44054006', 'Diabetes mellitus type 2 (disorder)'), {
    subject: { display: 'Ada Quill' }
  });
  const dm = b.add({ resourceType: 'Condition', clinicalStatus: cc('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active', 'Active'), code: cc(SNOMED, '44054006', 'Diabetes mellitus type 2 (disorder)'), subject: patient, encounter: e2, onsetDateTime: '2020-02-11T14:00:00Z', recordedDate: '2020-02-11T14:30:00Z' });
  obs(e2, '2020-02-11T14:10:00Z', cc(LOINC, '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'), { valueQuantity: qty(7.9, '%') }, lab);
  obs(e2, '2020-02-11T14:10:00Z', cc(LOINC, '2339-0', 'Glucose [Mass/volume] in Blood'), { valueQuantity: qty(162.37, 'mg/dL') }, lab, {
    note: [{ text: 'Ada Quill says she skipped breakfast; call back on +99 7700 900123.' }]
  });
  bp(e2, '2020-02-11T14:05:00Z', 142, 91);
  b.add({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: cc(RXNORM, '860975', 'Metformin hydrochloride 500 MG Oral Tablet'), subject: patient, encounter: e2, authoredOn: '2020-02-11T14:35:00Z', requester: doc, reasonReference: [dm], dosageInstruction: [{ text: '500 mg twice daily with meals' }] });

  const e3 = encounter('2021-07-19T10:00:00+01:00', '2021-07-19T10:20:00+01:00', cc(SNOMED, '185345009', 'Encounter for symptom'), cc(SNOMED, '36971009', 'Sinusitis (disorder)'));
  b.add({ resourceType: 'Condition', clinicalStatus: cc('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved', 'Resolved'), code: cc(SNOMED, '36971009', 'Sinusitis (disorder)'), subject: patient, encounter: e3, onsetDateTime: '2021-07-19T10:00:00+01:00', abatementDateTime: '2021-08-02' });
  const amox = b.add({ resourceType: 'Medication', code: cc(RXNORM, '308182', 'Amoxicillin 250 MG Oral Capsule') });
  b.add({ resourceType: 'MedicationRequest', status: 'completed', intent: 'order', medicationReference: amox, subject: patient, encounter: e3, authoredOn: '2021-07-19T10:15:00+01:00', requester: doc });
  obs(e3, '2021-07-19T10:05:00+01:00', cc(LOINC, '8310-5', 'Body temperature'), { valueQuantity: qty(38.2, 'Cel') });

  const e4 = encounter('2022-03-08T08:30:00Z', '2022-03-08T11:00:00Z', cc(SNOMED, '305408004', 'Admission to surgical department'), cc(SNOMED, '85189001', 'Acute appendicitis (disorder)'));
  b.add({ resourceType: 'Condition', clinicalStatus: cc('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved', 'Resolved'), code: cc(SNOMED, '85189001', 'Acute appendicitis (disorder)'), subject: patient, encounter: e4, onsetDateTime: '2022-03-08T08:30:00Z', abatementDateTime: '2022-03-20' });
  b.add({ resourceType: 'Procedure', status: 'completed', code: cc(SNOMED, '80146002', 'Appendectomy'), subject: patient, encounter: e4, performedPeriod: { start: '2022-03-08T09:15:00Z', end: '2022-03-08T10:20:00Z' } });
  obs(e4, '2022-03-08T08:40:00Z', cc(LOINC, '6690-2', 'Leukocytes [#/volume] in Blood by Automated count'), { valueQuantity: qty(14.62, '10*3/uL') }, lab);
  obs(e4, '2022-03-08T08:40:00Z', cc(LOINC, '1988-5', 'C reactive protein [Mass/volume] in Serum or Plasma'), { valueQuantity: { value: 5, comparator: '>', unit: 'mg/L', system: UCUM, code: 'mg/L' } }, lab);
  b.add({ resourceType: 'AllergyIntolerance', clinicalStatus: cc('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active', 'Active'), code: cc(SNOMED, '91935009', 'Allergy to peanut'), criticality: 'high', patient, encounter: e4, recordedDate: '2022-03-08T08:45:00Z', reaction: [{ manifestation: [cc(SNOMED, '247472004', 'Hives')] }, { manifestation: [cc(SNOMED, '39579001', 'Anaphylaxis')] }] });

  const e5 = encounter('2023-11-21T09:00:00Z', '2023-11-21T09:25:00Z', checkup);
  bp(e5, '2023-11-21T09:04:00Z', 131.6, 79.5);
  obs(e5, '2023-11-21T09:04:00Z', cc(LOINC, '29463-7', 'Body weight'), { valueQuantity: qty(68.04, 'kg') });
  obs(e5, '2023-11-21T09:04:00Z', cc(LOINC, '39156-5', 'Body mass index (BMI) [Ratio]'), { valueQuantity: qty(24.93, 'kg/m2') });
  obs(e5, '2023-11-21T09:06:00Z', cc(LOINC, '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'), { valueQuantity: qty(6.8, '%') }, lab);
  b.add({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: cc(RXNORM, '314076', 'Lisinopril 10 MG Oral Tablet'), subject: { ...patient, display: 'Quill, Ada' }, encounter: e5, authoredOn: '2023-11-21T09:20:00Z', requester: doc });
  b.add({ resourceType: 'Immunization', status: 'completed', vaccineCode: cc(CVX, '208', 'SARS-COV-2 (COVID-19) vaccine, mRNA'), patient, encounter: e5, occurrenceDateTime: '2023-11-21T09:15:00Z', primarySource: true });
  b.add({ resourceType: 'Immunization', status: 'completed', vaccineCode: cc(CVX, '115', 'Tdap'), patient, occurrenceDateTime: '2016-06-01', primarySource: false });
  b.add({ resourceType: 'Procedure', status: 'completed', code: cc(SNOMED, '73761001', 'Colonoscopy'), subject: patient, performedDateTime: '2023-12-04T13:00:00Z' });

  const cov = b.add({ resourceType: 'Coverage', status: 'active', subscriberId: 'MEM-7781-2204', beneficiary: patient, payor: [{ display: 'Example Mutual (fictional)' }] });
  b.add({ resourceType: 'Claim', status: 'active', use: 'claim', patient: { ...patient, display: 'Ada R. Quill' }, created: '2022-03-20T00:00:00Z', provider: org, insurance: [{ sequence: 1, focal: true, coverage: cov }], item: [{ sequence: 1, productOrService: cc(SNOMED, '80146002', 'Appendectomy'), encounter: [e4] }] });
  b.add({ resourceType: 'RelatedPerson', patient, relationship: [{ text: 'mother' }], name: [{ family: 'Quill', given: ['Maren'] }], telecom: [{ system: 'phone', value: '+99 7700 900456' }] });
  return b.done({ id: 'fixture-a' });
}

function ouyangXiaolan() {
  counter = 100;
  const b = builder('collection', 'relative');
  const patient = b.add(
    {
      resourceType: 'Patient',
      identifier: [{ system: 'https://hospital-b.example/mrn', value: 'HB20240117' }],
      name: [
        { use: 'official', family: '欧阳', given: ['晓岚'], text: '欧阳晓岚' },
        { use: 'usual', family: 'Ouyang', given: ['Xiaolan'] }
      ],
      telecom: [{ system: 'phone', value: '+99-21-5550-1234' }],
      gender: 'female',
      birthDate: '1957-11-30',
      address: [{ text: '示例市虹桥路 88 号 1201 室', city: '示例市', country: 'XX' }],
      managingOrganization: { reference: 'Organization/hb', display: 'Hospital B (fictional)' }
    },
    'wl-01'
  );
  b.add({ resourceType: 'Organization', name: 'Hospital B (fictional)' }, 'hb');
  /** @param {string} id @param {string} start @param {any} type */
  const encounter = (id, start, type) => b.add({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB', display: 'ambulatory' }, type: [type], subject: { ...patient, display: '欧阳晓岚' }, period: { start } }, id);
  const e1 = encounter('enc-1', '2024-01-17T09:00:00+08:00', { text: 'Outpatient visit (cardiology)' });
  const e2 = encounter('enc-2', '2024-04-02T15:30:00+08:00', cc(SNOMED, '390906007', 'Follow-up encounter'));
  const e3 = b.add({ resourceType: 'Encounter', status: 'finished', class: { code: 'HH', display: 'home health' }, subject: patient, period: { start: '2024-06-10' } }, 'enc-3');

  let n = 0;
  /** @param {any} enc @param {string} when @param {any} code @param {Record<string, any>} value */
  const obs = (enc, when, code, value) => b.add({ resourceType: 'Observation', status: 'final', code, subject: patient, encounter: enc, effectiveDateTime: when, ...value }, `obs-${++n}`);
  obs(e1, '2024-01-17T09:10:00+08:00', cc(LOINC, '85354-9', 'Blood pressure panel'), {
    component: [
      { code: cc(LOINC, '8462-4', 'Diastolic blood pressure'), valueQuantity: qty(96, 'mm[Hg]') },
      { code: cc(LOINC, '8480-6', 'Systolic blood pressure'), valueQuantity: qty(158, 'mm[Hg]') }
    ]
  });
  obs(e1, '2024-01-17T09:12:00+08:00', cc(LOINC, '8867-4', 'Heart rate'), { valueQuantity: qty(88, '/min') });
  obs(e1, '2024-01-17T09:30:00+08:00', cc(LOINC, '14682-9', 'Creatinine [Moles/volume] in Serum or Plasma'), { valueQuantity: qty(97.24, 'umol/L') });
  obs(e1, '2024-01-17T09:30:00+08:00', cc(LOINC, '2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'), { valueQuantity: qty(5.912, 'mmol/L') });
  obs(e1, '2024-01-17T09:40:00+08:00', { text: 'Note from the nurse' }, { valueString: '欧阳晓岚 reports dizziness in the mornings.' });
  obs(e2, '2024-04-02T15:35:00+08:00', cc(LOINC, '85354-9', 'Blood pressure panel'), {
    component: [
      { code: cc(LOINC, '8480-6', 'Systolic blood pressure'), valueQuantity: qty(139.5, 'mm[Hg]') },
      { code: cc(LOINC, '8462-4', 'Diastolic blood pressure'), valueQuantity: qty(85.5, 'mm[Hg]') }
    ]
  });
  obs(e2, '2024-04-02T15:40:00+08:00', cc(LOINC, '72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported'), { valueInteger: 2 });
  obs(e3, '2024-06-10', cc(LOINC, '8310-5', 'Body temperature'), { valueQuantity: qty(36.6, 'Cel') });
  b.add({ resourceType: 'Condition', clinicalStatus: { coding: [{ code: 'active' }] }, code: cc(SNOMED, '38341003', 'Hypertensive disorder, systemic arterial (disorder)'), subject: patient, encounter: e1, onsetDateTime: '2024-01-17' }, 'cond-1');
  b.add({ resourceType: 'Condition', clinicalStatus: { coding: [{ code: 'active' }] }, code: { text: 'Family history of stroke' }, subject: patient }, 'cond-2');
  b.add({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: cc(RXNORM, '17767', 'Amlodipine'), subject: patient, encounter: e1, authoredOn: '2024-01-17T09:50:00+08:00', dosageInstruction: [{ text: '5 mg once daily' }] }, 'med-1');
  b.add({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: cc(RXNORM, '17767', 'Amlodipine'), subject: patient, encounter: e2, authoredOn: '2024-04-02T15:50:00+08:00', dosageInstruction: [{ text: '10 mg once daily' }] }, 'med-2');
  b.add({ resourceType: 'Immunization', status: 'completed', vaccineCode: cc(CVX, '33', 'Pneumococcal polysaccharide PPV23'), patient, encounter: e2, occurrenceDateTime: '2024-04-02T16:00:00+08:00' }, 'imm-1');
  b.add({ resourceType: 'Procedure', status: 'completed', code: cc(SNOMED, '29303009', 'Electrocardiographic procedure'), subject: patient, encounter: e1, performedDateTime: '2024-01-17T09:20:00+08:00' }, 'proc-1');
  b.add({ resourceType: 'Procedure', status: 'completed', code: { text: 'Home blood pressure monitor set up' }, subject: patient, encounter: e3, performedPeriod: { start: '2024-06-10', end: '2024-06-10' } }, 'proc-2');
  b.add({ resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ code: 'active' }] }, code: cc(SNOMED, '91936005', 'Allergy to penicillin'), criticality: 'low', patient, recordedDate: '2010-05-01' }, 'alg-1');
  b.add({ resourceType: 'Immunization', status: 'completed', vaccineCode: cc(CVX, '141', 'Influenza, seasonal, injectable'), patient, occurrenceDateTime: '2023-10-20' }, 'imm-2');
  obs(e2, '2024-04-02T15:45:00+08:00', cc(LOINC, '2339-0', 'Glucose [Moles/volume] in Blood'), { valueQuantity: qty(6.23, 'mmol/L') });
  obs(e3, '2024-06-10', cc(LOINC, '29463-7', 'Body weight'), { valueQuantity: qty(58.4, 'kg') });
  return b.done({ id: 'fixture-b', link: [{ relation: 'self', url: 'https://fhir.hospital-b.example/r4/Patient/wl-01/$everything' }] });
}

function noPatient() {
  counter = 200;
  const b = builder('searchset', 'relative');
  b.add({ resourceType: 'Observation', status: 'final', code: cc(LOINC, '2339-0', 'Glucose [Mass/volume] in Blood'), effectiveDateTime: '2024-02-01T08:00:00Z', valueQuantity: qty(5.4, 'mmol/L') }, 'g1');
  b.add({ resourceType: 'Observation', status: 'final', code: cc(LOINC, '2339-0', 'Glucose [Mass/volume] in Blood'), effectiveDateTime: '2024-03-01T08:00:00Z', valueQuantity: qty(6.1, 'mmol/L') }, 'g2');
  b.add({ resourceType: 'Observation', status: 'preliminary', code: cc(LOINC, '2339-0', 'Glucose [Mass/volume] in Blood'), valueQuantity: qty(7, 'mmol/L') }, 'g3');
  return b.done({ id: 'fixture-c', total: 3 });
}

/** @param {string} name @param {unknown} value */
function write(name, value) {
  writeFileSync(join(OUT, name), `${JSON.stringify(value, null, 2)}\n`);
}

mkdirSync(OUT, { recursive: true });
write('ada-quill.json', adaQuill());
write('ouyang-xiaolan.json', ouyangXiaolan());
write('no-patient.json', noPatient());
writeFileSync(join(OUT, 'bad-not-json.json'), '<html><body>This is a web page saved with a .json name, not FHIR.</body></html>\n');
write('bad-not-bundle.json', { resourceType: 'Patient', id: 'lonely', name: [{ family: 'Nobody', given: ['Lone'] }], gender: 'unknown' });
console.log(`wrote the FHIR fixtures to ${OUT}`);
