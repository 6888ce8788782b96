/** The stages of the path, in the order the runner takes them. */
import type { Stage } from './types.js';
import { envStage } from './env.js';
import { dnsStage } from './dns.js';
import { tcpStage } from './tcp.js';
import { proxyStage } from './proxy.js';
import { tlsStage } from './tls.js';
import { httpStage } from './http.js';
import { streamStage } from './stream.js';
import { mtuStage } from './mtu.js';

export const STAGES: readonly Stage[] = [envStage, dnsStage, tcpStage, proxyStage, tlsStage, httpStage, streamStage, mtuStage];
