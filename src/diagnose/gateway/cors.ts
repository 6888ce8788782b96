/**
 * Would a browser accept this preflight answer? The CORS check of the Fetch standard, reduced to
 * what the gateway check asks: an ok status (2xx), an Access-Control-Allow-Origin that is the
 * origin or `*`, POST allowed (it is CORS-safelisted, so an absent Allow-Methods is fine), and
 * every requested header listed (`*` covers all but Authorization). Pure.
 */
export interface PreflightVerdict {
  ok: boolean;
  /** Why a browser would refuse it (one short phrase), when it would. */
  reason?: 'status' | 'no-allow-origin' | 'other-origin' | 'method' | 'headers';
  /** The requested headers the answer did not allow. */
  missingHeaders?: string[];
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

/** Whether an answer's Access-Control-Allow-Origin lets `origin` read it. */
export function allowsOrigin(headers: Record<string, string>, origin: string): boolean {
  const v = headers['access-control-allow-origin']?.trim();
  return v === '*' || v === origin;
}

export function judgePreflight(status: number, headers: Record<string, string>, origin: string, requested: string[]): PreflightVerdict {
  if (status < 200 || status > 299) return { ok: false, reason: 'status' };
  const acao = headers['access-control-allow-origin'];
  if (acao === undefined) return { ok: false, reason: 'no-allow-origin' };
  if (!allowsOrigin(headers, origin)) return { ok: false, reason: 'other-origin' };
  const methods = list(headers['access-control-allow-methods']);
  if (methods.length > 0 && !methods.includes('post') && !methods.includes('*')) return { ok: false, reason: 'method' };
  const allowed = list(headers['access-control-allow-headers']);
  const missing = requested.map((h) => h.toLowerCase()).filter((h) => !allowed.includes(h) && !(allowed.includes('*') && h !== 'authorization'));
  if (missing.length > 0) return { ok: false, reason: 'headers', missingHeaders: missing };
  return { ok: true };
}
