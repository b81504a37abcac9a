/**
 * Loads data for a view and reloads it when its inputs (usually including the
 * live version) change; answers to superseded requests are dropped.
 * @module
 */
import { useEffect, useState } from "preact/hooks";

export function useFetch<T>(load: () => Promise<T> | null, deps: unknown[]): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const pending = load();
    if (!pending) {
      setData(null);
      return;
    }
    let alive = true;
    pending.then(
      (value) => {
        if (!alive) return;
        setData(value);
        setError(null);
      },
      (e: Error) => alive && setError(e.message),
    );
    return () => {
      alive = false;
    };
  }, deps);
  return { data, error };
}
