/** The files the CLI reads and writes besides stdin/stdout: the --ca bundle and --output reports. */
import { randomBytes } from 'node:crypto';
import { rename, stat, unlink, writeFile } from './safe-io/fs-async.js';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import { x509OfPem } from './net/tls/cert.js';
import { CA_BUNDLE_MAX, describeReadError, readCapped } from './safe-io/read-capped.js';

/**
 * Write a file atomically: a temporary file in the same folder, then rename. Readers (a
 * textfile collector, a CI upload) see the old file or the new one, never half of one; the
 * temporary name ends in .tmp so collectors that pick files by extension ignore it.
 */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // Keep the mode of a file being replaced; a new one is world-readable (0644 before umask):
  // reports hold no secrets, and node_exporter usually runs as another user than the check.
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => 0o644,
  );
  try {
    await writeFile(tmp, content, { mode });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Read the --ca file: PEM certificates, or a usage error that says what is wrong. */
export async function readCa(file: string, timeoutMs?: number): Promise<string> {
  let text: string;
  try {
    // A FIFO or device never hangs the run or grows it: 16 MiB at most, within the time cap.
    text = (await readCapped(file, { maxBytes: CA_BUNDLE_MAX, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })).toString('utf8');
  } catch (e) {
    throw new UsageError(`--ca: cannot read "${file}" (${describeReadError(e, CA_BUNDLE_MAX)})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca: "${file}" holds no PEM certificate`);
  // Markers around something that is not a certificate would fail every handshake later, obscurely.
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const good = blocks.filter((pem) => {
    try {
      x509OfPem(pem);
      return true;
    } catch {
      return false;
    }
  });
  if (good.length === 0) throw new UsageError(`--ca: "${file}" holds no certificate that can be read (${blocks.length} PEM block(s), none valid)`);
  if (good.length < blocks.length) throw new UsageError(`--ca: "${file}": ${blocks.length - good.length} of its ${blocks.length} PEM certificate block(s) cannot be read`);
  return good.join('\n');
}
