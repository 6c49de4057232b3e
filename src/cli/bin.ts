#!/usr/bin/env node
/**
 * The `gossip-registry` executable. It checks the Node.js version first and only then loads the CLI (and with it
 * libp2p), so an old Node gets one line naming the version it needs instead of a TypeError from a dependency.
 */
import { nodeVersionProblem } from './node-version.js'

const problem = nodeVersionProblem(process.versions.node)
if (problem !== undefined) {
  console.error(problem)
  process.exitCode = 1
} else {
  const { main } = await import('./main.js')
  process.exitCode = await main(process.argv.slice(2))
}
