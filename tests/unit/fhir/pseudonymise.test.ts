import { describe, expect, it } from 'vitest';
import { FhirError, PSEUDONYM_SYSTEM, parseBundle, pseudonymPatientId, pseudonymise, timeline, type Bundle, type Patient } from '../../../src/lib/fhir';
import { fixtureBytes, typeCounts } from './helpers';

const PSEUDONYM = 'PSN-4F7Q-92KD';
const load = (name: string) => parseBundle(fixtureBytes(name));
const patientOf = (b: Bundle) => b.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
const resourceById = (b: Bundle, id: string) => b.entry?.find((e) => e.resource?.id === id)?.resource as Record<string, unknown> & { resourceType: string };

/** Every "reference" string anywhere below `node`. */
function references(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((x) => references(x, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

/** Asserts that none of `secrets` occurs in the serialised bundle (names as whole words, any case). */
function expectGone(b: Bundle, names: string[], literals: string[]): void {
  const text = JSON.stringify(b);
  for (const n of names) expect(text, n).not.toMatch(new RegExp(`(?<![\\p{L}\\p{N}])${n}(?![\\p{L}\\p{N}])`, 'iu'));
  for (const l of literals) expect(text, l).not.toContain(l);
}

/** What a clinician reads, without the keys: must not change. */
const clinical = (b: Bundle) => timeline(b).map(({ kind, date, title, detail, status, end, encounterId }) => ({ kind, date, title, detail, status, end, encounterId }));

describe('pseudonymise: Ada Quill (transaction, urn:uuid references)', () => {
  const original = load('ada-quill.json');
  const before = JSON.stringify(original);
  const oldId = patientOf(original).id as string;
  const { bundle, removed } = pseudonymise(original, PSEUDONYM);
  const newId = pseudonymPatientId(PSEUDONYM);

  it('removes the name, identifiers, address, telecom and relatives everywhere', () => {
    expectGone(bundle, ['Ada', 'Quill', 'Rosalind', 'Maren', 'Oakhart'], ['MRN-00417733', 'NI-5521-8806-12', '+99 7700 900123', '+99 7700 900456', 'ada.quill@mail.example', '12 Larkspur Lane', 'Flat 3', 'MEM-7781-2204', '14 March', '1984-03-14', oldId]);
  });

  it('keeps gender, birth year and the clinical extensions; the pseudonym is the only identifier', () => {
    const p = patientOf(bundle);
    expect(p).toEqual({
      resourceType: 'Patient',
      id: newId,
      identifier: [{ system: PSEUDONYM_SYSTEM, value: PSEUDONYM }],
      gender: 'female',
      birthDate: '1984',
      extension: [
        { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [{ url: 'text', valueString: 'Other' }] },
        { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'F' }
      ]
    });
    expect(bundle.entry?.[0].fullUrl).toBe(`urn:uuid:${newId}`);
    expect(bundle.entry?.[0].request).toEqual({ method: 'POST', url: 'Patient' });
  });

  it('keeps every resource and every clinical fact', () => {
    expect(typeCounts(bundle)).toEqual(typeCounts(original));
    expect(clinical(bundle)).toEqual(clinical(original));
    expect(clinical(bundle)).toHaveLength(31);
  });

  it('points every reference to the patient at the new id, and leaves none dangling', () => {
    const fullUrls = new Set(bundle.entry?.map((e) => e.fullUrl));
    const refs = references(bundle);
    expect(refs.length).toBeGreaterThan(60);
    for (const r of refs) expect(fullUrls.has(r), r).toBe(true);
    expect(refs.filter((r) => r === `urn:uuid:${newId}`).length).toBe(removed[0].match(/(\d+) references/)?.[1] ? Number(removed[0].match(/(\d+) references/)?.[1]) : -1);
  });

  it('replaces the name in reference displays and free text with the pseudonym, not in codes', () => {
    const entries = bundle.entry ?? [];
    const enc = entries.map((e) => e.resource as Record<string, any>).find((r) => r.resourceType === 'Encounter' && r.subject.display);
    expect(enc?.subject).toEqual({ reference: `urn:uuid:${newId}`, display: PSEUDONYM });
    const claim = entries.find((e) => e.resource?.resourceType === 'Claim')?.resource as Record<string, any>;
    expect(claim.patient.display).toBe(PSEUDONYM);
    const glucose = entries.map((e) => e.resource as Record<string, any>).find((r) => r.note);
    expect(glucose?.note[0].text).toBe(`${PSEUDONYM} says she skipped breakfast; call back on ${PSEUDONYM}.`);
    // The practitioner is not the patient.
    expect(JSON.stringify(bundle)).toContain('Dr. Tomas Reyes');
  });

  it('lists what it removed, Patient fields first', () => {
    expect(removed[0]).toMatch(/^Patient\.id \(replaced; \d+ references/);
    for (const item of ['Patient.text', 'Patient.name', 'Patient.telecom', 'Patient.address', 'Patient.maritalStatus', 'Patient.contact', 'Patient.communication', 'Patient.identifier (2)', 'Patient.birthDate (month and day)'])
      expect(removed).toContain(item);
    expect(removed).toContain('Patient.extension(http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName)');
    expect(removed).toContain('Patient.extension(http://hl7.org/fhir/StructureDefinition/patient-birthPlace)');
    expect(removed.filter((r) => r.startsWith('RelatedPerson/'))).toEqual([expect.stringMatching(/: name$/), expect.stringMatching(/: telecom$/)]);
    expect(removed.some((r) => /^Coverage\/.*: subscriberId$/.test(r))).toBe(true);
    expect(removed.some((r) => /^Encounter\/.*: subject\.display$/.test(r))).toBe(true);
    expect(removed.some((r) => /^Observation\/.*: note\[0\]\.text$/.test(r))).toBe(true);
  });

  it('does not change its input and gives the same output every time', () => {
    expect(JSON.stringify(original)).toBe(before);
    expect(pseudonymise(original, PSEUDONYM)).toEqual({ bundle, removed });
    const other = pseudonymise(original, 'PSN-OTHER');
    expect(patientOf(other.bundle).id).not.toBe(newId);
    expect(pseudonymPatientId(PSEUDONYM)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is idempotent on its own output', () => {
    const again = pseudonymise(bundle, PSEUDONYM);
    expect(again.bundle).toEqual(bundle);
  });
});

describe('pseudonymise: 欧阳晓岚 (collection, relative references, a short id)', () => {
  const original = load('ouyang-xiaolan.json');
  const { bundle } = pseudonymise(original, '匿名-0007');
  const newId = pseudonymPatientId('匿名-0007');

  it('removes Han and Latin names, the MRN, phone and address, and the old id in URLs', () => {
    expectGone(bundle, ['Ouyang', 'Xiaolan'], ['欧阳', '晓岚', 'HB20240117', '5550-1234', '虹桥路', 'wl-01']);
    expect(resourceById(bundle, 'obs-5').valueString).toBe('匿名-0007 reports dizziness in the mornings.');
    expect((resourceById(bundle, 'enc-1').subject as object)).toEqual({ reference: `Patient/${newId}`, display: '匿名-0007' });
    expect(bundle.entry?.[0].fullUrl).toBe(`https://fhir.hospital-b.example/r4/Patient/${newId}`);
    expect((bundle.link as Array<{ url: string }>)[0].url).toBe(`https://fhir.hospital-b.example/r4/Patient/${newId}/$everything`);
  });

  it('keeps the managing organisation and every clinical fact', () => {
    expect(patientOf(bundle).managingOrganization).toEqual({ reference: 'Organization/hb', display: 'Hospital B (fictional)' });
    // The nurse's note named her; the rest is the same, field for field.
    const expected = clinical(original).map((e) => ({ ...e, detail: e.detail?.replace('欧阳晓岚', '匿名-0007') }));
    expect(clinical(bundle)).toEqual(expected);
    expect(typeCounts(bundle)).toEqual(typeCounts(original));
  });
});

describe('pseudonymise: the rules at their edges', () => {
  const make = (extra: unknown[]): Bundle =>
    parseBundle(
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ fullUrl: 'Patient/p', resource: { resourceType: 'Patient', id: 'p', name: [{ family: 'Parkinson', given: ['May'] }], identifier: [{ value: 'ID-778899' }] } }, ...extra]
      })
    );

  it('does not touch codes that happen to contain the name, nor words that only contain it', () => {
    const code = { coding: [{ system: 'http://snomed.info/sct', code: '49049000', display: "Parkinson's disease (disorder)" }], text: "Parkinson's disease" };
    const b = make([
      { resource: { resourceType: 'Condition', id: 'c', code, subject: { reference: 'Patient/p' }, note: [{ text: 'Mrs PARKINSON moved from Canada in may; ID-778899 on file; seen Mayday.' }] } }
    ]);
    const c = resourceById(pseudonymise(b, 'Z9').bundle, 'c');
    expect(c.code).toEqual(code);
    expect(c.note).toEqual([{ text: 'Mrs Z9 moved from Canada in Z9; Z9 on file; seen Mayday.' }]);
    expect(c.subject).toEqual({ reference: `Patient/${pseudonymPatientId('Z9')}` });
  });

  it('replaces a logical reference by the patient identifier, and contained persons lose identity', () => {
    const b = make([
      {
        resource: {
          resourceType: 'Claim',
          id: 'cl',
          patient: { identifier: { system: 'urn:x', value: 'ID-778899' } },
          contained: [{ resourceType: 'RelatedPerson', id: 'rp', name: [{ family: 'Smith' }], telecom: [{ value: '123456789' }], relationship: [{ text: 'spouse' }] }]
        }
      }
    ]);
    const out = pseudonymise(b, 'Z9');
    const cl = resourceById(out.bundle, 'cl');
    expect(cl.patient).toEqual({ identifier: { system: PSEUDONYM_SYSTEM, value: 'Z9' } });
    expect(cl.contained).toEqual([{ resourceType: 'RelatedPerson', id: 'rp', relationship: [{ text: 'spouse' }] }]);
    expect(out.removed).toEqual(expect.arrayContaining(['Claim/cl: patient.identifier', 'Claim/cl contained[0]: name', 'Claim/cl contained[0]: telecom']));
  });

  it('needs exactly one Patient', () => {
    const none = load('no-patient.json');
    const e = (() => {
      try {
        pseudonymise(none, 'Z9');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(FhirError);
    expect(e).toMatchObject({ kind: 'invalid', messageKey: 'fhir.error.patientCount', params: { count: 0 } });
    const two = make([{ resource: { resourceType: 'Patient', id: 'q' } }]);
    expect(() => pseudonymise(two, 'Z9')).toThrow(expect.objectContaining({ kind: 'invalid', params: { count: 2 } }));
  });

  it('rejects a blank or oversized pseudonym and a non-bundle', () => {
    const b = make([]);
    expect(() => pseudonymise(b, '   ')).toThrow(RangeError);
    expect(() => pseudonymise(b, 'x'.repeat(257))).toThrow(RangeError);
    expect(() => pseudonymise(b, 7 as unknown as string)).toThrow(TypeError);
    expect(() => pseudonymise({} as Bundle, 'Z9')).toThrow(TypeError);
  });
});
