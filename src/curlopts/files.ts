/** Reading --cert and --key: PEM files, or a usage error in one line. */
import { readFile } from '../safe-io/fs-async.js';
import { UsageError } from '../errors.js';

export interface ClientCert {
  cert: string;
  key: string;
}

async function read(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read "${file}" (${(e as { code?: string }).code ?? 'error'})`);
  }
}

/** The client certificate and its key (from --key, else from the --cert file itself, as curl). */
export async function readClientCert(certFile: string, keyFile: string | undefined): Promise<ClientCert> {
  const cert = await read(certFile, '--cert');
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--cert: "${certFile}" holds no PEM certificate`);
  const key = keyFile !== undefined ? await read(keyFile, '--key') : cert;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw new UsageError(keyFile !== undefined ? `--key: "${keyFile}" holds no PEM private key` : `--cert: "${certFile}" holds no private key; give it with --key`);
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key)) throw new UsageError(`--key: the private key is encrypted; give an unencrypted copy (openssl pkey -in key.pem -out plain.pem)`);
  return { cert, key };
}
