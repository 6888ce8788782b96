import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests that start real servers (nginx, squid, network namespaces) must not fight over ports
    // or namespaces; files run in parallel, tests inside a file in order.
    pool: 'forks',
  },
});
