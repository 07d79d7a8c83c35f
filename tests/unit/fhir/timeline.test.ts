import { describe, expect, it } from 'vitest';
import { compareEntries, parseBundle, patientSummary, pseudonymise, timeline, type TimelineEntry } from '../../../src/lib/fhir';
import { fixtureBytes } from './helpers';

const load = (name: string) => parseBundle(fixtureBytes(name));
const byTitle = (tl: TimelineEntry[], title: string) => {
  const hit = tl.filter((e) => e.title === title);
  expect(hit.length, title).toBeGreaterThan(0);
  return hit;
};
/** Milliseconds of the `date`s: newest first, undated (NaN) last. */
function expectNewestFirst(tl: TimelineEntry[]): void {
  const dated = tl.filter((e) => e.date !== null);
  const undated = tl.filter((e) => e.date === null);
  expect(tl.slice(dated.length)).toEqual(undated);
  for (let i = 1; i < dated.length; i++) expect(dated[i - 1].time, `${dated[i - 1].ref} before ${dated[i].ref}`).toBeGreaterThanOrEqual(dated[i].time);
}

describe('timeline: Ada Quill', () => {
  const bundle = load('ada-quill.json');
  const tl = timeline(bundle);

  it('has one entry per encounter, condition, observation, medication request, immunization, procedure and allergy', () => {
    expect(tl).toHaveLength(31);
    const kinds = tl.reduce<Record<string, number>>((m, e) => ((m[e.kind] = (m[e.kind] ?? 0) + 1), m), {});
    expect(kinds).toEqual({ encounter: 5, condition: 3, observation: 14, medication: 3, immunization: 3, procedure: 2, allergy: 1 });
  });

  it('is ordered newest first by instant, across time zones, encounters before what happened in them', () => {
    expectNewestFirst(tl);
    expect(tl[0]).toMatchObject({ kind: 'procedure', title: 'Colonoscopy', date: '2023-12-04T13:00:00Z' });
    expect(tl[tl.length - 1]).toMatchObject({ kind: 'immunization', title: 'Tdap', date: '2016-06-01', time: Date.UTC(2016, 5, 1) });
    // The sinusitis visit began at 10:00+01:00; its condition has the same onset and comes after it.
    const i = tl.findIndex((e) => e.kind === 'encounter' && e.detail === 'Sinusitis (disorder)');
    expect(tl[i + 1]).toMatchObject({ kind: 'condition', title: 'Sinusitis (disorder)', time: Date.UTC(2021, 6, 19, 9) });
  });

  it('formats blood pressure as whole systolic/diastolic mmHg and lab values with readable units', () => {
    expect(byTitle(tl, 'Blood pressure panel with all children optional').map((e) => e.detail)).toEqual(['132/80 mmHg', '142/91 mmHg', '128/84 mmHg']);
    const detail = (title: string) => byTitle(tl, title).map((e) => e.detail);
    expect(detail('Hemoglobin A1c/Hemoglobin.total in Blood')).toEqual(['6.8%', '7.9%']);
    expect(detail('Glucose [Mass/volume] in Blood')).toEqual(['162.4 mg/dL']);
    expect(detail('Body weight')).toEqual(['68.04 kg', '71.25 kg']);
    expect(detail('Body temperature')).toEqual(['38.2°C']);
    expect(detail('Leukocytes [#/volume] in Blood by Automated count')).toEqual(['14.62 ×10³/µL']);
    expect(detail('C reactive protein [Mass/volume] in Serum or Plasma')).toEqual(['> 5 mg/L']);
    expect(detail('Body mass index (BMI) [Ratio]')).toEqual(['24.93 kg/m²']);
    expect(detail('Tobacco smoking status')).toEqual(['Ex-smoker (finding)']);
  });

  it('titles medication by its code or the referenced Medication, with dosage text as detail', () => {
    expect(byTitle(tl, 'Amoxicillin 250 MG Oral Capsule')[0]).toMatchObject({ kind: 'medication', status: 'completed', date: '2021-07-19T10:15:00+01:00' });
    expect(byTitle(tl, 'Metformin hydrochloride 500 MG Oral Tablet')[0]).toMatchObject({ detail: '500 mg twice daily with meals', status: 'active' });
  });

  it('gives conditions their clinical status and abatement, procedures their period, allergies their reactions', () => {
    expect(byTitle(tl, 'Acute appendicitis (disorder)')[0]).toMatchObject({ kind: 'condition', status: 'resolved', end: '2022-03-20' });
    expect(byTitle(tl, 'Diabetes mellitus type 2 (disorder)')[0]).toMatchObject({ kind: 'condition', status: 'active' });
    expect(byTitle(tl, 'Appendectomy')[0]).toMatchObject({ date: '2022-03-08T09:15:00Z', end: '2022-03-08T10:20:00Z', status: 'completed' });
    expect(byTitle(tl, 'Allergy to peanut')[0]).toMatchObject({ kind: 'allergy', detail: 'Hives, Anaphylaxis', criticality: 'high', status: 'active' });
    expect(byTitle(tl, 'Admission to surgical department')[0]).toMatchObject({ kind: 'encounter', detail: 'Acute appendicitis (disorder)', end: '2022-03-08T11:00:00Z' });
  });

  it('links entries to their encounter by the encounter\'s id (urn:uuid references)', () => {
    const enc = byTitle(tl, 'Admission to surgical department')[0];
    const id = enc.ref.slice('Encounter/'.length);
    expect(tl.filter((e) => e.encounterId === id).map((e) => e.title).sort()).toEqual(
      ['Acute appendicitis (disorder)', 'Allergy to peanut', 'Appendectomy', 'C reactive protein [Mass/volume] in Serum or Plasma', 'Leukocytes [#/volume] in Blood by Automated count'].sort()
    );
    expect(byTitle(tl, 'Colonoscopy')[0].encounterId).toBeUndefined();
  });

  it('summarises the patient, by name before pseudonymisation and by pseudonym after', () => {
    expect(patientSummary(bundle)).toEqual({
      pseudonymOrName: 'Ada Rosalind Quill',
      pseudonymous: false,
      gender: 'female',
      birthYear: 1984,
      counts: { encounter: 5, condition: 3, observation: 14, medication: 3, immunization: 3, procedure: 2, allergy: 1 },
      first: '2016-06-01',
      last: '2023-12-04T13:00:00Z'
    });
    const p = pseudonymise(bundle, 'PSN-1');
    expect(patientSummary(p.bundle)).toEqual({ ...patientSummary(bundle), pseudonymOrName: 'PSN-1', pseudonymous: true });
  });

  it('only reads the bundle', () => {
    const copy = structuredClone(bundle);
    timeline(bundle);
    patientSummary(bundle);
    expect(bundle).toEqual(copy);
  });
});

describe('timeline: other shapes', () => {
  it('relative references, components in either order, integer values, an encounter titled by its class, undated last', () => {
    const tl = timeline(load('ouyang-xiaolan.json'));
    expect(tl).toHaveLength(22);
    expectNewestFirst(tl);
    expect(tl[0]).toMatchObject({ ref: 'Encounter/enc-3', title: 'home health', date: '2024-06-10' });
    expect(tl[tl.length - 1]).toMatchObject({ ref: 'Condition/cond-2', date: null, title: 'Family history of stroke' });
    expect(tl.find((e) => e.ref === 'Observation/obs-1')).toMatchObject({ detail: '158/96 mmHg', encounterId: 'enc-1' });
    expect(tl.find((e) => e.ref === 'Observation/obs-6')?.detail).toBe('140/86 mmHg');
    expect(tl.find((e) => e.ref === 'Observation/obs-7')?.detail).toBe('2');
    expect(tl.find((e) => e.ref === 'Observation/obs-3')?.detail).toBe('97.24 µmol/L');
    expect(tl.find((e) => e.ref === 'Observation/obs-2')?.detail).toBe('88/min');
    expect(patientSummary(load('ouyang-xiaolan.json'))).toMatchObject({ pseudonymOrName: '欧阳晓岚', birthYear: 1957, first: '2010-05-01', last: '2024-06-10' });
  });

  it('a bundle without a Patient still has a timeline; the summary says nobody', () => {
    const b = load('no-patient.json');
    expect(timeline(b).map((e) => [e.ref, e.detail])).toEqual([
      ['Observation/g2', '6.1 mmol/L'],
      ['Observation/g1', '5.4 mmol/L'],
      ['Observation/g3', '7 mmol/L']
    ]);
    expect(patientSummary(b)).toMatchObject({ pseudonymOrName: null, gender: null, birthYear: null, first: '2024-02-01T08:00:00Z', last: '2024-03-01T08:00:00Z' });
  });

  it('falls back to the resource type for a title, and leaves out resources that are not on the timeline', () => {
    const b = parseBundle(
      JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { resourceType: 'Observation', effectiveDateTime: '2020' } }, { resource: { resourceType: 'Claim', created: '2020-01-01' } }, { resource: { resourceType: 'CarePlan' } }]
      })
    );
    expect(timeline(b)).toEqual([{ ref: 'Observation/entry-0', kind: 'observation', date: '2020', time: Date.UTC(2020, 0, 1), title: 'Observation' }]);
  });

  it('compareEntries is a total order', () => {
    const e = (ref: string, kind: TimelineEntry['kind'], time: number, title = 't'): TimelineEntry => ({ ref, kind, time, date: Number.isNaN(time) ? null : 'x', title });
    const list = [e('Observation/b', 'observation', 5), e('Observation/a', 'observation', 5), e('Encounter/z', 'encounter', 5), e('Condition/u', 'condition', NaN), e('Condition/n', 'condition', 9)];
    expect(list.sort(compareEntries).map((x) => x.ref)).toEqual(['Condition/n', 'Encounter/z', 'Observation/a', 'Observation/b', 'Condition/u']);
  });
});
