/**
 * Copy-on-write views over the state's maps: a block is applied to a draft
 * whose maps are copied on first write, so the previous state object is never
 * touched (a rejected block leaves it exactly as it was) and unchanged maps are
 * shared between successive states.
 */
export class CowMap<K, V> {
  private copy: Map<K, V> | null = null;
  constructor(private readonly base: ReadonlyMap<K, V>) {}
  private get cur(): ReadonlyMap<K, V> {
    return this.copy ?? this.base;
  }
  get(k: K): V | undefined {
    return this.cur.get(k);
  }
  has(k: K): boolean {
    return this.cur.has(k);
  }
  get size(): number {
    return this.cur.size;
  }
  values(): IterableIterator<V> {
    return this.cur.values();
  }
  entries(): IterableIterator<[K, V]> {
    return this.cur.entries();
  }
  private writable(): Map<K, V> {
    this.copy ??= new Map(this.base);
    return this.copy;
  }
  set(k: K, v: V): void {
    this.writable().set(k, v);
  }
  delete(k: K): void {
    if (this.cur.has(k)) this.writable().delete(k);
  }
  /** The resulting map: the original object when nothing was written. */
  result(): ReadonlyMap<K, V> {
    return this.cur;
  }
}

export class CowSet<T> {
  private copy: Set<T> | null = null;
  constructor(private readonly base: ReadonlySet<T>) {}
  has(v: T): boolean {
    return (this.copy ?? this.base).has(v);
  }
  add(v: T): void {
    this.copy ??= new Set(this.base);
    this.copy.add(v);
  }
  result(): ReadonlySet<T> {
    return this.copy ?? this.base;
  }
}
