/** The hosts file: which lines pin a name (pure parser + a reader). */
import { readCapped } from '../../safe-io/read-capped.js';

export interface HostsEntry {
  address: string;
  names: string[];
  /** 1-based line number in the file. */
  line: number;
}

export function parseHosts(text: string): HostsEntry[] {
  const out: HostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [address, ...names] = line.split(/\s+/);
    if (address && names.length > 0) out.push({ address, names: names.map((n) => n.toLowerCase()), line: i + 1 });
  });
  return out;
}

export function hostsEntriesFor(entries: HostsEntry[], host: string): HostsEntry[] {
  const h = host.toLowerCase();
  return entries.filter((e) => e.names.includes(h));
}

export const DEFAULT_HOSTS_FILE = process.platform === 'win32' ? 'C:\\Windows\\System32\\drivers\\etc\\hosts' : '/etc/hosts';

/** Read and parse the hosts file; a missing or unreadable file gives no entries. */
export async function readHosts(path = DEFAULT_HOSTS_FILE): Promise<HostsEntry[]> {
  try {
    return parseHosts((await readCapped(path, { maxBytes: 4 * 1024 * 1024, timeoutMs: 2000 })).toString('utf8'));
  } catch {
    return [];
  }
}
