/** undici's own files that net/http/undici.ts loads directly (undici has no exports map, no types for them). */
declare module 'undici/lib/dispatcher/dispatcher.js' {
  const Dispatcher: { prototype: Record<string, unknown> };
  export default Dispatcher;
}
declare module 'undici/lib/api/index.js' {
  const api: Record<string, unknown>;
  export default api;
}
declare module 'undici/lib/dispatcher/client.js' {
  const Client: unknown;
  export default Client;
}
