/**
 * A strict reader of the Prometheus text exposition format, for the tests: it reads labels back
 * (unescaping them) and refuses what promtool lets through but node_exporter's textfile collector
 * rejects — the same series twice, samples before their # TYPE, a family split in two.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Record<string, string>;
  type: Record<string, string>;
  samples: Sample[];
  /** Whether the text ended with the OpenMetrics `# EOF` line. */
  eof: boolean;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1]! in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    at = re.lastIndex;
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const out: Exposition = { help: {}, type: {}, samples: [], eof: false };
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current = '';
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('the text must end with a line feed');
  for (const line of lines) {
    if (out.eof) throw new Error(`text after # EOF: ${line}`);
    if (line === '# EOF') {
      out.eof = true;
      continue;
    }
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name] = meta as unknown as [string, string, string, string];
      if (name !== current) {
        if (closed.has(name)) throw new Error(`family ${name} appears twice`);
        if (current) closed.add(current);
        current = name;
      }
      (kind === 'HELP' ? out.help : out.type)[name] = meta[3]!;
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const name = m[1]!;
    if (name !== current || out.type[name] === undefined) throw new Error(`sample of ${name} outside its family`);
    const labels = parseLabels(m[2] ?? '', line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series: ${line}`);
    seen.add(key);
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value in: ${line}`);
    out.samples.push({ name, labels, value });
  }
  return out;
}

/** The samples of one metric name. */
export function samplesOf(e: Exposition, name: string): Sample[] {
  return e.samples.filter((s) => s.name === name);
}
