/**
 * `--curl`: the curl, openssl s_client and dig commands that repeat this run's checks by hand, one
 * stage at a time, with the run's pins, --ca, proxy, client certificate and -H headers, and the key
 * as the variable the run reads (never its value). It prints only: nothing is probed, so it works
 * offline and on a box where the tool cannot reach the target, and the commands can be handed on.
 */
import { isIP } from '../net/is-ip.js';
import { pinFor, type Config } from '../config.js';
import { connectTarget } from './options.js';
import { curlWords, diagnoseWords, keyHeaderWords, proxyOf, sclientWords, urlWord } from '../commands/params.js';
import { sq } from '../commands/shell.js';
import { profileFor, providerContext } from '../providers/index.js';
import { formatHost } from '../target.js';

function urlFor(config: Config, path: string): string {
  const t = config.target;
  const def = t.scheme === 'https' ? 443 : 80;
  return `${t.scheme}://${formatHost(t.host)}${t.port === def ? '' : `:${t.port}`}${path}`;
}

export function reproduceCommands(config: Config, env: Record<string, string | undefined>): string {
  const t = config.target;
  const proxy = proxyOf(config, env);
  const profile = profileFor(config.provider);
  const pctx = providerContext(t, config.model);
  const curl = curlWords(config, proxy).join(' ');
  const keyHeaders = keyHeaderWords(config).join(' ');
  const out: string[] = [`# The checks of: ${diagnoseWords(config, proxy).join(' ')}`, '# Secrets stay variables: set them in your shell first, never paste their values here.', ''];

  // dns: the first hop's name (the proxy's when one applies).
  const to = connectTarget(config.connectTo, t.host, t.port);
  const hop = proxy ? { host: proxy.url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(proxy.url.port || (proxy.url.protocol === 'https:' ? 443 : 80)) } : to;
  out.push(`# dns: what ${hop.host} resolves to${proxy ? ` (the proxy, from ${proxy.from})` : ''}`);
  const pin = pinFor(config.resolve, hop.host, hop.port);
  if (isIP(hop.host)) out.push(`# skipped: ${hop.host} is an IP address`);
  else if (pin) out.push(`# skipped: --resolve pins ${hop.host}:${hop.port} to ${pin.addresses.join(', ')}`);
  else if (config.resolvers.length > 0) {
    for (const r of config.resolvers) out.push(`dig @${r.address}${r.port !== 53 ? ` -p ${r.port}` : ''} ${sq(hop.host)} A +short; dig @${r.address}${r.port !== 53 ? ` -p ${r.port}` : ''} ${sq(hop.host)} AAAA +short`);
  } else out.push(`getent ahosts ${sq(hop.host)}`, `dig ${sq(hop.host)} A +short; dig ${sq(hop.host)} AAAA +short`);
  out.push('');

  // tcp / proxy / tls: one openssl handshake covers the connect, the CONNECT tunnel and TLS.
  if (t.scheme === 'https') {
    out.push(`# tcp${proxy ? ', proxy CONNECT' : ''} and tls: the handshake, the chain and the name (look for "Verification: OK")`);
    out.push(`${sclientWords(config, proxy).join(' ')} -brief </dev/null`);
  } else {
    const dial = pinFor(config.resolve, hop.host, hop.port)?.addresses[0] ?? hop.host;
    out.push(`# tcp: the port answers`, proxy ? `${curl} -sS -o /dev/null -w '%{http_code}\\n' ${sq(urlFor(config, '/'))}` : `nc -vz -w 5 ${sq(dial)} ${hop.port}`);
  }
  out.push('');

  // http: the provider's key check, as the http stage sends it.
  const check = profile.keyCheck(pctx);
  out.push(`# http: the ${profile.name} key check (${check.method} ${check.path.split('?')[0]}); -i shows the status and the request ids`);
  const body = check.body !== undefined ? ` -H 'content-type: application/json' --data-raw ${sq(JSON.stringify(check.body))}` : '';
  out.push(`${curl} -sS -i${check.method === 'POST' && !body ? ' -X POST' : ''}${keyHeaders ? ` ${keyHeaders}` : ''} -H 'accept: application/json'${body} ${urlWord(config, urlFor(config, check.path))}`);
  out.push('');

  // stream: the smallest streaming request, unbuffered.
  const s = profile.streamRequest(pctx);
  out.push(`# stream: events should arrive one by one, not all at the end (spends a few tokens)`);
  const sh = Object.entries(s.headers ?? {}).map(([k, v]) => ` -H ${sq(`${k}: ${v}`)}`).join('');
  out.push(`${curl} -N -sS${keyHeaders ? ` ${keyHeaders}` : ''}${sh}${s.body !== undefined ? ` --data-raw ${sq(JSON.stringify(s.body))}` : ''} ${urlWord(config, urlFor(config, s.path))}`);
  return `${out.join('\n')}\n`;
}
