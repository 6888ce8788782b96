/**
 * The targets file (`--config`, also read by `diagnose serve`): named targets with their own
 * options, and named modules (option sets for `/probe?module=`), in YAML. Its shape is published as
 * schema/config.schema.json. Every mistake is a UsageError that names the file and the line.
 *
 * Options use the command line's names without the dashes (`api-key-env`, `resolve`, `timeout`),
 * so a target in the file reads like the command that would diagnose it.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import type { RawOptions } from '../config.js';
import { looksLikeKey } from '../redact/key-shape.js';
import { describeReadError, readCapped } from '../safe-io/read-capped.js';

/** A targets file is a few kilobytes; a megabyte is a wrong file (or a hostile one). */
export const CONFIG_FILE_MAX = 1024 * 1024;

/**
 * Read `--config FILE` with a size and a time cap: a 50 MB file, /dev/zero or a FIFO nobody
 * writes to is one line and exit 2, never a hang or a heap that grows.
 */
export async function readTargetsFile(file: string): Promise<string> {
  try {
    return (await readCapped(file, { maxBytes: CONFIG_FILE_MAX, timeoutMs: 5000 })).toString('utf8');
  } catch (e) {
    throw new UsageError(`--config: cannot read "${file}" (${describeReadError(e, CONFIG_FILE_MAX)})`);
  }
}

/** The options a target, a module or `defaults` may set, and the type each takes. */
export const OPTION_KINDS = {
  provider: 'string',
  'api-key-env': 'string',
  'api-key-file': 'string',
  proxy: 'string',
  'no-proxy': 'boolean',
  resolve: 'strings',
  resolver: 'strings',
  ca: 'string',
  timeout: 'string',
  stream: 'boolean',
  mtu: 'boolean',
  model: 'string',
  strict: 'boolean',
  'compare-direct': 'boolean',
  'allow-insecure-key': 'boolean',
} as const;

export type OptionName = keyof typeof OPTION_KINDS;

/** One option set as written in the file, with the line of each key (for messages). */
export interface OptionSet {
  values: Partial<Record<OptionName, string | boolean | string[]>>;
  lines: Partial<Record<OptionName, number>>;
  /** The line of the entry itself. */
  line: number;
}

export interface FileTarget extends OptionSet {
  name: string;
  url: string;
}

export interface TargetsFile {
  file: string;
  defaults?: OptionSet;
  targets: FileTarget[];
  modules: Map<string, OptionSet>;
}

const TOP_KEYS = ['defaults', 'targets', 'modules'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

class Reader {
  readonly lc = new LineCounter();
  constructor(readonly file: string) {}

  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.lc.linePos(offset).line;
  }

  fail(node: Node | null | undefined, msg: string): never {
    throw new UsageError(`${this.file}:${this.line(node)}: ${msg}`);
  }

  /** A mapping whose keys are unique (a name given twice is named, at its second line). */
  map(node: unknown, what: string, at: Node | null | undefined): YAMLMap {
    if (!isMap(node)) this.fail((node as Node) ?? at, `${what} must be a mapping (key: value lines)`);
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof k === 'string') this.notAKey(k, `${what}: a name`, pair.key as Node);
      if (seen.has(k)) this.fail(pair.key as Node, `${what}: "${String(k)}" appears twice${what === 'targets' || what === 'modules' ? ' (names must be unique)' : ''}`);
      seen.add(k);
    }
    return node;
  }

  keyName(k: unknown, what: string): string {
    if (!isScalar(k) || typeof k.value !== 'string') this.fail(k as Node, `${what}: keys must be plain names`);
    this.notAKey(k.value, `${what}: a name`, k as Node);
    return k.value;
  }

  /** A key pasted into the file as a name or a value is never repeated (issue 12, item 1). */
  notAKey(value: string, what: string, at: Node): void {
    if (looksLikeKey(value)) this.fail(at, `${what}: the value looks like an API key; it was not printed. Name the variable (api-key-env) or the file (api-key-file) that holds the key instead`);
  }

  options(node: YAMLMap, what: string, extra: readonly string[] = []): { set: OptionSet; extras: Map<string, Node> } {
    const set: OptionSet = { values: {}, lines: {}, line: this.line(node) };
    const extras = new Map<string, Node>();
    for (const pair of node.items) {
      const key = this.keyName(pair.key, what);
      const value = pair.value as Node | null;
      if (extra.includes(key)) {
        extras.set(key, value as Node);
        continue;
      }
      if (!(key in OPTION_KINDS)) {
        const known = [...extra, ...Object.keys(OPTION_KINDS)].join(', ');
        this.fail(pair.key as Node, `${what}: unknown key "${key}" (known: ${known})`);
      }
      const name = key as OptionName;
      set.lines[name] = this.line(pair.key as Node);
      set.values[name] = this.value(value, OPTION_KINDS[name], `${what}: ${key}`, pair.key as Node);
    }
    return { set, extras };
  }

  value(node: Node | null, kind: 'string' | 'boolean' | 'strings', what: string, at: Node): string | boolean | string[] {
    if (kind === 'strings') {
      if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return [String(node.value)];
      if (!isSeq(node)) this.fail(node ?? at, `${what} must be a string or a list of strings`);
      return node.items.map((item) => {
        if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) this.fail(item as Node, `${what}: every item must be a string`);
        this.notAKey(String(item.value), what, item as Node);
        return String(item.value);
      });
    }
    if (!isScalar(node)) this.fail(node ?? at, `${what} must be a ${kind}`);
    const v = node.value;
    if (kind === 'boolean') {
      if (typeof v !== 'boolean') this.fail(node, `${what} must be true or false`);
      return v;
    }
    // A bare number is a string option's value too (timeout: 5 means 5 seconds, as on the command line).
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(node, `${what} must be a string`);
    this.notAKey(String(v), what, node);
    return String(v);
  }
}

/** Parse the text of a targets file; `file` names it in messages. */
export function parseTargetsFile(text: string, file: string): TargetsFile {
  const r = new Reader(file);
  const doc = parseDocument(text, { lineCounter: r.lc, prettyErrors: false, uniqueKeys: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line ?? 1;
    const msg = yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError(`${file}:${line}: not valid YAML: ${msg}`);
  }
  if (doc.contents === null) throw new UsageError(`${file}:1: the file is empty; it needs a "targets:" mapping`);
  // Anchors and aliases (`*name`, `<<: *name`) are refused: a file of targets needs none, and a
  // nest of aliases ("billion laughs") must not be expanded by anything that reads it later.
  let alias: Node | undefined;
  visit(doc, {
    Alias(_, node) {
      alias = node as unknown as Node;
      return visit.BREAK;
    },
  });
  if (alias !== undefined) r.fail(alias, 'YAML aliases (*name) are not supported here; write the value out in full');
  const top = r.map(doc.contents, 'the file', null);
  let defaults: OptionSet | undefined;
  const targets: FileTarget[] = [];
  const modules = new Map<string, OptionSet>();
  let sawTargets = false;
  for (const pair of top.items) {
    const key = r.keyName(pair.key, 'the file');
    const value = pair.value as Node | null;
    if (!TOP_KEYS.includes(key)) r.fail(pair.key as Node, `unknown key "${key}" (known: ${TOP_KEYS.join(', ')})`);
    if (key === 'defaults') defaults = r.options(r.map(value, 'defaults', pair.key as Node), 'defaults').set;
    if (key === 'modules') {
      for (const m of r.map(value, 'modules', pair.key as Node).items) {
        const name = r.keyName(m.key, 'modules');
        if (!NAME.test(name)) r.fail(m.key as Node, `module "${name}": names are letters, digits, _ . : - (at most 64)`);
        // `name:` alone is a module with nothing but the defaults.
        const set: OptionSet = m.value === null ? { values: {}, lines: {}, line: 0 } : r.options(r.map(m.value, `module "${name}"`, m.key as Node), `module "${name}"`).set;
        set.line = r.line(m.key as Node);
        modules.set(name, set);
      }
    }
    if (key === 'targets') {
      sawTargets = true;
      for (const t of r.map(value, 'targets', pair.key as Node).items) {
        const name = r.keyName(t.key, 'targets');
        if (!NAME.test(name)) r.fail(t.key as Node, `target "${name}": names are letters, digits, _ . : - (at most 64)`);
        // `name: https://host/v1` is a target with nothing but its URL.
        if (isScalar(t.value) && typeof t.value.value === 'string') {
          r.notAKey(t.value.value, `target "${name}"`, t.value);
          targets.push({ name, url: t.value.value, values: {}, lines: {}, line: r.line(t.key as Node) });
          continue;
        }
        const { set, extras } = r.options(r.map(t.value, `target "${name}"`, t.key as Node), `target "${name}"`, ['url']);
        const urlNode = extras.get('url');
        if (urlNode === undefined) r.fail(t.key as Node, `target "${name}" has no url`);
        const url = r.value(urlNode!, 'string', `target "${name}": url`, t.key as Node) as string;
        targets.push({ name, url, ...set, line: r.line(t.key as Node) });
      }
    }
  }
  if (!sawTargets && modules.size === 0) r.fail(top, 'the file names no targets (a "targets:" mapping of name: url or name: { url: ..., options })');
  return { file, defaults, targets, modules };
}

/** The options of `set` laid over `base`, as commander would have handed them to buildConfig. */
export function rawOptionsOf(...sets: Array<OptionSet | undefined>): RawOptions {
  const merged: OptionSet['values'] = {};
  for (const s of sets) Object.assign(merged, s?.values ?? {});
  const v = merged;
  const raw: RawOptions = {};
  if (v.provider !== undefined) raw.provider = v.provider as string;
  if (v['api-key-env'] !== undefined) raw.apiKeyEnv = v['api-key-env'] as string;
  if (v['api-key-file'] !== undefined) raw.apiKeyFile = v['api-key-file'] as string;
  if (v.resolve !== undefined) raw.resolve = v.resolve as string[];
  if (v.resolver !== undefined) raw.resolver = v.resolver as string[];
  if (v.ca !== undefined) raw.ca = v.ca as string;
  if (v.proxy !== undefined) raw.proxy = v.proxy as string;
  if (v['no-proxy'] === true) raw.proxy = false;
  if (v.timeout !== undefined) raw.timeout = v.timeout as string;
  if (v.stream !== undefined) raw.stream = v.stream as boolean;
  if (v.mtu !== undefined) raw.mtu = v.mtu as boolean;
  if (v.model !== undefined) raw.model = v.model as string;
  if (v.strict !== undefined) raw.strict = v.strict as boolean;
  if (v['compare-direct'] !== undefined) raw.compareDirect = v['compare-direct'] as boolean;
  if (v['allow-insecure-key'] !== undefined) raw.allowInsecureKey = v['allow-insecure-key'] as boolean;
  return raw;
}

/** The line to blame for an option's problem: where the last set that gives it says so. */
export function lineOf(option: OptionName | undefined, ...sets: Array<OptionSet | undefined>): number {
  const present = sets.filter((s): s is OptionSet => s !== undefined);
  if (option !== undefined) {
    for (const s of [...present].reverse()) if (s.lines[option] !== undefined) return s.lines[option]!;
  }
  return present[present.length - 1]?.line ?? 1;
}
