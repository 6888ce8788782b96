/**
 * From targets (typed on the command line or named in a file) to what runDoctor needs: a Config,
 * the key and the CA bundle of each. Everything is read and checked before anything is probed, so
 * a bad entry stops the run with one line naming the file and line, and no target sees a request.
 */
import { buildConfig, type Config, type RawOptions } from '../config.js';
import { readClientCert, type ClientCert } from '../curlopts/files.js';
import { headerSecrets } from '../redact/header-secrets.js';
import { UsageError } from '../errors.js';
import { readCa } from '../files.js';
import { loadKey } from '../key.js';
import { lineOf, OPTION_KINDS, rawOptionsOf, type OptionName, type OptionSet, type TargetsFile } from './config-file.js';

/** One target, ready to diagnose. */
export interface PreparedTarget {
  /** The target's name: its name in the file, or the target as typed. */
  name: string;
  config: Config;
  key?: string;
  keySource: string;
  ca?: string;
  /** --cert/--key, read before anything is probed. */
  clientCert?: ClientCert;
}

/** What a target's own options make secret besides its key: -H values that carry credentials. */
export function extraSecrets(config: Config): string[] {
  return headerSecrets(config);
}

/** Which option a buildConfig/loadKey/readCa message is about (`--provider: ...` -> provider). */
function optionOfMessage(msg: string): OptionName | undefined {
  const m = /^--([a-z-]+)/.exec(msg);
  if (!m) return undefined;
  const name = m[1] === 'no-proxy' ? 'no-proxy' : m[1]!;
  return name in OPTION_KINDS ? (name as OptionName) : undefined;
}

/** A message about an option, said as the file says it (`api-key-file:` rather than `--api-key-file:`). */
function fileMessage(msg: string): string {
  return msg.replace(/^--([a-z-]+)/, '$1').replace(/ \(see diagnose --help\)$/, '');
}

/** Prepare one target of a file, `sets` being the option layers (defaults, module, the target's own). */
export async function prepareFromSets(
  file: string,
  what: string,
  name: string,
  url: string,
  sets: Array<OptionSet | undefined>,
  env: Record<string, string | undefined>,
): Promise<PreparedTarget> {
  const raw: RawOptions = rawOptionsOf(...sets);
  const blame = (e: unknown): never => {
    if (e instanceof UsageError) {
      const option = optionOfMessage(e.message);
      throw new UsageError(`${file}:${lineOf(option, ...sets)}: ${what}: ${fileMessage(e.message)}`);
    }
    throw e;
  };
  if (raw.apiKeyFile === '-') throw new UsageError(`${file}:${lineOf('api-key-file', ...sets)}: ${what}: api-key-file: "-" (stdin) cannot serve several targets; name a file`);
  let config: Config;
  try {
    config = buildConfig(url, raw);
  } catch (e) {
    return blame(e);
  }
  try {
    const key = await loadKey(config.keySource, env);
    const ca = config.caFile !== undefined ? await readCa(config.caFile) : undefined;
    const clientCert = config.clientCertFile !== undefined ? await readClientCert(config.clientCertFile, config.clientKeyFile) : undefined;
    return { name, config, key: key.key, keySource: key.source, ca, ...(clientCert ? { clientCert } : {}) };
  } catch (e) {
    return blame(e);
  }
}

/** Every target of a file (or those `only` names, in that order), prepared. */
export async function prepareFile(tf: TargetsFile, env: Record<string, string | undefined>, only: string[] = []): Promise<PreparedTarget[]> {
  if (tf.targets.length === 0) throw new UsageError(`${tf.file}:1: the file names no targets to diagnose (a "targets:" mapping)`);
  let chosen = tf.targets;
  if (only.length > 0) {
    chosen = only.map((n) => {
      const t = tf.targets.find((x) => x.name === n);
      if (!t) throw new UsageError(`"${n}" is not a target of ${tf.file} (it has: ${tf.targets.map((x) => x.name).join(', ')})`);
      return t;
    });
    const dup = only.find((n, i) => only.indexOf(n) !== i);
    if (dup !== undefined) throw new UsageError(`target "${dup}" is named twice`);
  }
  const out: PreparedTarget[] = [];
  for (const t of chosen) out.push(await prepareFromSets(tf.file, `target "${t.name}"`, t.name, t.url, [tf.defaults, t], env));
  return out;
}

/** Targets typed on the command line, all with the command line's options. */
export async function prepareArgs(targets: string[], raw: RawOptions, env: Record<string, string | undefined>): Promise<PreparedTarget[]> {
  if (raw.apiKeyFile === '-') throw new UsageError('--api-key-file -: stdin cannot serve several targets; name a file');
  const seen = new Set<string>();
  const out: PreparedTarget[] = [];
  for (const t of targets) {
    if (seen.has(t)) throw new UsageError(`target "${t}" is given twice`);
    seen.add(t);
    const config = buildConfig(t, raw);
    const same = out.find((o) => o.config.target.url === config.target.url);
    if (same) throw new UsageError(`targets "${same.name}" and "${t}" are the same URL (${config.target.url}); give it once`);
    const key = await loadKey(config.keySource, env);
    const ca = config.caFile !== undefined ? await readCa(config.caFile) : undefined;
    const clientCert = config.clientCertFile !== undefined ? await readClientCert(config.clientCertFile, config.clientKeyFile) : undefined;
    out.push({ name: t, config, key: key.key, keySource: key.source, ca, ...(clientCert ? { clientCert } : {}) });
  }
  return out;
}
