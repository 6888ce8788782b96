/**
 * net/dial.ts openRawTimed: the first stage to dial after the tcp stage takes that stage's open
 * connection, unless it closed meanwhile or sat unused longer than KEPT_IDLE_MAX_MS (a server may
 * give up on a connection that sends nothing while other addresses were still being tried); then
 * it dials a new one. Real sockets on 127.0.0.1.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { KEPT_IDLE_MAX_MS, openRawTimed } from '../../src/net/dial.js';
import { Redactor } from '../../src/secret.js';
import type { Endpoint, RunContext } from '../../src/stages/types.js';

let server: Server;
let accepted = 0;
const open: Socket[] = [];
afterAll(() => {
  for (const s of open) s.destroy();
  server?.close();
});

async function setup(): Promise<{ ctx: RunContext; endpoint: Endpoint; kept: Socket }> {
  if (!server) {
    server = createServer((s) => {
      accepted++;
      open.push(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const port = (server.address() as { port: number }).port;
  const endpoint: Endpoint = { address: '127.0.0.1', family: 4, port, source: 'literal' };
  const kept = connect({ host: '127.0.0.1', port });
  open.push(kept);
  await new Promise((resolve) => kept.once('connect', resolve));
  const ctx: RunContext = {
    config: buildConfig(`http://127.0.0.1:${port}/v1`, { provider: 'openai-compatible' }),
    env: {},
    redactor: new Redactor(),
    state: { endpoint },
    now: () => performance.now(),
    results: {},
  };
  return { ctx, endpoint, kept };
}

describe('openRawTimed: the tcp stage connection or a new one', () => {
  it('a connection kept a moment ago is taken, once, with the tcp stage connect time', async () => {
    const { ctx, endpoint, kept } = await setup();
    ctx.state.tcpHandoff = { socket: kept, endpoint, connectMs: 1.25, keptAt: ctx.now() };
    const before = accepted;
    const first = await openRawTimed(ctx, new AbortController().signal);
    expect(first.socket).toBe(kept);
    expect(first.connectMs).toBe(1.25);
    expect(ctx.state.tcpHandoff).toBeUndefined();
    const second = await openRawTimed(ctx, new AbortController().signal);
    open.push(second.socket);
    expect(second.socket).not.toBe(kept);
    expect(second.connectMs).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted).toBe(before + 1);
  });

  it('one that sat unused too long is closed and a new one dialled', async () => {
    const { ctx, endpoint, kept } = await setup();
    ctx.state.tcpHandoff = { socket: kept, endpoint, connectMs: 1, keptAt: ctx.now() - KEPT_IDLE_MAX_MS - 1 };
    const got = await openRawTimed(ctx, new AbortController().signal);
    open.push(got.socket);
    expect(got.socket).not.toBe(kept);
    expect(got.connectMs).toBeUndefined();
    expect(kept.destroyed).toBe(true);
  });

  it('one the peer reset is replaced', async () => {
    const { ctx, endpoint, kept } = await setup();
    kept.on('error', () => kept.destroy());
    kept.destroy();
    ctx.state.tcpHandoff = { socket: kept, endpoint, connectMs: 1, keptAt: ctx.now() };
    const got = await openRawTimed(ctx, new AbortController().signal);
    open.push(got.socket);
    expect(got.socket).not.toBe(kept);
  });
});
