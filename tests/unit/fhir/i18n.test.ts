/**
 * The fhir.* messages: the same keys in English and Chinese, every key the
 * FHIR code and components name exists, and every message formats (ICU
 * syntax) with the values the code passes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { get } from 'svelte/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { TIMELINE_KINDS } from '../../../src/lib/fhir';
import { _, locale, setupI18n } from '../../../src/lib/i18n';
import en from '../../../src/lib/i18n/messages/en.json';
import zh from '../../../src/lib/i18n/messages/zh-CN.json';

const fhirKeys = (m: Record<string, string>) => Object.keys(m).filter((k) => k.startsWith('fhir.')).sort();

/** Literal 'fhir.…' keys in the files of a folder. */
function keysIn(dir: string): string[] {
  const out = new Set<string>();
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    for (const m of text.matchAll(/['"`](fhir\.[a-zA-Z][\w.-]*[\w])['"`]/g)) out.add(m[1]);
  }
  return [...out].sort();
}

describe('fhir messages', () => {
  beforeAll(() => setupI18n());

  it('English and Chinese have the same fhir.* keys', () => {
    expect(fhirKeys(zh)).toEqual(fhirKeys(en));
    expect(fhirKeys(en).length).toBeGreaterThan(60);
  });

  it('every key the code names exists', () => {
    const named = [...keysIn(resolve('src/lib/fhir')), ...keysIn(resolve('src/lib/ui/fhir')), ...TIMELINE_KINDS.flatMap((k) => [`fhir.kind.${k}`, `fhir.count.${k}`])];
    expect(named.length).toBeGreaterThan(40);
    for (const k of named) expect(en, k).toHaveProperty([k]);
  });

  it('every message formats in both languages', () => {
    const values = { n: 2, total: 'T', list: 'L', shown: 1, left: 3, date: 'D', detail: 'X', resourceType: 'Patient', size: '21.0 MiB', max: 20, count: 2, problem: 'P' };
    for (const code of ['en', 'zh-CN']) {
      locale.set(code);
      for (const k of fhirKeys(en)) {
        const text = get(_)(k, { values });
        expect(text, `${code} ${k}`).not.toBe(k);
        expect(text, `${code} ${k}`).not.toMatch(/[{}]/);
      }
    }
    locale.set('en');
  });
});
