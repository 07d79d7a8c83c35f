/**
 * The FHIR fixtures: the small synthetic bundles in tests/fixtures/fhir/
 * (made by scripts/gen-fhir-fixtures.mjs) and the two Synthea samples in
 * ../shared/fhir-samples/ (never copied into the project). A missing samples
 * folder fails the run in CI (CI=true) and is a reported skip elsewhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve('tests', 'fixtures', 'fhir');
export const SAMPLES_DIR = resolve('..', 'shared', 'fhir-samples');
export const IN_CI = process.env.CI === 'true';

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The sample bundles' file names, or [] when the folder is missing. */
export function sampleFiles(): string[] {
  if (!existsSync(SAMPLES_DIR)) return [];
  return readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function sampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(SAMPLES_DIR, name)));
}

/** Counts of each resourceType in a bundle-shaped value. */
export function typeCounts(bundle: { entry?: Array<{ resource?: { resourceType: string } }> }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of bundle.entry ?? []) if (e.resource) out[e.resource.resourceType] = (out[e.resource.resourceType] ?? 0) + 1;
  return out;
}
