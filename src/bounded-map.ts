/** A Map that keeps at most `max` entries: setting a new key past that drops the oldest. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

/** The value `cache` holds for `key`, made by `make` (and kept) when it holds none; what `make` throws is not kept. */
export function cached<K, V>(cache: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: (key: K) => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make(key);
    cache.set(key, v);
  }
  return v;
}
