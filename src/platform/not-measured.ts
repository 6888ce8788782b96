/**
 * What a run could not measure on this machine, and why: `ss` or `ip` missing (macOS, Windows,
 * slim containers), no /etc/resolv.conf. The stages carry on without them; these pure helpers
 * turn the reason into the words the stage summary and `data.notMeasured` use.
 */

/** One thing the run could not measure. */
export interface NotMeasured {
  /** What is missing from the report, e.g. "the kernel's view of the probe sockets". */
  what: string;
  /** Why, e.g. "ss not found (iproute2 is not installed)". */
  why: string;
}

/** The reason a helper program could not run, from the error execFile gave (undefined: it ran). */
export function toolFailure(tool: string, err: { code?: unknown } | null | undefined, platform: string = process.platform): string | undefined {
  if (platform !== 'linux') return `${tool} is Linux only`;
  if (!err) return undefined;
  if (err.code === 'ENOENT') return `${tool} not found (iproute2 is not installed, or not on PATH)`;
  if (err.code === 'EACCES') return `${tool} is not executable here`;
  return `${tool} failed (${typeof err.code === 'string' || typeof err.code === 'number' ? err.code : 'error'})`;
}

/** The mtu stage's gaps: ss (socket view) and ip (route) when they could not run. */
export function mtuNotMeasured(ssReason: string | undefined, routeReason: string | undefined): NotMeasured[] {
  const out: NotMeasured[] = [];
  // A run stopped early or a probe that never connected is not a missing tool.
  if (ssReason !== undefined && ssReason !== 'aborted' && ssReason !== 'no probe connected') {
    out.push({ what: "the kernel's view of the probe sockets (retransmissions, path MTU)", why: ssReason });
  }
  if (routeReason !== undefined) out.push({ what: 'the route to the endpoint (interface, learned path MTU)', why: routeReason });
  return out;
}

/** The env stage's gap when resolv.conf cannot be read. */
export function resolvConfNotMeasured(path: string, code: string | undefined): NotMeasured[] {
  if (code === undefined) return [];
  const why = code === 'ENOENT' ? `${path} does not exist (normal on Windows; on macOS and in some containers the file is not what the system resolver uses)` : `${path} could not be read (${code})`;
  return [{ what: 'the nameservers and search list of the system resolver', why }];
}

/** "not measured: A (why); B (why)" for a summary line, or '' when nothing is missing. */
export function notMeasuredSummary(items: NotMeasured[]): string {
  return items.length === 0 ? '' : `not measured: ${items.map((i) => `${i.what.replace(/ \(.*\)$/, '')} (${i.why.replace(/ \(.*\)$/, '')})`).join(', ')}`;
}
