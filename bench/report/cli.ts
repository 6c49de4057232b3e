/**
 * Command-line pieces the benches share: parsing with `--help`, the options the cluster benches both take,
 * cluster sizes, timings, simulator seeds, and whether a module is the one node was started with (so a bench file
 * runs alone or is imported by bench/run).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'

/** parseArgs options common to bench/convergence.ts and bench/simulate.ts. */
export const CLUSTER_OPTIONS = {
  ops: { type: 'string', default: '20' },
  steady: { type: 'string', default: '10' },
  heartbeat: { type: 'string' },
  suspect: { type: 'string' },
  dead: { type: 'string' },
  out: { type: 'string', default: 'bench/results/full' }
} as const

/** Registry timings a bench run overrides. */
export interface Timings {
  readonly heartbeatMs: number
  readonly suspectAfterMs: number
  readonly deadAfterMs: number
}

/** True when `moduleUrl` (a module's `import.meta.url`) is the script node was asked to run. */
export function isMain (moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href
}

/** `--nodes 10,25,50` as numbers. */
export function parseSizes (text: string): number[] {
  const sizes = text.split(',').map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 3)) throw new RangeError(`--nodes must list integers >= 3, got \`${text}\``)
  return sizes
}

/**
 * `--heartbeat ms [--suspect ms] [--dead ms]`; suspect and dead default to 4 and 20 heartbeats, the ratios of
 * the registry's defaults. Undefined without --heartbeat.
 */
export function parseTimings (values: { heartbeat?: string, suspect?: string, dead?: string }): Timings | undefined {
  if (values.heartbeat === undefined) {
    if (values.suspect !== undefined || values.dead !== undefined) throw new RangeError('--suspect and --dead need --heartbeat')
    return undefined
  }
  const heartbeatMs = Number(values.heartbeat)
  const timings = { heartbeatMs, suspectAfterMs: Number(values.suspect ?? 4 * heartbeatMs), deadAfterMs: Number(values.dead ?? 20 * heartbeatMs) }
  for (const [name, value] of Object.entries(timings)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer of milliseconds, got ${value}`)
  }
  return timings
}

/** `--seed n`: an integer the simulator's generator accepts (32 bits). */
export function parseSeed (text: string): number {
  const seed = Number(text)
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new RangeError(`--seed must be an integer from 0 to ${0xffff_ffff}, got \`${text}\``)
  return seed
}

/** The values of a bench's command line parsed with `options` (see `benchArgs`). */
type BenchValues<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O }>>['values']

/**
 * A bench's command line, parsed strictly with `options`, plus `--help`: it prints the bench's usage and exits 0.
 * A flag the bench does not know prints parseArgs' message and the usage and exits 2, not a stack trace. The usage
 * is the bench file's own header comment, so it is written once, where the code is.
 */
export function benchArgs<O extends ParseArgsOptionsConfig> (moduleUrl: string, options: O): BenchValues<O> {
  const args = process.argv.slice(2)
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usageOf(moduleUrl))
    process.exit(0)
  }
  try {
    return parseArgs({ args, options }).values
  } catch (err) {
    if (!(err instanceof TypeError) || !String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw err
    process.stderr.write(`${err.message}\n\n${usageOf(moduleUrl)}`)
    process.exit(2)
  }
}

/** The first block comment of the file at `moduleUrl`, without its comment marks. */
export function usageOf (moduleUrl: string): string {
  const source = readFileSync(fileURLToPath(moduleUrl), 'utf8')
  const block = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? ''
  return block.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n').trim() + '\n'
}
