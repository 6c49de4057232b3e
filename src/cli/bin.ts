#!/usr/bin/env node
/**
 * The `gossip-registry` executable. It checks the Node.js version first and only then loads the CLI (and with it
 * libp2p), so an old Node gets one line naming the version it needs instead of a TypeError from a dependency.
 * Published as a bundle (scripts/bundle-agent.mjs) whose entry is this file.
 */
import * as nodeModule from 'node:module'
import { nodeVersionProblem } from './node-version.js'

const problem = nodeVersionProblem(process.versions.node)
if (problem !== undefined) {
  console.error(problem)
  process.exitCode = 1
} else {
  // V8's compiled code of the CLI, kept between runs (Node's cache directory: NODE_COMPILE_CACHE, or a folder
  // under the system's temporary directory): a start then skips most of the compiling, about 150 ms of it. A cache
  // that cannot be written is skipped by Node without an error.
  nodeModule.enableCompileCache?.()
  const { main } = await import('./main.js')
  process.exitCode = await main(process.argv.slice(2))
}
