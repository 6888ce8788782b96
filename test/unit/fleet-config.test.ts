/**
 * The targets file, pure: what parses, what each mistake says and which line it names, and the
 * published schema (schema/config.schema.json) agreeing with the parser on every example.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UsageError } from '../../src/errors.js';
import { lineOf, parseTargetsFile, rawOptionsOf } from '../../src/fleet/config-file.js';
import { fleetExitCode, mapBounded } from '../../src/fleet/run.js';
import { probeTimeoutSeconds } from '../../src/serve/server.js';
import { parseListen } from '../../src/serve.js';
import type { Report } from '../../src/report.js';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../schema/config.schema.json', import.meta.url)), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

function error(text: string): string {
  try {
    parseTargetsFile(text, 'f.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

const README_EXAMPLE = /```yaml\n(# targets\.yaml[\s\S]*?)```/.exec(readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8'))![1]!;

describe('targets file', () => {
  it('parses the README example: targets in order, options with their lines, modules', () => {
    const tf = parseTargetsFile(README_EXAMPLE, 'targets.yaml');
    expect(tf.targets.map((t) => t.name)).toEqual(['openai', 'azure', 'gateway']);
    const gw = tf.targets[2]!;
    expect(gw.values).toMatchObject({ provider: 'openai-compatible', stream: true, resolve: ['gateway.corp:443:10.0.0.5'] });
    expect(rawOptionsOf(tf.defaults, gw)).toMatchObject({ timeout: '5s', provider: 'openai-compatible', apiKeyFile: '/run/secrets/gateway-key', proxy: 'http://proxy.corp:3128', stream: true });
    expect(lineOf('timeout', tf.defaults, gw)).toBe(3);
    expect([...tf.modules.keys()]).toEqual(['quick']);
    expect(validate(parse(README_EXAMPLE))).toBe(true);
  });

  it('later layers win; no-proxy becomes --no-proxy', () => {
    const tf = parseTargetsFile('defaults:\n  timeout: 5s\n  no-proxy: true\ntargets:\n  a:\n    url: x.example\n    timeout: 1s\n', 'f');
    expect(rawOptionsOf(tf.defaults, tf.targets[0])).toEqual({ timeout: '1s', proxy: false });
  });

  const bad: Array<[string, string, string]> = [
    ['unknown top-level key', 'target:\n  a: x\n', 'f.yaml:1: unknown key "target" (known: defaults, targets, modules)'],
    ['unknown option', 'targets:\n  a:\n    url: x\n    proxi: y\n', 'f.yaml:4: target "a": unknown key "proxi"'],
    ['duplicate target', 'targets:\n  a: x\n  b: y\n  a: z\n', 'f.yaml:4: targets: "a" appears twice (names must be unique)'],
    ['duplicate option', 'defaults:\n  timeout: 1s\n  timeout: 2s\ntargets:\n  a: x\n', 'f.yaml:3: defaults: "timeout" appears twice'],
    ['no url', 'targets:\n  a:\n    provider: openai\n', 'f.yaml:2: target "a" has no url'],
    ['boolean expected', 'targets:\n  a:\n    url: x\n    stream: 1\n', 'f.yaml:4: target "a": stream must be true or false'],
    ['list of strings expected', 'targets:\n  a:\n    url: x\n    resolve: {a: 1}\n', 'f.yaml:4: target "a": resolve must be a string or a list of strings'],
    ['bad name', 'targets:\n  "a b": x\n', 'f.yaml:2: target "a b": names are letters, digits, _ . : - (at most 64)'],
    ['targets not a mapping', 'targets:\n  - x\n', 'f.yaml:2: targets must be a mapping'],
    ['empty file', '', 'f.yaml:1: the file is empty'],
  ];
  for (const [what, text, message] of bad) {
    it(`${what}: one message naming the line, and the schema refuses it too`, () => {
      expect(error(text)).toContain(message);
      // A name given twice has no JSON form at all: the YAML parser itself refuses it.
      if (text !== '' && !what.startsWith('duplicate')) expect(validate(parse(text))).toBe(false);
      if (what.startsWith('duplicate')) expect(() => parse(text)).toThrow(/unique/);
    });
  }

  it('YAML syntax errors name their line', () => {
    expect(error('targets:\n  a: x\n  b: [y\n')).toMatch(/^f\.yaml:\d: not valid YAML: /);
  });
});

describe('fleet and exporter decisions', () => {
  it('the exit code of several runs is the largest; 0 only when all pass', () => {
    const r = (exitCode: number) => ({ exitCode }) as Report;
    expect(fleetExitCode([r(0), r(0)])).toBe(0);
    expect(fleetExitCode([r(0), r(11), r(15), r(1)])).toBe(15);
    expect(fleetExitCode([r(130), r(11)])).toBe(130);
  });

  it('mapBounded keeps the order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('probe time: the scrape timeout less the offset, as blackbox computes it', () => {
    expect(probeTimeoutSeconds('10', 0.5)).toBe(9.5);
    expect(probeTimeoutSeconds(undefined, 0.5)).toBe(119.5);
    expect(probeTimeoutSeconds('0.3', 0.5)).toBe(0.3);
    expect(() => probeTimeoutSeconds('soon', 0.5)).toThrow(/not a positive number/);
    expect(() => probeTimeoutSeconds('-1', 0.5)).toThrow(/not a positive number/);
  });

  it('--listen takes host:port', () => {
    expect(parseListen('127.0.0.1:9115')).toEqual({ host: '127.0.0.1', port: 9115 });
    expect(parseListen('[::1]:9115')).toEqual({ host: '::1', port: 9115 });
    expect(() => parseListen('localhost')).toThrow(/has no port/);
  });
});
