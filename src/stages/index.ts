/** The stages of the path, in the order the runner takes them. */
import type { Stage } from './types.js';
import { envStage } from './env.js';
import { dnsStage } from './dns.js';
import { tcpStage } from './tcp.js';
import { tlsStage } from './tls.js';
import { httpStage } from './http.js';
import { lazyStage } from './lazy.js';
import { proxyShouldRun } from './proxy-when.js';
import { streamShouldRun } from './stream-when.js';
import { mtuShouldRun } from './mtu-when.js';

// proxy, stream and mtu run on some runs only: their code loads when they do (lazy.ts).
const proxyStage = lazyStage('proxy', proxyShouldRun, async () => (await import('./proxy.js')).proxyStage);
const streamStage = lazyStage('stream', streamShouldRun, async () => (await import('./stream.js')).streamStage);
const mtuStage = lazyStage('mtu', mtuShouldRun, async () => (await import('./mtu.js')).mtuStage);

export const STAGES: readonly Stage[] = [envStage, dnsStage, tcpStage, proxyStage, tlsStage, httpStage, streamStage, mtuStage];
