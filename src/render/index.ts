/** Output formats: a map of name to renderer. Renderers are pure: report in, string out. */
import type { Format } from '../config.js';
import type { Report } from '../report.js';
import { renderHuman } from './human.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './md.js';
import { renderJunit } from './junit.js';
import { renderOpenMetrics } from './openmetrics.js';
import { renderGithub } from './github.js';

export interface RenderOptions {
  /** Colour on or off (human format only). */
  color: boolean;
  /** Terminal width for the waterfall and strips (human: also where prose wraps). */
  width?: number;
  /** Human format: false draws ASCII marks instead of Unicode ones (TERM=dumb, a non-UTF-8 locale). */
  unicode?: boolean;
}

export type Renderer = (report: Report, opts: RenderOptions) => string;

export const RENDERERS: Partial<Record<Format, Renderer>> = {
  human: renderHuman,
  json: renderJson,
  md: renderMarkdown,
  junit: renderJunit,
  openmetrics: renderOpenMetrics,
  github: renderGithub,
};

export function rendererFor(format: Format): Renderer | undefined {
  return RENDERERS[format];
}
