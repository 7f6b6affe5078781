/**
 * A bounded map that forgets the least recently used entry first. A Map keeps insertion order, so
 * a hit is moved to the end and the first key is the one to evict: a few lines, not a package.
 */
export function createLru<K, V>(capacity: number) {
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`invalid capacity ${capacity}`);
  const entries = new Map<K, V>();
  return {
    get(key: K): V | undefined {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key: K, value: V): void {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as K);
    },
    get size() {
      return entries.size;
    },
  };
}
