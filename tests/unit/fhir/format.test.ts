import { describe, expect, it } from 'vitest';
import { displayUnit, formatNumber, formatQuantity, observationDetail, type Observation } from '../../../src/lib/fhir';

describe('formatNumber', () => {
  it('keeps about four significant digits, never rounding away integer digits', () => {
    const cases: Array<[number, string]> = [
      [57.80197974519305, '57.8'],
      [131.0568597820524, '131.1'],
      [12345.6, '12346'],
      [0.0031234, '0.003123'],
      [0.5, '0.5'],
      [7, '7'],
      [-2.345678, '-2.346'],
      [1.106, '1.106'],
      [240.66, '240.7']
    ];
    for (const [n, s] of cases) expect(formatNumber(n), String(n)).toBe(s);
  });
  it('throws a TypeError for what is not a finite number', () => {
    expect(() => formatNumber(NaN)).toThrow(TypeError);
    expect(() => formatNumber(Infinity)).toThrow(TypeError);
  });
});

describe('displayUnit', () => {
  it('writes UCUM units as people read them', () => {
    const cases: Array<[string | undefined, string]> = [
      ['mm[Hg]', 'mmHg'],
      ['kg/m2', 'kg/m²'],
      ['10*3/uL', '×10³/µL'],
      ['10*6/uL', '×10⁶/µL'],
      ['{score}', ''],
      ['[IU]/mL', 'IU/mL'],
      ['Cel', '°C'],
      ['[degF]', '°F'],
      ['umol/L', 'µmol/L'],
      ['ug/mL', 'µg/mL'],
      ['mL/min/{1.73_m2}', 'mL/min/'],
      ['fL', 'fL'],
      ['%', '%'],
      ['beats per minute', 'beats per minute'],
      [undefined, '']
    ];
    for (const [u, s] of cases) expect(displayUnit(u), String(u)).toBe(s);
  });
});

describe('formatQuantity and observationDetail', () => {
  it('joins value and unit, with a comparator, or alone for unitless scores', () => {
    expect(formatQuantity({ value: 57.80197974519305, unit: 'cm' })).toBe('57.8 cm');
    expect(formatQuantity({ value: 42.3, unit: '%' })).toBe('42.3%');
    expect(formatQuantity({ value: 3, unit: '{score}' })).toBe('3');
    expect(formatQuantity({ value: 5, comparator: '<', code: 'mg/L' })).toBe('< 5 mg/L');
    expect(formatQuantity({ unit: 'kg' })).toBeUndefined();
    expect(formatQuantity(undefined)).toBeUndefined();
  });

  const bp = (sys: number, dia: number, unit = 'mm[Hg]'): Observation => ({
    resourceType: 'Observation',
    code: { text: 'Blood Pressure' },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: dia, unit } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: sys, unit } }
    ]
  });

  it('blood pressure: systolic/diastolic rounded to whole mmHg, whatever the component order', () => {
    expect(observationDetail(bp(131.0568597820524, 79.72379705844011))).toBe('131/80 mmHg');
    expect(observationDetail(bp(120, 80))).toBe('120/80 mmHg');
    expect(observationDetail(bp(16, 10.7, 'kPa'))).toBe('16/11 kPa');
  });

  it('other components as "name: value"; values of every kind we show', () => {
    const o: Observation = {
      resourceType: 'Observation',
      component: [
        { code: { text: 'Left eye' }, valueString: '6/9' },
        { code: { text: 'Right eye' }, valueCodeableConcept: { coding: [{ display: 'Normal' }] } },
        { code: { text: 'Missing' } }
      ]
    };
    expect(observationDetail(o)).toBe('Left eye: 6/9; Right eye: Normal');
    expect(observationDetail({ resourceType: 'Observation', valueBoolean: true })).toBe('✓');
    expect(observationDetail({ resourceType: 'Observation', valueTime: '18:23:47.376-05:00' })).toBe('18:23');
    expect(observationDetail({ resourceType: 'Observation', valueInteger: 0 })).toBe('0');
    expect(observationDetail({ resourceType: 'Observation' })).toBeUndefined();
  });
});
