/**
 * A machine without ss, ip or /etc/resolv.conf (macOS, Windows, slim containers): the run says
 * what it did not measure, and why, instead of failing. The built command runs as a process whose
 * PATH holds only node, and whose resolv.conf path points at a file that does not exist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startOpenAiCompatible } from '../../fixtures/http-api.js';
import { mtuNotMeasured, notMeasuredSummary, resolvConfNotMeasured, toolFailure } from '../../src/platform/not-measured.js';
import { closeAfterAll } from '../helpers/fixtures.js';
import { emptyDir, nodeOnlyPath, ROOT, runProc } from '../helpers/artifact-run.js';

const keep = closeAfterAll();
const built = existsSync(join(ROOT, 'dist', 'cli.js'));
const bin = join(ROOT, 'bin', 'diagnose.js');

describe('what was not measured (pure)', () => {
  it('names the missing tool, and says nothing when it ran', () => {
    expect(toolFailure('ss', { code: 'ENOENT' }, 'linux')).toBe('ss not found (iproute2 is not installed, or not on PATH)');
    expect(toolFailure('ip', null, 'darwin')).toBe('ip is Linux only');
    expect(toolFailure('ip', { code: 1 }, 'linux')).toBe('ip failed (1)');
    expect(toolFailure('ip', null, 'linux')).toBeUndefined();
  });
  it('an aborted run or a probe that never connected is no missing tool', () => {
    expect(mtuNotMeasured('aborted', undefined)).toEqual([]);
    expect(mtuNotMeasured('no probe connected', undefined)).toEqual([]);
    expect(mtuNotMeasured(undefined, undefined)).toEqual([]);
    expect(notMeasuredSummary([])).toBe('');
  });
  it('resolv.conf: missing or unreadable', () => {
    expect(resolvConfNotMeasured('/etc/resolv.conf', undefined)).toEqual([]);
    expect(resolvConfNotMeasured('/etc/resolv.conf', 'EACCES')[0]!.why).toBe('/etc/resolv.conf could not be read (EACCES)');
  });
});

describe.skipIf(!built)('no ss, no ip, no resolv.conf', () => {
  it('a healthy run with --mtu: exit 0, the env and mtu stages say what they did not measure and why', async () => {
    const api = await keep(startOpenAiCompatible());
    const missing = join(emptyDir('diagnose-etc-'), 'resolv.conf');
    const r = await runProc(process.execPath, [bin, `http://127.0.0.1:${api.port}/v1`, '--mtu', '--json'], {
      env: { PATH: nodeOnlyPath(), UPSTREAM_DOCTOR_RESOLV_CONF: missing },
    });
    expect(r.stderr).toBe('');
    const report = r.report!;
    const env = report.stages.find((s) => s.id === 'env')!;
    expect(env.status).toBe('pass');
    expect(env.summary).toContain(`not measured: the nameservers and search list of the system resolver (${missing} does not exist)`);
    expect(env.data.notMeasured).toEqual([{ what: 'the nameservers and search list of the system resolver', why: expect.stringContaining(`${missing} does not exist`) }]);
    const mtu = report.stages.find((s) => s.id === 'mtu')!;
    expect(mtu.status).toBe('pass');
    expect(mtu.summary).toMatch(/^no MTU problem: .*; not measured: the kernel's view of the probe sockets \(ss not found\), the route to the endpoint \(ip not found\)$/);
    expect((mtu.data.notMeasured as { why: string }[]).map((n) => n.why)).toEqual([
      'ss not found (iproute2 is not installed, or not on PATH)',
      'ip not found (iproute2 is not installed, or not on PATH)',
    ]);
    expect(report.stages.filter((s) => s.status === 'fail')).toEqual([]);
    expect(report.diagnoses.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('with the tools present and resolv.conf readable, nothing is reported missing', async () => {
    const api = await keep(startOpenAiCompatible());
    const r = await runProc(process.execPath, [bin, `http://127.0.0.1:${api.port}/v1`, '--mtu', '--json'], { env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    const report = r.report!;
    expect(report.stages.find((s) => s.id === 'env')!.data.notMeasured).toBeUndefined();
    expect(report.stages.find((s) => s.id === 'mtu')!.data.notMeasured).toBeUndefined();
    expect(r.code).toBe(0);
  });
});
