/**
 * The renderer of one format, loaded when asked for: a run imports the one it prints with (and
 * the one of --output), not all six with their dependencies. The same functions as RENDERERS.
 */
import type { Format } from '../config.js';
import type { Renderer } from './index.js';

const LOADERS: Partial<Record<Format, () => Promise<Renderer>>> = {
  human: async () => (await import('./human.js')).renderHuman,
  json: async () => (await import('./json.js')).renderJson,
  md: async () => (await import('./md.js')).renderMarkdown,
  junit: async () => (await import('./junit.js')).renderJunit,
  openmetrics: async () => (await import('./openmetrics.js')).renderOpenMetrics,
  github: async () => (await import('./github.js')).renderGithub,
};

export async function loadRenderer(format: Format): Promise<Renderer | undefined> {
  const load = LOADERS[format];
  return load ? load() : undefined;
}
