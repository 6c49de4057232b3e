// Lint: typescript-eslint's recommended rules, plus the rules that keep the pure core pure.
import tseslint from 'typescript-eslint'

const PURE = ['src/clock/hlc.ts', 'src/replica.ts', 'src/guard/**', 'src/record/validate.ts', 'src/record/limits.ts', 'src/record/codec.ts', 'src/table/**', 'src/membership/**', 'src/sync/**']

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.pb.ts', 'bench/results/**', 'test-artifacts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error'
    }
  },
  {
    // A promise nobody awaits must say what happens if it rejects: in an embedded registry an unhandled rejection
    // is the host process's crash. `void` does not count as handling it.
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error'
    }
  },
  {
    files: ['src/cli/**', 'examples/**', 'bench/**', 'test/support/**', 'test/netns/**', 'test/integration/dashboard.test.ts', 'test/soak/**'],
    rules: { 'no-console': 'off' }
  },
  {
    // The core takes time and randomness as arguments so tests and the simulator can drive it.
    files: PURE,
    rules: {
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'The pure core has no timers: take nowMs as an argument.' },
        { name: 'setInterval', message: 'The pure core has no timers: take nowMs as an argument.' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'The pure core takes nowMs as an argument.' },
        { object: 'Math', property: 'random', message: 'The pure core takes randomness as an argument.' }],
      'no-restricted-imports': ['error', { patterns: ['node:*', 'libp2p', '@libp2p/*', '@chainsafe/*', '../net/*'] }]
    }
  },
  {
    // Only net/ speaks libp2p, so moving to another libp2p major touches one folder.
    files: ['src/**/*.ts'],
    ignores: ['src/net/**', ...PURE, 'src/record/sign.ts', 'src/config.ts', 'src/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['libp2p', '@chainsafe/*'] }] }
  }
)
