/**
 * The `keepalive` section of the report (`--keepalive`): how long an idle keep-alive connection to
 * the target survived, how it ended, and every idle-then-reuse trial behind that verdict.
 * Plain data; described in schema/report.schema.json.
 */

/** What one trial saw: a connection left idle for `idleSeconds`, then reused (or closed by the peer first). */
export interface KeepaliveTrial {
  /** `watch`: the first connection, watched for the peer's close; `ladder`: reused at a fixed fraction of the longest idle time; `search`: a binary-search step; `control`: a fresh connection asked the same thing when a reuse got no answer. */
  role: 'watch' | 'ladder' | 'search' | 'control';
  /** Seconds the connection was idle before the reuse, or before the peer closed it. */
  idleSeconds: number;
  /**
   * `answered`: the reuse got a complete answer; `no-answer`: nothing came back within the reply
   * wait on a connection the peer never closed; `reset` / `closed`: the reuse met an RST / a FIN;
   * `closed-while-idle`: the peer closed the idle connection before the reuse; `failed`: the fresh
   * connection itself failed (connect, TLS, no answer to the first request).
   */
  result: 'answered' | 'no-answer' | 'reset' | 'closed' | 'closed-while-idle' | 'failed';
  /** How the peer closed an idle connection (`closed-while-idle`). */
  closedBy?: 'fin' | 'rst';
  /** HTTP status of the answer. */
  status?: number;
  /** Milliseconds from the reuse request to its answer or failure. */
  ms?: number;
}

export interface KeepaliveSection {
  /**
   * `closed`: the far side closes idle connections (idleTimeoutSeconds); `dropped`: a reuse after
   * droppedAfterSeconds got no answer while a fresh connection did (a silent drop); `survived`: a
   * connection idle for idleMaxSeconds was still answered; `no-keepalive`: the server closes after
   * every answer; `inconclusive`: the probe could not tell (reason).
   */
  outcome: 'closed' | 'dropped' | 'survived' | 'no-keepalive' | 'inconclusive';
  /** Why the probe could not tell, or why there is no keep-alive. */
  reason?: string;
  /** The longest idle time tried, in seconds (`--keepalive-max`, default the --timeout budget). */
  idleMaxSeconds: number;
  /** How long a reuse waited for its answer before counting as `no-answer`, in ms. */
  replyWaitMs: number;
  /** The most time the probe could take, in ms. */
  budgetMs: number;
  /** HTTP status of the first answer on the watched connection. */
  firstStatus?: number;
  /** The `Keep-Alive: timeout=N` the server advertised, in seconds (clients such as undici follow it). */
  advertisedTimeoutSeconds?: number;
  /** How the far side ended idle connections: a FIN or RST while idle, or an RST / FIN met by the reuse. */
  closedBy?: 'fin' | 'rst' | 'rst-on-reuse' | 'fin-on-reuse';
  /** `closed`: after how many idle seconds the far side closed (measured from the close itself, or the smallest idle time whose reuse met the close). */
  idleTimeoutSeconds?: number;
  /** The longest idle time, in seconds, after which a reuse was answered. */
  survivedSeconds?: number;
  /** `dropped`: the shortest idle time, in seconds, after which a reuse got no answer. */
  droppedAfterSeconds?: number;
  /** Bytes the far side sent on an idle connection without being asked (a late error page). */
  unsolicitedBytes?: number;
  trials: KeepaliveTrial[];
  durationMs: number;
}
