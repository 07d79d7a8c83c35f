/**
 * FhirTimeline rendered on the server (no DOM here): it shows the summary,
 * the first page of groups and a "show more" button, and every label is a
 * real message (a missing key would show as "fhir.…").
 */
import { render } from 'svelte/server';
import { get } from 'svelte/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBundle, pseudonymise } from '../../../src/lib/fhir';
import { locale, setupI18n } from '../../../src/lib/i18n';
import FhirTimeline from '../../../src/lib/ui/fhir/FhirTimeline.svelte';
import { formatFhirDate, sameDay, timeOfDay } from '../../../src/lib/ui/fhir/dates';
import { fixtureBytes, fixtureText } from './helpers';

const count = (html: string, testid: string) => html.split(`data-testid="${testid}"`).length - 1;

describe('FhirTimeline (server render)', () => {
  beforeAll(() => {
    setupI18n();
    locale.set('en');
  });

  it('renders the summary, groups newest first, and pages with "show more"', () => {
    const bundle = parseBundle(fixtureBytes('ada-quill.json'));
    const { body } = render(FhirTimeline, { props: { bundle, pageSize: 3 } });
    expect(body).toContain('Ada Rosalind Quill');
    expect(body).toContain('Real name');
    expect(body).toContain('31 entries (5 visits, 3 conditions, 14 results, 3 prescriptions, 3 vaccinations, 2 procedures, 1 allergy)');
    expect(count(body, 'fhir-group')).toBe(3);
    expect(count(body, 'fhir-entry')).toBe(1 + 6 + 5);
    expect(body).toContain('Show 3 more (4 not shown yet)');
    expect(body).toContain('132/80 mmHg');
    expect(body.indexOf('Colonoscopy')).toBeLessThan(body.indexOf('132/80 mmHg'));
    expect(body).not.toMatch(/fhir\.[a-z]/);
  });

  it('after pseudonymisation shows the pseudonym, in Chinese too', () => {
    const bundle = pseudonymise(parseBundle(fixtureText('ouyang-xiaolan.json')), 'PSN-0007').bundle;
    locale.set('zh-CN');
    try {
      expect(get(locale)).toBe('zh-CN');
      const { body } = render(FhirTimeline, { props: { bundle } });
      expect(body).toContain('PSN-0007');
      expect(body).toContain('假名');
      expect(body).not.toContain('欧阳');
      expect(body).toContain('2024年1月17日');
      expect(count(body, 'fhir-group')).toBe(6);
      expect(count(body, 'fhir-more')).toBe(0);
      expect(body).not.toMatch(/fhir\.[a-z]/);
    } finally {
      locale.set('en');
    }
  });
});

describe('dates for people', () => {
  it('shows the wall-clock time the record wrote, never shifted to the reader\'s zone', () => {
    expect(formatFhirDate('2019-05-02T23:30:00+08:00', 'en')).toBe('May 2, 2019, 23:30');
    expect(formatFhirDate('2019-05-02T23:30:00+08:00', 'zh-CN')).toBe('2019年5月2日 23:30');
    expect(formatFhirDate('2019-05-02T23:30:00+08:00', 'en', false)).toBe('May 2, 2019');
  });
  it('keeps partial dates partial', () => {
    expect(formatFhirDate('2019-05', 'en')).toBe('May 2019');
    expect(formatFhirDate('2016', 'zh-CN')).toBe('2016');
    expect(formatFhirDate('2019-05-02', 'en')).toBe('May 2, 2019');
    expect(formatFhirDate(null, 'en')).toBe('');
  });
  it('time of day and same-day tests read the written date', () => {
    expect(timeOfDay('2019-05-02T09:05:00Z')).toBe('09:05');
    expect(timeOfDay('2019-05-02')).toBe('');
    expect(sameDay('2019-05-02T23:30:00+08:00', '2019-05-02')).toBe(true);
    expect(sameDay('2019-05-02', '2019-05-03')).toBe(false);
    expect(sameDay(null, '2019-05-03')).toBe(false);
  });
});
