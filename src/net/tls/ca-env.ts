/**
 * The CA-bundle variables a program on this machine relies on (NODE_EXTRA_CA_CERTS for Node,
 * SSL_CERT_FILE for OpenSSL-based tools and Node with --use-openssl-ca) when they name a file that
 * is missing or cannot be read: the trust the user meant to add is silently absent (Node only warns
 * once on stderr at start-up), which is what an untrusted chain then looks like.
 */
import { readFile, stat } from '../../safe-io/fs-async.js';

export interface CaEnvProblem {
  variable: 'NODE_EXTRA_CA_CERTS' | 'SSL_CERT_FILE';
  path: string;
  /** missing: no such file; unreadable: permissions or I/O; directory: a folder, not a PEM file; empty: no PEM certificate in it. */
  problem: 'missing' | 'unreadable' | 'directory' | 'empty';
  /** The error code behind `missing` / `unreadable` (ENOENT, EACCES ...). */
  code?: string;
}

const MAX = 8 * 1024 * 1024;

export async function caEnvProblems(env: Record<string, string | undefined>): Promise<CaEnvProblem[]> {
  const out: CaEnvProblem[] = [];
  for (const variable of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'] as const) {
    const path = env[variable];
    if (!path) continue;
    try {
      const st = await stat(path);
      if (st.isDirectory()) {
        out.push({ variable, path, problem: 'directory' });
        continue;
      }
      if (st.size > MAX) continue; // too big to read here; not judged
      const text = await readFile(path, 'utf8');
      if (!text.includes('-----BEGIN CERTIFICATE-----')) out.push({ variable, path, problem: 'empty' });
    } catch (err) {
      const code = (err as { code?: string }).code;
      out.push({ variable, path, problem: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', ...(code ? { code } : {}) });
    }
  }
  return out;
}
