/**
 * FHIR dates for people, in the UI's language. A record's date is shown as
 * the record wrote it: the wall-clock date and time in the zone it was
 * recorded in, never shifted to the reader's zone (a 23:30 visit in Beijing
 * stays on its day for a reader in London). Partial dates stay partial.
 */

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' })));
  return f;
}

const PARTS = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?/;

/**
 * "2 May 2019, 09:05" / "2019年5月2日 09:05"; "May 2019"; "2016".
 * @param withTime false to show the day only
 */
export function formatFhirDate(date: string | null | undefined, locale: string, withTime = true): string {
  const m = date ? PARTS.exec(date) : null;
  if (!m) return date ?? '';
  const [, y, mo, d, hh, mm] = m;
  if (!mo) return y;
  if (!d) return formatter(locale, { year: 'numeric', month: 'long' }).format(Date.UTC(+y, +mo - 1, 1));
  const at = Date.UTC(+y, +mo - 1, +d, hh ? +hh : 0, mm ? +mm : 0);
  return formatter(locale, withTime && hh ? { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' } : { dateStyle: 'medium' }).format(at);
}

/** "09:05" as written, or '' for a date without a time. */
export function timeOfDay(date: string | null | undefined): string {
  const m = date ? /T(\d{2}:\d{2})/.exec(date) : null;
  return m ? m[1] : '';
}

/** Whether two FHIR dates fall on the same written calendar day. */
export function sameDay(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.length >= 10 && b.length >= 10 && a.slice(0, 10) === b.slice(0, 10);
}
