/**
 * The timeline view's state: which kinds are shown, the search text, and how
 * many groups are rendered ("show more" pages through them, so a record with
 * thousands of entries renders a page at a time). Filtering and grouping are
 * $lib/fhir's `groupTimeline`; this class only holds the choices.
 */
import { groupTimeline, TIMELINE_KINDS, type GroupedTimeline, type TimelineEntry, type TimelineKind } from '$lib/fhir';

export class TimelineView {
  readonly pageSize: number;
  // Set in the constructor; the deriveds below read it lazily.
  readonly #entries: () => readonly TimelineEntry[] = () => [];

  /** Kinds shown; all at first. */
  kinds = $state<TimelineKind[]>([...TIMELINE_KINDS]);
  query = $state('');
  /** Groups rendered. */
  limit = $state(0);

  readonly grouped: GroupedTimeline = $derived(groupTimeline(this.#entries(), { kinds: this.kinds, query: this.query }));
  readonly groups = $derived(this.grouped.groups.slice(0, this.limit));
  /** Groups matched but not yet rendered. */
  readonly remaining = $derived(Math.max(0, this.grouped.groups.length - this.limit));

  /**
   * @param entries read reactively: the view follows a new bundle
   * @param pageSize groups per page (at least 1)
   */
  constructor(entries: () => readonly TimelineEntry[], pageSize = 25) {
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize: expected a positive integer, got ${pageSize}`);
    this.#entries = entries;
    this.pageSize = pageSize;
    this.limit = pageSize;
  }

  shows(kind: TimelineKind): boolean {
    return this.kinds.includes(kind);
  }

  /** Shows or hides one kind; back to the first page. */
  toggle(kind: TimelineKind): void {
    this.kinds = this.shows(kind) ? this.kinds.filter((k) => k !== kind) : TIMELINE_KINDS.filter((k) => k === kind || this.kinds.includes(k));
    this.limit = this.pageSize;
  }

  /** Shows every kind, or only `kind`. */
  showKinds(kind?: TimelineKind): void {
    this.kinds = kind ? [kind] : [...TIMELINE_KINDS];
    this.limit = this.pageSize;
  }

  search(text: string): void {
    this.query = text;
    this.limit = this.pageSize;
  }

  showMore(): void {
    this.limit += this.pageSize;
  }
}
