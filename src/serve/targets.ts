/**
 * Which diagnosis a `/probe?target=&module=` asks for. Targets of the file are prepared at start
 * (their key files read then: a missing one stops the exporter before it listens); a URL that is
 * not in the file is probed only with --allow-any-target, with the module's options. Keys come
 * from the environment or files the config names, never from the request.
 */
import { UsageError } from '../errors.js';
import type { OptionSet, TargetsFile } from '../fleet/config-file.js';
import { prepareFromSets, type PreparedTarget } from '../fleet/prepare.js';
import { urlKeys } from '../redact/url-key.js';
import { Redactor } from '../secret.js';
import { parseTarget } from '../target.js';

/**
 * Every secret a target's configuration holds (its key, a ?key= of its URL, a proxy's password),
 * for the pages that show targets and the lines that quote a request: never printed.
 */
export function addConfigSecrets(redactor: Redactor, t: Pick<PreparedTarget, 'key' | 'config'>): void {
  redactor.add(t.key);
  for (const k of urlKeys(t.config.target.query)) redactor.add(k.value);
  addUrlSecrets(redactor, t.config.proxy);
}

/** The password and ?key= values of a URL as typed (a target or a proxy), whatever its shape. */
export function addUrlSecrets(redactor: Redactor, text: string | null | undefined): void {
  if (!text) return;
  for (const m of text.matchAll(/[?&]([^=&#]+)=([^&#\s]+)/g)) for (const k of urlKeys(`${m[1]}=${m[2]}`)) redactor.add(k.value);
  const cred = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/i.exec(text.trim());
  if (cred) {
    const [user, ...pass] = cred[1]!.split(':');
    const password = pass.join(':');
    if (password) {
      redactor.add(password);
      try {
        redactor.add(decodeURIComponent(password));
      } catch {
        /* as typed */
      }
      redactor.add(`${user}:${password}`);
    }
  }
}

/** A probe request that cannot be served: HTTP 400 with this one line. */
export class BadProbe extends Error {}

export interface ProbeTargets {
  /** The prepared target for a query, or a BadProbe. */
  resolve(target: string | null, module: string | null): Promise<PreparedTarget>;
  file: TargetsFile;
  /** The secrets of every configured target: scrubbed from the status page and every refusal. */
  secrets: Redactor;
}

/** An option set without its key options (api-key-env, api-key-file). */
function withoutKey(set: OptionSet | undefined): OptionSet | undefined {
  if (!set) return set;
  const { 'api-key-env': _env, 'api-key-file': _file, ...values } = set.values;
  return { ...set, values };
}

/** Prepare every target of the file under every module (and none): all errors surface at start. */
export async function loadProbeTargets(tf: TargetsFile, env: Record<string, string | undefined>, allowAny: boolean): Promise<ProbeTargets> {
  const prepared = new Map<string, PreparedTarget>();
  const secrets = new Redactor();
  for (const t of tf.targets) addUrlSecrets(secrets, t.url);
  const moduleNames = ['', ...tf.modules.keys()];
  for (const t of tf.targets) {
    for (const m of moduleNames) {
      const mod = m === '' ? undefined : tf.modules.get(m);
      const what = m === '' ? `target "${t.name}"` : `target "${t.name}" with module "${m}"`;
      const p = await prepareFromSets(tf.file, what, t.name, t.url, [tf.defaults, mod, t], env);
      addConfigSecrets(secrets, p);
      prepared.set(`${t.name}\n${m}`, p);
    }
  }
  // A module's own options are checked at start too, against a stand-in target.
  for (const [m, mod] of tf.modules) await prepareFromSets(tf.file, `module "${m}"`, m, 'http://127.0.0.1/', [tf.defaults, mod], env);

  const byUrl = (q: string): string | undefined => {
    const exact = tf.targets.find((t) => t.name === q || t.url === q);
    if (exact) return exact.name;
    try {
      const url = parseTarget(q).url;
      return tf.targets.find((t) => prepared.get(`${t.name}\n`)?.config.target.url === url)?.name;
    } catch {
      return undefined;
    }
  };

  return {
    file: tf,
    secrets,
    async resolve(target, module) {
      if (target === null || target.trim() === '') throw new BadProbe('target parameter is missing');
      const m = module ?? '';
      if (m !== '' && !tf.modules.has(m)) throw new BadProbe(`unknown module "${m}" (configured: ${[...tf.modules.keys()].join(', ') || 'none'})`);
      const name = byUrl(target);
      if (name !== undefined) return prepared.get(`${name}\n${m}`)!;
      if (!allowAny) throw new BadProbe(`target "${target}" is not in ${tf.file}; add it there, or start with --allow-any-target`);
      try {
        // A URL the scraper chose never gets the key of `defaults` (that would hand the key to any
        // host a request names); only a key the module itself names, chosen for such probes.
        return await prepareFromSets(tf.file, `module "${m || '(none)'}"`, target, target, [withoutKey(tf.defaults), m === '' ? undefined : tf.modules.get(m)], env);
      } catch (e) {
        if (e instanceof UsageError) throw new BadProbe(e.message.replace(/^[^:]+:\d+: /, ''));
        throw e;
      }
    },
  };
}
