import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, FhirError, isFhirBundle, parseBundle, type FhirErrorKind } from '../../../src/lib/fhir';
import { fixtureBytes, fixtureText, typeCounts } from './helpers';

/** The FhirError that `fn` throws (fails the test if it throws anything else). */
function fhirError(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FhirError);
    return e as FhirError;
  }
  throw new Error('expected a FhirError, nothing was thrown');
}

function expectKind(fn: () => unknown, kind: FhirErrorKind, messageKey: string): FhirError {
  const e = fhirError(fn);
  expect({ kind: e.kind, messageKey: e.messageKey }).toEqual({ kind, messageKey });
  expect(e.message.length).toBeGreaterThan(10);
  return e;
}

const bundle = (entry: unknown[], type = 'collection') => JSON.stringify({ resourceType: 'Bundle', type, entry });

describe('parseBundle: the fixtures', () => {
  it('reads each synthetic bundle from bytes and from text, unchanged', () => {
    for (const [name, n] of [
      ['ada-quill.json', 38],
      ['ouyang-xiaolan.json', 24],
      ['no-patient.json', 3]
    ] as const) {
      const fromBytes = parseBundle(fixtureBytes(name));
      const fromText = parseBundle(fixtureText(name));
      expect(fromBytes.entry).toHaveLength(n);
      expect(fromBytes).toEqual(JSON.parse(fixtureText(name)));
      expect(fromText).toEqual(fromBytes);
    }
    const ada = parseBundle(fixtureBytes('ada-quill.json'));
    expect(ada.type).toBe('transaction');
    expect(typeCounts(ada)).toMatchObject({ Patient: 1, Encounter: 5, Observation: 14, Condition: 3, MedicationRequest: 3, Immunization: 3, Procedure: 2, AllergyIntolerance: 1 });
  });

  it('accepts an ArrayBuffer and drops a UTF-8 byte order mark', () => {
    const text = fixtureText('no-patient.json');
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(parseBundle(withBom.buffer).entry).toHaveLength(3);
    expect(parseBundle(`\ufeff${text}`).entry).toHaveLength(3);
  });

  it('lets unknown fields and misshapen fields it does not read pass (Synthea writes Condition.category as an object)', () => {
    const b = parseBundle(
      bundle([{ resource: { resourceType: 'Condition', category: { coding: [{ code: 'encounter-diagnosis' }] }, futureField: [1, 2], code: { text: 'x', extra: true } } }, { resource: { resourceType: 'Basic', anything: { goes: 1 } } }])
    );
    expect(b.entry?.[0].resource?.futureField).toEqual([1, 2]);
  });

  it('accepts entries without a resource only when they carry a request or response', () => {
    expect(parseBundle(bundle([{ request: { method: 'DELETE', url: 'Observation/1' } }], 'transaction')).entry).toHaveLength(1);
    const e = expectKind(() => parseBundle(bundle([{ fullUrl: 'urn:uuid:1' }])), 'invalid', 'fhir.error.invalidResource');
    expect(e.message).toContain('entry[0]');
  });
});

describe('parseBundle: typed errors', () => {
  it('not-json: the HTML fixture, truncated JSON, and bytes that are not UTF-8', () => {
    expectKind(() => parseBundle(fixtureBytes('bad-not-json.json')), 'not-json', 'fhir.error.notJson');
    expectKind(() => parseBundle(fixtureText('ada-quill.json').slice(0, 500)), 'not-json', 'fhir.error.notJson');
    expectKind(() => parseBundle(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff])), 'not-json', 'fhir.error.notText');
    expectKind(() => parseBundle(''), 'not-json', 'fhir.error.notJson');
  });

  it('not-fhir: a single resource names its type; other JSON does not', () => {
    const e = expectKind(() => parseBundle(fixtureBytes('bad-not-bundle.json')), 'not-fhir', 'fhir.error.notBundle');
    expect(e.params).toEqual({ resourceType: 'Patient' });
    expect(e.message).toContain('Patient');
    for (const text of ['{"foo":1}', '[1,2]', 'null', '"Bundle"', '{"resourceType":7}']) expectKind(() => parseBundle(text), 'not-fhir', 'fhir.error.notFhir');
  });

  it('too-large: the byte limit is checked before decoding, the entry limit before validating', () => {
    const e = expectKind(() => parseBundle(new Uint8Array(2048).fill(0x7b), { maxBytes: 1024 }), 'too-large', 'fhir.error.tooLarge');
    expect(e.params).toEqual({ size: '0.0 MiB', max: '0.0 MiB' });
    expectKind(() => parseBundle('x'.repeat(1025), { maxBytes: 1024 }), 'too-large', 'fhir.error.tooLarge');
    // 400 three-byte characters are 1,200 bytes though only 400 UTF-16 units.
    expectKind(() => parseBundle(`"${'漢'.repeat(400)}"`, { maxBytes: 1024 }), 'too-large', 'fhir.error.tooLarge');
    const many = bundle(Array.from({ length: 11 }, () => ({ resource: { resourceType: 'Basic' } })));
    const t = expectKind(() => parseBundle(many, { maxEntries: 10 }), 'too-large', 'fhir.error.tooManyEntries');
    expect(t.params).toEqual({ count: 11, max: 10 });
    expect(parseBundle(many, { maxEntries: 11 }).entry).toHaveLength(11);
    expect(DEFAULT_LIMITS).toEqual({ maxBytes: 20 * 1024 * 1024, maxEntries: 20_000 });
  });

  it('invalid: a Bundle.type outside R4, an entry that is not an object, a resource without resourceType', () => {
    expect(expectKind(() => parseBundle(bundle([], 'bogus')), 'invalid', 'fhir.error.invalidBundle').message).toContain('type');
    expectKind(() => parseBundle(JSON.stringify({ resourceType: 'Bundle', entry: [] })), 'invalid', 'fhir.error.invalidBundle');
    expectKind(() => parseBundle(bundle([42])), 'invalid', 'fhir.error.invalidBundle');
    const e = expectKind(() => parseBundle(bundle([{ resource: { resourceType: 'Basic' } }, { resource: { id: 'x' } }])), 'invalid', 'fhir.error.invalidBundle');
    expect(e.message).toContain('entry[1].resource.resourceType');
  });

  it('invalid: a field we read with the wrong type, named by entry, resource type and path', () => {
    const e = expectKind(
      () =>
        parseBundle(
          bundle([
            { resource: { resourceType: 'Patient', name: [{ family: 'X' }] } },
            { resource: { resourceType: 'Observation', code: { text: 'Weight' }, valueQuantity: { value: '71', unit: 'kg' } } },
            { resource: { resourceType: 'Encounter', period: { start: 'last Tuesday' } } }
          ])
        ),
      'invalid',
      'fhir.error.invalidResource'
    );
    expect(e.message).toContain('entry[1] (Observation) valueQuantity.value');
    expect(e.message).toContain('entry[2] (Encounter) period.start');
    expect(e.params.count).toBe(2);
    expectKind(() => parseBundle(bundle([{ resource: { resourceType: 'lowercase' } }])), 'invalid', 'fhir.error.invalidResource');
  });

  it('misuse is a TypeError or RangeError, not a FhirError', () => {
    expect(() => parseBundle(42 as unknown as string)).toThrow(TypeError);
    expect(() => parseBundle('{}', { maxBytes: 0 })).toThrow(RangeError);
    expect(() => parseBundle('{}', { maxEntries: 1.5 })).toThrow(RangeError);
  });
});

describe('isFhirBundle', () => {
  it('says yes for bundles, as bytes or text, whatever the key order', () => {
    expect(isFhirBundle(fixtureBytes('ada-quill.json'))).toBe(true);
    expect(isFhirBundle(fixtureText('ouyang-xiaolan.json'))).toBe(true);
    expect(isFhirBundle(fixtureBytes('no-patient.json').buffer as ArrayBuffer)).toBe(true);
    expect(isFhirBundle('\ufeff {"type":"collection","entry":[{"resource":{"resourceType":"Patient"}}],"resourceType":"Bundle"}')).toBe(true);
  });

  it('says no for other files, other resources, and a Bundle that is only nested or quoted', () => {
    expect(isFhirBundle(fixtureBytes('bad-not-json.json'))).toBe(false);
    expect(isFhirBundle(fixtureBytes('bad-not-bundle.json'))).toBe(false);
    expect(isFhirBundle(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]))).toBe(false); // %PDF-
    expect(isFhirBundle(new Uint8Array(0))).toBe(false);
    expect(isFhirBundle('{"resourceType":"Parameters","parameter":[{"resource":{"resourceType":"Bundle"}}]}')).toBe(false);
    expect(isFhirBundle('{"note":"\\"resourceType\\": \\"Bundle\\"","resourceType":"Patient"}')).toBe(false);
    expect(isFhirBundle('[{"resourceType":"Bundle"}]')).toBe(false);
    expect(isFhirBundle(7 as unknown as string)).toBe(false);
  });
});
