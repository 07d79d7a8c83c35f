/**
 * Turning FHIR values into short text a person reads: numbers, UCUM units,
 * Quantities and Observation values (including blood pressure panels).
 *
 * The output is language-neutral (digits, unit symbols, coded display text
 * as the record has it); words around it ("until", "status") are the UI's,
 * through i18n.
 */
import { conceptText } from './bundle';
import type { Observation, ObservationComponent, Quantity } from './schema';

/** LOINC codes of the blood pressure components. */
export const LOINC_SYSTOLIC = '8480-6';
export const LOINC_DIASTOLIC = '8462-4';

/**
 * A measured number with about four significant digits, never rounding away
 * integer digits, trailing zeros trimmed: 57.80197 → "57.8", 131.0568 →
 * "131.1", 12345.6 → "12346", 0.0031234 → "0.003123", 7 → "7".
 * @throws TypeError if `n` is not a finite number
 */
export function formatNumber(n: number): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`n: expected a finite number, got ${n}`);
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  const s = abs >= 1 ? n.toFixed(Math.max(0, 3 - Math.floor(Math.log10(abs)))) : n.toPrecision(4);
  return s.includes('e') || !s.includes('.') ? s : s.replace(/\.?0+$/, '');
}

const UNIT_SYMBOLS: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  Cel: '°C',
  '[degF]': '°F',
  '[lb_av]': 'lb',
  '[in_i]': 'in',
  '[ft_i]': 'ft',
  '[oz_av]': 'oz',
  '/min': '/min',
  '{beats}/min': '/min',
  '{breaths}/min': '/min',
  '1': ''
};

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };

/**
 * A UCUM unit as people write it: "mm[Hg]" → "mmHg", "kg/m2" → "kg/m²",
 * "10*3/uL" → "×10³/µL", "{score}" → "" (annotations are not units),
 * "[IU]/mL" → "IU/mL". Units that are already human text pass unchanged.
 */
export function displayUnit(unit: string | undefined): string {
  if (!unit) return '';
  const known = UNIT_SYMBOLS[unit];
  if (known !== undefined) return known;
  return unit
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[([^\]]+)\]/g, '$1')
    .replace(/10\*(-?\d+)/g, (_, e: string) => `×10${[...e].map((d) => SUPERSCRIPT[d] ?? d).join('')}`)
    .replace(/(^|[/.])u(?=(?:L|g|mol|IU|U)\b)/g, '$1µ')
    .replace(/([a-zA-Z])([23])(?=$|[/.])/g, (_, a: string, d: string) => `${a}${SUPERSCRIPT[d]}`)
    .replace(/^\/$/, '')
    .trim();
}

/** "57.8 cm", "7.9%", "88/min", "> 5 mg/L", "3" (a score): the value, then the unit if any. */
export function formatQuantity(q: Quantity | undefined, digits?: number): string | undefined {
  if (!q || typeof q.value !== 'number' || !Number.isFinite(q.value)) return undefined;
  const num = digits === undefined ? formatNumber(q.value) : q.value.toFixed(digits);
  const unit = displayUnit(q.unit ?? q.code);
  const cmp = q.comparator ? `${q.comparator} ` : '';
  // "%", "°C" and "/min" sit against the number; other units get a space.
  const sep = unit === '%' || unit.startsWith('°') || unit.startsWith('/') ? '' : ' ';
  return unit ? `${cmp}${num}${sep}${unit}` : `${cmp}${num}`;
}

type ValueCarrier = Pick<Observation, 'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger' | 'valueTime' | 'valueDateTime'>;

/** The value[x] of an Observation or component as text, if it has one we show. */
export function formatValue(o: ValueCarrier): string | undefined {
  if (o.valueQuantity) return formatQuantity(o.valueQuantity);
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  if (typeof o.valueString === 'string') return o.valueString;
  if (typeof o.valueInteger === 'number') return String(o.valueInteger);
  if (typeof o.valueBoolean === 'boolean') return o.valueBoolean ? '✓' : '✗';
  if (typeof o.valueTime === 'string') return o.valueTime.slice(0, 5);
  if (typeof o.valueDateTime === 'string') return o.valueDateTime;
  return undefined;
}

function componentCode(c: ObservationComponent, loinc: string): boolean {
  return c.code?.coding?.some((x) => x.code === loinc && (!x.system || x.system === 'http://loinc.org')) ?? false;
}

/**
 * What an Observation found, as text: its value, or for a blood pressure
 * "systolic/diastolic unit" in whole mmHg ("131/80 mmHg"), or its other
 * components as "name: value; name: value".
 */
export function observationDetail(o: Observation): string | undefined {
  const own = formatValue(o);
  const comps = o.component ?? [];
  if (!comps.length) return own;
  const sys = comps.find((c) => componentCode(c, LOINC_SYSTOLIC))?.valueQuantity;
  const dia = comps.find((c) => componentCode(c, LOINC_DIASTOLIC))?.valueQuantity;
  if (typeof sys?.value === 'number' && typeof dia?.value === 'number') {
    const unit = displayUnit(sys.unit ?? sys.code ?? dia.unit ?? dia.code) || 'mmHg';
    return `${Math.round(sys.value)}/${Math.round(dia.value)} ${unit}`;
  }
  const parts = comps.map((c) => {
    const val = formatValue(c);
    const name = conceptText(c.code);
    return val === undefined ? undefined : name ? `${name}: ${val}` : val;
  });
  const text = parts.filter((p): p is string => p !== undefined).join('; ');
  return [own, text].filter(Boolean).join('; ') || undefined;
}
