/** Every diagnosis the tool can produce, by code. */
import type { CatalogueEntry } from './types.js';
import { envEntries } from './env.js';
import { dnsEntries } from './dns.js';
import { tcpEntries } from './tcp.js';
import { proxyEntries } from './proxy.js';
import { tlsEntries } from './tls.js';
import { httpEntries } from './http.js';
import { streamEntries } from './stream.js';
import { mtuEntries } from './mtu.js';
import { keepaliveEntries } from './keepalive.js';
import { sampleEntries } from './samples.js';
import { accuracyEntries } from './accuracy.js';
import { http2Entries } from './http2.js';
import { keyGivenEntries } from './key-given.js';
import { keyEntries } from './key.js';
import { gatewayEntries } from './gateway.js';
import { secretsEntries } from './secrets.js';

export type { CatalogueEntry, CatalogueStep } from './types.js';

export const CATALOGUE: readonly CatalogueEntry[] = [
  ...envEntries,
  ...dnsEntries,
  ...tcpEntries,
  ...proxyEntries,
  ...tlsEntries,
  ...httpEntries,
  ...streamEntries,
  ...mtuEntries,
  ...keepaliveEntries,
  ...sampleEntries,
  ...accuracyEntries,
  ...http2Entries,
  ...keyGivenEntries,
  ...keyEntries,
  ...gatewayEntries,
  ...secretsEntries,
];

const BY_CODE = new Map(CATALOGUE.map((e) => [e.code, e]));

export function catalogueEntry(code: string): CatalogueEntry | undefined {
  return BY_CODE.get(code);
}

/** Fill `{name}` placeholders; unknown names are left as they are. */
export function fillTemplate(text: string, params: Record<string, string | number> | undefined): string {
  if (!params) return text;
  return text.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
