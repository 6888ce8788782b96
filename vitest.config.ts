import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests that start real servers (nginx, squid, network namespaces) must not fight over ports
    // or namespaces; files run in parallel, tests inside a file in order.
    pool: 'forks',
    // The JSON result lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
