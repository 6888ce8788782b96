/**
 * Which diagnosis a `/probe?target=&module=` asks for. Targets of the file are prepared at start
 * (their key files read then: a missing one stops the exporter before it listens); a URL that is
 * not in the file is probed only with --allow-any-target, with the module's options. Keys come
 * from the environment or files the config names, never from the request.
 */
import { UsageError } from '../errors.js';
import type { TargetsFile } from '../fleet/config-file.js';
import { prepareFromSets, type PreparedTarget } from '../fleet/prepare.js';
import { parseTarget } from '../target.js';

/** A probe request that cannot be served: HTTP 400 with this one line. */
export class BadProbe extends Error {}

export interface ProbeTargets {
  /** The prepared target for a query, or a BadProbe. */
  resolve(target: string | null, module: string | null): Promise<PreparedTarget>;
  file: TargetsFile;
}

/** Prepare every target of the file under every module (and none): all errors surface at start. */
export async function loadProbeTargets(tf: TargetsFile, env: Record<string, string | undefined>, allowAny: boolean): Promise<ProbeTargets> {
  const prepared = new Map<string, PreparedTarget>();
  const moduleNames = ['', ...tf.modules.keys()];
  for (const t of tf.targets) {
    for (const m of moduleNames) {
      const mod = m === '' ? undefined : tf.modules.get(m);
      const what = m === '' ? `target "${t.name}"` : `target "${t.name}" with module "${m}"`;
      prepared.set(`${t.name}\n${m}`, await prepareFromSets(tf.file, what, t.name, t.url, [tf.defaults, mod, t], env));
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
    async resolve(target, module) {
      if (target === null || target.trim() === '') throw new BadProbe('target parameter is missing');
      const m = module ?? '';
      if (m !== '' && !tf.modules.has(m)) throw new BadProbe(`unknown module "${m}" (configured: ${[...tf.modules.keys()].join(', ') || 'none'})`);
      const name = byUrl(target);
      if (name !== undefined) return prepared.get(`${name}\n${m}`)!;
      if (!allowAny) throw new BadProbe(`target "${target}" is not in ${tf.file}; add it there, or start with --allow-any-target`);
      try {
        return await prepareFromSets(tf.file, `module "${m || '(none)'}"`, target, target, [tf.defaults, m === '' ? undefined : tf.modules.get(m)], env);
      } catch (e) {
        if (e instanceof UsageError) throw new BadProbe(e.message.replace(/^[^:]+:\d+: /, ''));
        throw e;
      }
    },
  };
}
