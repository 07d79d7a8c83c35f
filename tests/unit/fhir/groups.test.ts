import { describe, expect, it } from 'vitest';
import { groupTimeline, parseBundle, timeline } from '../../../src/lib/fhir';
import { fixtureBytes } from './helpers';

const ada = timeline(parseBundle(fixtureBytes('ada-quill.json')));
const ouyang = timeline(parseBundle(fixtureBytes('ouyang-xiaolan.json')));
const summary = (g: ReturnType<typeof groupTimeline>) => g.groups.map((x) => `${x.encounter?.title ?? x.key} (${x.items.length})`);

describe('groupTimeline', () => {
  it('groups by encounter, and by day for what happened outside one, newest first', () => {
    const g = groupTimeline(ada);
    expect(summary(g)).toEqual([
      'day:2023-12-04 (1)',
      'Encounter for check up (procedure) (6)',
      'Admission to surgical department (5)',
      'Encounter for symptom (3)',
      'Encounter for symptom (5)',
      'Encounter for check up (procedure) (5)',
      'day:2016-06-01 (1)'
    ]);
    expect(g.shown).toBe(ada.length);
    const items = g.groups.flatMap((x) => x.items);
    expect(items.length + g.groups.filter((x) => x.encounter).length).toBe(ada.length);
    expect(summary(groupTimeline(ouyang)).slice(-1)).toEqual(['undated (1)']);
  });

  it('filters by kind, keeping the encounter as the heading', () => {
    const g = groupTimeline(ada, { kinds: ['observation'] });
    expect(g.shown).toBe(14);
    expect(g.groups.every((x) => x.items.every((i) => i.kind === 'observation'))).toBe(true);
    expect(g.groups.map((x) => x.items.length)).toEqual([4, 2, 1, 3, 4]);
    expect(groupTimeline(ada, { kinds: [] })).toEqual({ groups: [], shown: 0 });
  });

  it('searches every word in title, detail, status and date, case-insensitively', () => {
    expect(summary(groupTimeline(ada, { query: 'BLOOD pressure' }))).toEqual(['Encounter for check up (procedure) (1)', 'Encounter for symptom (1)', 'Encounter for check up (procedure) (1)']);
    const a1c = groupTimeline(ada, { query: 'a1c 6.8' });
    expect(a1c.shown).toBe(1);
    expect(a1c.groups[0].items[0].detail).toBe('6.8%');
    expect(summary(groupTimeline(ada, { query: '2019-05' }))).toEqual(['Encounter for check up (procedure) (5)']);
    expect(groupTimeline(ada, { query: 'no such thing' })).toEqual({ groups: [], shown: 0 });
  });

  it('a query that matches the encounter shows all of that visit', () => {
    const g = groupTimeline(ada, { query: 'appendicitis' });
    expect(summary(g)).toEqual(['Admission to surgical department (5)']);
    expect(g.shown).toBe(6);
    // ... but still only the kinds selected.
    expect(groupTimeline(ada, { query: 'appendicitis', kinds: ['allergy'] }).groups[0].items.map((i) => i.title)).toEqual(['Allergy to peanut']);
  });
});
