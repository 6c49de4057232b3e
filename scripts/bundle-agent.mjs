// Bundles the `gossip-registry` executable (dist/src/cli/bin.js and everything it loads, dependencies included)
// into dist/agent/: the entry, bin.js, and one chunk that holds the CLI. Node resolves and reads some 1 100 small
// modules for an unbundled start, about half of the agent's start-up time (docs/performance.md, "Agent start-up"); a
// bundle is one file read. The entry stays small and in Node 20's syntax (target), so an old Node still gets the
// version check's one line: the chunk is loaded only after it. Plain JS: it runs on the output of tsc.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

// Chunk names carry a hash of their content: the last build's would otherwise pile up beside the new ones.
rmSync('dist/agent', { recursive: true, force: true })
await build({
  entryPoints: { bin: 'dist/src/cli/bin.js' },
  outdir: 'dist/agent',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'cli-[hash]',
  // Dependencies written as CommonJS call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning'
})
