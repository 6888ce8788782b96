/** resolv.conf: the nameservers, search list and options the system resolver uses (pure parser + reader). */
import { readCapped } from '../../safe-io/read-capped.js';

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
  /** Set when the file could not be read: the error code (ENOENT when it does not exist). */
  unreadable?: string;
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) conf.nameservers.push(rest[0].replace(/%.*$/, ''));
    else if (key === 'search' || key === 'domain') conf.search.push(...rest);
    else if (key === 'options') conf.options.push(...rest);
  }
  return conf;
}

export const DEFAULT_RESOLV_CONF = '/etc/resolv.conf';

/** Read resolv.conf; a missing or unreadable file gives an empty configuration that says so. */
export async function readResolvConf(path = DEFAULT_RESOLV_CONF): Promise<ResolvConf> {
  try {
    return parseResolvConf((await readCapped(path, { maxBytes: 4 * 1024 * 1024, timeoutMs: 2000 })).toString('utf8'));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { nameservers: [], search: [], options: [], unreadable: typeof code === 'string' ? code : 'error' };
  }
}
