/**
 * The speed goals as ratios, measured side by side: in each round every command runs once, in
 * turn (so a burst of load on the shared machine hits all of them alike), and the medians over
 * the rounds are compared. References: `node -e 0` for start-up, curl fetching the same URL for a
 * healthy https run, and bare Node https GETs as further references (what Node itself costs, with the
 * test CA alone and with Node's roots plus the test CA, the trust `--ca` gives).
 * The bundled CLI (dist/diagnose.mjs, `npm run bundle`) is measured too when it exists, and the
 * unbundled one (bin/ running dist/'s ES modules, as it does without dist/app/) for reference.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAiCompatible } from '../fixtures/http-api.js';
import { loadCert, TEST_CA_PATH } from '../fixtures/tls-server.js';
import type { Fixture } from '../fixtures/types.js';
import { ROOT, runChild, type ChildOptions } from './child.js';
import type { SpeedGoals as Goals } from './goals.js';
import { percentile } from './judge.js';
import { BENCH_KEY } from './scenarios.js';
import { startTlsFront } from './servers.js';

export const BUNDLE = join(ROOT, 'dist', 'diagnose.mjs');

export interface RatioRow {
  id: string;
  what: string;
  wallP50: number;
  wallMax: number;
  rssMaxMb: number;
  /** The row it is compared with, and the ratio of the medians. */
  reference?: string;
  ratio?: number;
  /** The most the ratio may be. */
  limit?: number;
  ok?: boolean;
  note?: string;
  codes: Array<number | null>;
}

interface Command {
  id: string;
  what: string;
  run(): Promise<{ wallMs: number; peakRssKb: number; code: number | null }>;
  reference?: string;
  limit?: number;
  /** The most peak RSS may be, MB (checked on the worst run). */
  rssLimitMb?: number;
}

const clean = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };

/** The healthy https target of the ratio rows: the TLS front before the OpenAI-compatible fixture. */
export async function healthyTarget(): Promise<Fixture & { apiClose(): Promise<void> }> {
  const api = await startOpenAiCompatible({ key: BENCH_KEY });
  const front = await startTlsFront(loadCert('valid'), api.port);
  return { ...front, apiClose: api.close };
}

export async function ratios(rounds: number, goals: Goals, target: Fixture): Promise<RatioRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ud-ratios-'));
  const url = `https://localhost:${target.port}/v1/models`;
  const get = join(dir, 'https-get.mjs');
  writeFileSync(
    get,
    [
      "import { get } from 'node:https';",
      "import { readFileSync } from 'node:fs';",
      'const [url, ca, key] = process.argv.slice(2);',
      "get(url, { ca: readFileSync(ca), headers: { authorization: `Bearer ${key}` } }, (res) => { res.resume(); res.on('end', () => process.exit(res.statusCode === 200 ? 0 : 1)); });",
      '',
    ].join('\n'),
  );
  const getRoots = join(dir, 'https-get-roots.mjs');
  writeFileSync(
    getRoots,
    [
      "import { get } from 'node:https';",
      'const [url, key] = process.argv.slice(2);',
      "get(url, { headers: { authorization: `Bearer ${key}` } }, (res) => { res.resume(); res.on('end', () => process.exit(res.statusCode === 200 ? 0 : 1)); });",
      '',
    ].join('\n'),
  );
  const node = (script: string, args: string[], env: ChildOptions['env'] = clean, nodeArgs: string[] = []) => () => runChild(args, { env, hardLimitMs: 30_000, script, nodeArgs });
  const keyEnv = { ...clean, OPENAI_API_KEY: BENCH_KEY };
  const run = (bin: string) => node(bin, [`https://localhost:${target.port}/v1`, '--resolve', `localhost:${target.port}:127.0.0.1`, '--ca', TEST_CA_PATH, '--provider', 'openai-compatible', '--json', '--timeout', '5s'], keyEnv);
  // The bundle is rebuilt from the dist/ just built (esbuild, about a second), so its rows measure
  // the same code as the unbundled ones; if that fails, the rows say they were skipped.
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
  const bundled = built.status === 0 && existsSync(BUNDLE);
  // Its CommonJS variant (`npm run bundle -- --cjs`), and an ES module that does nothing: a .mjs
  // file starts Node's ES module loader, a cost of the file's kind that the ratio includes.
  const bundleCjs = join(dir, 'diagnose.cjs');
  const builtCjs = bundled && spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), '--cjs', '--out', bundleCjs], { stdio: 'inherit' }).status === 0;
  const emptyMjs = join(dir, 'empty.mjs');
  writeFileSync(emptyMjs, 'export {};\n');
  // The unbundled CLI: bin/ as installed, beside a dist/ without app/ (links to everything else
  // in dist/), so bin/ runs dist/'s ES modules as it does when dist/app/ is missing or stale.
  const unbundled = join(dir, 'unbundled');
  mkdirSync(join(unbundled, 'bin'), { recursive: true });
  mkdirSync(join(unbundled, 'dist'));
  for (const f of ['diagnose.js', 'app-code.js', 'package.json']) copyFileSync(join(ROOT, 'bin', f), join(unbundled, 'bin', f));
  copyFileSync(join(ROOT, 'package.json'), join(unbundled, 'package.json'));
  for (const e of readdirSync(join(ROOT, 'dist'))) if (e !== 'app') symlinkSync(join(ROOT, 'dist', e), join(unbundled, 'dist', e));
  const unbundledBin = join(unbundled, 'bin', 'diagnose.js');
  const commands: Command[] = [
    { id: 'node -e 0', what: 'Node starting and doing nothing (start-up reference)', run: node('', [], clean, ['-e', '0']) },
    { id: 'version', what: 'diagnose --version', run: node(join(ROOT, 'bin', 'diagnose.js'), ['--version']), reference: 'node -e 0', limit: goals.startupRatio },
    { id: 'explain', what: 'diagnose --explain RESET_BEFORE_HEADERS', run: node(join(ROOT, 'bin', 'diagnose.js'), ['--explain', 'RESET_BEFORE_HEADERS']), reference: 'node -e 0', limit: goals.startupRatio },
    ...(bundled
      ? [
          { id: 'bundle version', what: 'node dist/diagnose.mjs --version', run: node(BUNDLE, ['--version']), reference: 'node -e 0', limit: goals.startupRatio },
          { id: 'bundle explain', what: 'node dist/diagnose.mjs --explain RESET_BEFORE_HEADERS', run: node(BUNDLE, ['--explain', 'RESET_BEFORE_HEADERS']), reference: 'node -e 0', limit: goals.startupRatio },
          { id: 'empty .mjs', what: 'node empty.mjs: an ES module that does nothing (the floor of any .mjs)', run: node(emptyMjs, []), reference: 'node -e 0' },
        ]
      : []),
    { id: 'unbundled version', what: "diagnose --version from dist/'s ES modules (no dist/app/; reference)", run: node(unbundledBin, ['--version']), reference: 'node -e 0' },
    { id: 'unbundled explain', what: "diagnose --explain from dist/'s ES modules (reference)", run: node(unbundledBin, ['--explain', 'RESET_BEFORE_HEADERS']), reference: 'node -e 0' },
    ...(builtCjs ? [{ id: 'bundle .cjs version', what: 'node diagnose.cjs --version (npm run bundle -- --cjs)', run: node(bundleCjs, ['--version']), reference: 'node -e 0', limit: goals.startupRatio }] : []),
    {
      id: 'curl',
      what: 'curl GET of the same https URL (healthy-run reference)',
      run: () => runChild(['-s', '-o', '/dev/null', '--cacert', TEST_CA_PATH, '--resolve', `localhost:${target.port}:127.0.0.1`, '-H', `authorization: Bearer ${BENCH_KEY}`, url], { env: clean, hardLimitMs: 30_000, exec: 'curl' }),
    },
    { id: 'node https GET', what: 'a bare Node https.get of the same URL (reference)', run: node(get, [url, TEST_CA_PATH, BENCH_KEY]), reference: 'curl' },
    // The same GET trusting what `--ca` means (the contract: on top of the system store): Node's
    // roots plus the test CA, through NODE_EXTRA_CA_CERTS. Parsing Node's ~140 roots is a cost of
    // that trust, which `ca:` alone (the row above) and curl's --cacert (which replaces the store) skip.
    { id: 'node https GET + roots', what: "the same GET trusting Node's roots plus the CA (NODE_EXTRA_CA_CERTS)", run: node(getRoots, [url, BENCH_KEY], { ...clean, NODE_EXTRA_CA_CERTS: TEST_CA_PATH }), reference: 'curl' },
    { id: 'healthy --json', what: 'diagnose of the healthy https target, --json, whole process', run: run(join(ROOT, 'bin', 'diagnose.js')), reference: 'curl', limit: goals.healthyRatio, rssLimitMb: goals.healthyPeakRssMb },
    ...(bundled ? [{ id: 'bundle healthy --json', what: 'the same with node dist/diagnose.mjs', run: run(BUNDLE), reference: 'curl', limit: goals.healthyRatio, rssLimitMb: goals.healthyPeakRssMb }] : []),
    { id: 'unbundled healthy --json', what: "the same from dist/'s ES modules (no dist/app/; reference)", run: run(unbundledBin), reference: 'curl' },
  ];
  const walls = new Map<string, number[]>(commands.map((c) => [c.id, []]));
  const rss = new Map<string, number[]>(commands.map((c) => [c.id, []]));
  const codes = new Map<string, Set<number | null>>(commands.map((c) => [c.id, new Set()]));
  try {
    for (let i = 0; i < rounds; i++) {
      for (const c of commands) {
        const r = await c.run();
        walls.get(c.id)!.push(r.wallMs);
        rss.get(c.id)!.push(r.peakRssKb / 1024);
        codes.get(c.id)!.add(r.code);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const p50 = (id: string) => percentile(walls.get(id)!, 50);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const rows: RatioRow[] = commands.map((c) => {
    const w = walls.get(c.id)!;
    const rssMax = Math.max(...rss.get(c.id)!);
    const row: RatioRow = { id: c.id, what: c.what, wallP50: r1(p50(c.id)), wallMax: r1(Math.max(...w)), rssMaxMb: r1(rssMax), codes: [...codes.get(c.id)!] };
    if (c.reference) {
      row.reference = c.reference;
      row.ratio = Math.round((p50(c.id) / p50(c.reference)) * 100) / 100;
    }
    const failed = [...codes.get(c.id)!].some((code) => code !== 0);
    if (c.limit !== undefined) {
      row.limit = c.limit;
      const rssOk = c.rssLimitMb === undefined || rssMax <= c.rssLimitMb;
      row.ok = !failed && row.ratio! <= c.limit && rssOk;
      const notes = [...(failed ? ['a run did not exit 0'] : []), ...(!rssOk ? [`peak RSS ${r1(rssMax)} MB > ${c.rssLimitMb} MB`] : [])];
      if (notes.length) row.note = notes.join('; ');
    }
    return row;
  });
  // What the run costs beyond a bare GET with the same trust (no further runs: the medians above).
  const healthy = rows.find((r) => r.id === 'healthy --json');
  const roots = rows.find((r) => r.id === 'node https GET + roots');
  if (healthy && roots) {
    rows.push({ id: 'healthy vs GET + roots', what: 'healthy --json against the bare GET with the same trust', wallP50: healthy.wallP50, wallMax: healthy.wallMax, rssMaxMb: healthy.rssMaxMb, reference: roots.id, ratio: Math.round((p50(healthy.id) / p50(roots.id)) * 100) / 100, codes: healthy.codes });
  }
  if (!bundled) rows.push({ id: 'bundle', what: 'dist/diagnose.mjs', wallP50: NaN, wallMax: NaN, rssMaxMb: NaN, codes: [], note: 'skipped: scripts/bundle.mjs could not build dist/diagnose.mjs' });
  return rows;
}
