/**
 * The keep-alive probe's section -> findings (pure): STALE_KEEPALIVE when the far side closes
 * idle connections (with which client pools will race it), IDLE_CONNECTION_DROPPED when an idle
 * connection the far side never closed got no answer while a fresh one did.
 */
import type { KeepaliveSection } from '../../net/keepalive/section.js';
import type { Finding } from '../../stages/types.js';
import { raceVerdicts } from './clients.js';

export interface KeepaliveRuleContext {
  /** The forward proxy the run went through (display form), when one applied. */
  proxy?: string;
}

const s = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 2 : 1)} s`;

function closeWords(k: KeepaliveSection): string {
  switch (k.closedBy) {
    case 'fin':
      return 'the far side closed the idle connection (FIN)';
    case 'rst':
      return 'the far side reset the idle connection (RST)';
    case 'rst-on-reuse':
      return 'no close was seen while idle, but the reuse met a reset (RST)';
    case 'fin-on-reuse':
      return 'no close was seen while idle, but the reuse met a closed connection (FIN)';
    default:
      return 'the far side closed the idle connection';
  }
}

export function keepaliveFindings(k: KeepaliveSection, ctx: KeepaliveRuleContext = {}): Finding[] {
  const via = ctx.proxy ? ` (through the proxy ${ctx.proxy}: the proxy or anything behind it)` : '';
  if (k.outcome === 'closed' && k.idleTimeoutSeconds !== undefined) {
    const t = k.idleTimeoutSeconds;
    const exact = k.closedBy === 'fin' || k.closedBy === 'rst';
    const verdicts = raceVerdicts(t, k.advertisedTimeoutSeconds);
    const racing = verdicts.filter((v) => v.races);
    const safe = verdicts.filter((v) => !v.races);
    const evidence = [`${closeWords(k)} after ${exact ? '' : 'at most '}${s(t)} of idleness${via}`];
    if (k.survivedSeconds !== undefined) evidence.push(`a reuse after ${s(k.survivedSeconds)} idle was answered`);
    if (k.advertisedTimeoutSeconds !== undefined) evidence.push(`the answer advertised Keep-Alive: timeout=${k.advertisedTimeoutSeconds}${k.advertisedTimeoutSeconds > t ? `, longer than the idle timeout measured: something closes sooner than the server says` : ''}`);
    if (racing.length > 0) evidence.push(`pools that keep idle connections ${s(t)} or longer will race it: ${racing.map((v) => `${v.client} (${s(v.idleSeconds)})`).join(', ')}`);
    if (safe.length > 0) evidence.push(`pools that drop idle connections sooner are safe: ${safe.map((v) => `${v.client} (${v.idleSeconds === 0 ? 'no reuse after this hint' : s(v.idleSeconds)})`).join(', ')}`);
    // The client's idle timeout to recommend: a margin under the far side's, never below 1 s.
    const advice = Math.max(1, Math.floor(t * 0.8 * 10) / 10);
    return [
      {
        code: 'STALE_KEEPALIVE',
        stage: 'http',
        evidence,
        details: {
          idleTimeoutSeconds: t,
          closedBy: k.closedBy,
          ...(k.survivedSeconds !== undefined ? { survivedSeconds: k.survivedSeconds } : {}),
          ...(k.advertisedTimeoutSeconds !== undefined ? { advertisedTimeoutSeconds: k.advertisedTimeoutSeconds } : {}),
          racingClients: racing.map((v) => v.client),
          safeClients: safe.map((v) => v.client),
        },
        params: { idleTimeoutSeconds: t, clientIdleSeconds: advice, clientIdleMs: Math.round(advice * 1000) },
      },
    ];
  }
  if (k.outcome === 'dropped' && k.droppedAfterSeconds !== undefined) {
    const t = k.droppedAfterSeconds;
    const evidence = [`a connection left idle for ${s(t)} and never closed by the far side got no answer within ${(k.replyWaitMs / 1000).toFixed(1)} s when reused${via}`];
    evidence.push('a fresh connection asked the same at that moment was answered: the path works, only the idle flow was forgotten');
    if (k.survivedSeconds !== undefined) evidence.push(`a reuse after ${s(k.survivedSeconds)} idle was answered: the flow is forgotten somewhere between ${s(k.survivedSeconds)} and ${s(t)}`);
    const advice = Math.max(1, Math.floor((k.survivedSeconds ?? t / 2) * 0.8 * 10) / 10);
    return [
      {
        code: 'IDLE_CONNECTION_DROPPED',
        stage: 'http',
        evidence,
        details: { idleSeconds: t, ...(k.survivedSeconds !== undefined ? { survivedSeconds: k.survivedSeconds } : {}), replyWaitMs: k.replyWaitMs },
        params: { idleSeconds: t, clientIdleSeconds: advice, clientIdleMs: Math.round(advice * 1000) },
      },
    ];
  }
  return [];
}
