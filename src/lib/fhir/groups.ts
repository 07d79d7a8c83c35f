/**
 * What the timeline view shows: entries filtered by kind and a text search,
 * grouped by the encounter they happened in (entries outside any encounter
 * in the bundle are grouped by calendar day, as recorded).
 *
 * Search: the query is split on spaces; an entry matches when every word
 * occurs (case-insensitively) in its title, detail, status or date. A group
 * is shown when its encounter matches, or when any member does; members
 * are shown when their kind is selected and they match, or the query
 * matched the encounter itself ("all of that visit").
 */
import type { TimelineEntry, TimelineKind } from './timeline';

export interface TimelineFilter {
  /** Kinds to show; all when absent. */
  kinds?: Iterable<TimelineKind>;
  /** Free text; empty shows everything. */
  query?: string;
}

export interface TimelineGroup {
  /** "encounter:<id>", "day:<YYYY-MM-DD>" or "undated": stable across filters. */
  key: string;
  /** The encounter heading the group, if the group is one. */
  encounter?: TimelineEntry;
  /** The encounter's date, or the day's date, or null. */
  date: string | null;
  time: number;
  /** The visible members, newest first (the encounter itself is not among them). */
  items: TimelineEntry[];
}

export interface GroupedTimeline {
  groups: TimelineGroup[];
  /** How many entries are visible (encounters included). */
  shown: number;
}

const ENCOUNTER_PREFIX = 'Encounter/';

function matcher(query: string | undefined): (e: TimelineEntry) => boolean {
  const words = (query ?? '').toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return () => true;
  return (e) => {
    const hay = [e.title, e.detail, e.status, e.date].filter(Boolean).join('\n').toLocaleLowerCase();
    return words.every((w) => hay.includes(w));
  };
}

/**
 * Filters and groups a timeline (as `timeline()` returns it: newest first).
 * Pure; the entries are shared, not copied.
 */
export function groupTimeline(entries: readonly TimelineEntry[], filter: TimelineFilter = {}): GroupedTimeline {
  const kinds = filter.kinds ? new Set(filter.kinds) : undefined;
  const kindOk = (e: TimelineEntry) => !kinds || kinds.has(e.kind);
  const matches = matcher(filter.query);

  const encounters = new Map<string, TimelineEntry>();
  for (const e of entries) if (e.kind === 'encounter' && e.ref.startsWith(ENCOUNTER_PREFIX)) encounters.set(e.ref.slice(ENCOUNTER_PREFIX.length), e);

  interface Draft {
    group: TimelineGroup;
    headerShown: boolean;
    headerMatched: boolean;
    members: TimelineEntry[];
  }
  const drafts = new Map<string, Draft>();
  const draft = (key: string, make: () => TimelineGroup): Draft => {
    let d = drafts.get(key);
    if (!d) drafts.set(key, (d = { group: make(), headerShown: false, headerMatched: false, members: [] }));
    return d;
  };

  for (const e of entries) {
    if (e.kind === 'encounter') {
      const id = e.ref.slice(ENCOUNTER_PREFIX.length);
      const d = draft(`encounter:${id}`, () => ({ key: `encounter:${id}`, encounter: e, date: e.date, time: e.time, items: [] }));
      d.headerMatched = matches(e);
      d.headerShown = d.headerMatched && kindOk(e);
      continue;
    }
    const enc = e.encounterId !== undefined ? encounters.get(e.encounterId) : undefined;
    if (enc) {
      const id = e.encounterId as string;
      draft(`encounter:${id}`, () => ({ key: `encounter:${id}`, encounter: enc, date: enc.date, time: enc.time, items: [] })).members.push(e);
    } else if (e.date) {
      const day = e.date.slice(0, 10);
      draft(`day:${day}`, () => ({ key: `day:${day}`, date: day, time: e.time, items: [] })).members.push(e);
    } else {
      draft('undated', () => ({ key: 'undated', date: null, time: NaN, items: [] })).members.push(e);
    }
  }

  const groups: TimelineGroup[] = [];
  let shown = 0;
  for (const d of drafts.values()) {
    d.group.items = d.members.filter((m) => kindOk(m) && (d.headerMatched && d.group.encounter !== undefined ? true : matches(m)));
    if (!d.headerShown && !d.group.items.length) continue;
    shown += d.group.items.length + (d.headerShown ? 1 : 0);
    groups.push(d.group);
  }
  groups.sort((a, b) => {
    const ta = Number.isNaN(a.time) ? -Infinity : a.time;
    const tb = Number.isNaN(b.time) ? -Infinity : b.time;
    return ta !== tb ? (tb > ta ? 1 : -1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  return { groups, shown };
}
