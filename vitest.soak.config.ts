import { defineConfig } from 'vitest/config'

// The churn soak: one long test, run alone (`npm run test:soak`).
export default defineConfig({
  test: {
    include: ['test/soak/*.soak.ts'],
    maxWorkers: 1,
    minWorkers: 1,
    hookTimeout: 120_000,
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-artifacts/soak-vitest.json' }
  }
})
