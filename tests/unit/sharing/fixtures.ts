/** A FHIR-like JSON record with the awkward parts: strings holding `,` `:` `"` and escapes, nesting, arrays. */
export function fhirRecord(observations = 100): Uint8Array {
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      {
        fullUrl: 'urn:uuid:4f2c',
        resource: {
          resourceType: 'Patient',
          id: '4f2c',
          name: [{ family: 'Doe, "Jr."', given: ['Jane: A.', 'x\\"y,z'] }],
          birthDate: '1970-01-01',
          text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">a, b: c</div>' }
        }
      },
      ...Array.from({ length: observations }, (_, i) => ({
        fullUrl: `urn:uuid:obs-${i}`,
        resource: {
          resourceType: 'Observation',
          id: `obs-${i}`,
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate, "resting"' }] },
          valueQuantity: { value: 60 + (i % 30), unit: '/min' }
        }
      }))
    ]
  };
  return new TextEncoder().encode(JSON.stringify(bundle, null, 2) + '\n');
}

export const parse = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
