/**
 * The Node.js version check, run by the bin before anything else is imported: libp2p's dependencies need Node 22
 * (`Promise.withResolvers`), and without this check an older Node dies deep inside them with a TypeError.
 * Imports nothing, so it runs on any Node that can parse ESM.
 */

/** Oldest Node.js major this package runs on; package.json's `engines.node` says the same. */
export const MIN_NODE_MAJOR = 22

/** The message to print and exit with on `version` (e.g. `20.11.1`), or undefined when it is new enough. */
export function nodeVersionProblem (version: string): string | undefined {
  const major = Number(version.split('.')[0])
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined
  return `gossip-registry needs Node.js >= ${MIN_NODE_MAJOR} (found ${version}); install Node ${MIN_NODE_MAJOR} or newer, or run it through \`npm start\`, which uses the project's own Node`
}
