/** Fixture bookkeeping a test file needs: keep what it started, close it all after its tests. */
import { afterAll } from 'vitest';
import type { Fixture } from '../../fixtures/types.js';

/** Awaits a fixture's start and keeps the handle for closing after the file's tests. */
export type Keep = <T extends Fixture>(start: Promise<T>) => Promise<T>;

/**
 * Call once at the top of a test file. Every fixture passed to the returned `keep` is closed after
 * the file's tests, the last started first (a proxy before the upstream behind it).
 */
export function closeAfterAll(): Keep {
  const open: Fixture[] = [];
  afterAll(async () => {
    for (const f of open.reverse()) await f.close();
  });
  return async (start) => {
    const f = await start;
    open.push(f);
    return f;
  };
}
