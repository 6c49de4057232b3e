import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real libp2p nodes; two cores cannot run many files at once without
    // starving the heartbeats the tests are timing.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    // CI keeps a machine-readable result beside the console output (.ci/run prints its totals).
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-artifacts/vitest.json' },
    hookTimeout: 30_000
  }
})
