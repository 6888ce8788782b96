/** Joining a target's base path with an endpoint path (pure). */

/** `/v1` + `/models` -> `/v1/models`; `` + `/models` -> `/models`; never a double slash. */
export function joinPath(base: string, path: string): string {
  const b = base.replace(/\/+$/, '');
  const p = path.startsWith('/') ? path : `/${path}`;
  return `${b}${p}`;
}

/** The base path, or `fallback` when the target gave none (`https://api.openai.com` means `/v1`). */
export function baseOr(basePath: string, fallback: string): string {
  return basePath === '' || basePath === '/' ? fallback : basePath;
}

/** Append a query string (without '?') when there is one. */
export function withQuery(path: string, query: string): string {
  if (query === '') return path;
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}
