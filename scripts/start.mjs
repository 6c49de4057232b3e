// `npm start`: builds if a source is newer than the last build, then runs the bundled agent in this same process
// (one Node process and no npm lifecycle step of its own: each would add about 100 ms to the start). The arguments
// after `npm start --` reach the CLI as they are.
import { buildIfStale } from './build-if-stale.mjs'

buildIfStale()
await import('../dist/agent/bin.js')
