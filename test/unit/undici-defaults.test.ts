import { maxHeaderSize as nodeMaxHeaderSize } from 'node:http';
import { describe, expect, it } from 'vitest';
import { defaultMaxHeaderSize, NODE_DEFAULT_MAX_HEADER_SIZE } from '../../src/net/http/undici.js';

describe('defaultMaxHeaderSize: what the probes pass undici instead of having it load node:http', () => {
  it("is Node's own default when the flag is not set", () => {
    expect(defaultMaxHeaderSize([], undefined)).toBe(NODE_DEFAULT_MAX_HEADER_SIZE);
    if (!process.execArgv.some((a) => a.includes('max-http-header-size')) && !(process.env.NODE_OPTIONS ?? '').includes('max-http-header-size')) {
      expect(NODE_DEFAULT_MAX_HEADER_SIZE).toBe(nodeMaxHeaderSize);
    }
  });
  it('leaves the value to undici (Node reads the flag) when NODE_OPTIONS or the command line set it', () => {
    expect(defaultMaxHeaderSize([], '--max-http-header-size=65536')).toBeUndefined();
    expect(defaultMaxHeaderSize(['--max-http-header-size', '8192'], undefined)).toBeUndefined();
  });
});
