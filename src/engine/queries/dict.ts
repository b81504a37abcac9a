/**
 * Maps keyed by client-chosen strings (task ids, statuses, param and info
 * names) must not be plain objects: a key such as `__proto__` would replace
 * the object's prototype instead of becoming an entry, or, through a shared
 * prototype, leak into every object. These have no prototype at all, and
 * serialise to JSON like any object.
 * @module
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
