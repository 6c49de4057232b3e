/**
 * The command line, on commander: `gossip-registry agent` runs a node with its HTTP gateway in the foreground;
 * the other commands talk to a running agent over HTTP. Loaded by bin.ts after the Node.js version check.
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
 */
import { Command, CommanderError, Option } from 'commander'
import { DEFAULTS } from '../config.js'
import { RegistryError } from '../errors.js'
import { CLIENT_COMMANDS, DEFAULT_AGENT_URL, runClientCommand, type ClientFlags } from './client.js'
import { AGENT_DEFAULTS, ALL_FLAGS, SECRET_KEYS, envName, fileKey, flagName } from './options.js'
import { packageVersion } from './package-version.js'
import { printableSettings, resolveAgentSettings } from './settings.js'

type ClientCommand = (typeof CLIENT_COMMANDS)[number]

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function main (argv: readonly string[]): Promise<number> {
  let code = 0
  const program = new Command('gossip-registry')
    .description('A service registry with no server: every process embeds a libp2p node that gossips signed instance records.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .helpCommand('help [command]', 'print help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
  for (const command of [agentCommand((c) => { code = c }), ...clientCommands((c) => { code = c })]) {
    // addCommand does not pass settings down as .command() does: suggestions and the exit override too.
    program.addCommand(command.copyInheritedSettings(program))
  }
  if (argv.length === 0) {
    // A bare `gossip-registry` explains itself; it never starts a node (that would join a LAN by surprise).
    program.outputHelp()
    return 0
  }
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return code
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    console.error(err instanceof RegistryError ? `${err.code}: ${err.message}` : `error: ${(err as Error).message}`)
    return 1
  }
}

/** `agent`: one flag per option of the table in options.ts, plus `--config`, `--print-config` and the secret files. */
function agentCommand (done: (code: number) => void): Command {
  const command = new Command('agent')
    .description('run a node and its HTTP API in the foreground (Ctrl-C leaves gracefully)')
    .option('--config <path>', 'read options from a JSON file (keys as in docs/options.md, e.g. "heartbeatInterval")')
    .option('--print-config', 'print the merged options (secrets hidden) and where each came from, then exit')
  const defaults: Record<string, unknown> = { ...DEFAULTS, ...AGENT_DEFAULTS }
  for (const [key, spec] of Object.entries(ALL_FLAGS)) {
    const flag = flagName(key)
    const option = spec.kind === 'boolean'
      ? new Option(defaults[key] === true ? `--no-${flag}` : `--${flag}`, spec.help)
      : new Option(`--${flag} ${spec.arg ?? '<value>'}`, `${spec.help}${describeDefault(defaults[key])}`)
    if (spec.kind === 'list') option.argParser(collect)
    command.addOption(option)
    if (SECRET_KEYS.includes(key)) command.addOption(new Option(`--${flagName(fileKey(key))} <path>`, `read ${flag} from a file (keeps it out of ps and shell history)`))
  }
  command.addHelpText('after', `
Every option can also come from the environment as ${envName('http')}-style variables (e.g. ${envName('heartbeatInterval')},
${envName('networkKeyFile')}; lists comma-separated) or from --config. Flags win over the environment, which wins
over the file, which wins over the defaults. Reference: docs/options.md and docs/agent.md.`)
  return command.action(async (_options: Record<string, unknown>, self: Command) => {
    // Only what was typed counts as a flag: commander's own defaults (true for --no-mdns) would hide env and file.
    const flags = Object.fromEntries(Object.entries(self.opts()).filter(([key]) => self.getOptionValueSource(key) === 'cli'))
    const settings = resolveAgentSettings({ flags, env: process.env })
    if (flags.printConfig === true) {
      console.log(JSON.stringify(printableSettings(settings), null, 2))
      done(0)
      return
    }
    // Loaded here, not at the top: client commands and --help need neither libp2p nor Fastify.
    const { runAgent } = await import('./agent.js')
    done(await runAgent(settings))
  })
}

/** The commands that make one HTTP call (or stream) to an agent. */
function clientCommands (done: (code: number) => void): Command[] {
  const describe: Record<ClientCommand, [args: string, description: string]> = {
    services: ['', 'list services with visible instances'],
    lookup: ['<service>', 'list the instances of a service'],
    members: ['[prune]', 'list members: name, id, state and when last heard; `members prune` forgets those dead or left here'],
    'force-leave': ['<member>', 'forget a member dead here, by its id or a unique name (this agent only; refused while alive or suspect)'],
    register: ['<service> <version> <address> <port>', 'register an instance through the agent (leased: renew it, or it expires)'],
    deregister: ['<id>', 'deregister an instance registered through the agent'],
    renew: ['<id>', 'renew the lease of an instance registered through the agent (or pass its ttl check)'],
    maintenance: ['<id> <on|off>', 'take an instance of the agent out of lookups at every node, still registered (on), or bring it back (off)'],
    leave: ['', 'make the agent leave the cluster gracefully and exit'],
    watch: ['[service]', 'print changes as they happen (Ctrl-C to stop)']
  }
  return CLIENT_COMMANDS.map((name) => {
    const [args, description] = describe[name]
    const command = new Command(name).description(description)
    if (args !== '') command.arguments(args)
    command
      .addOption(new Option('--agent <url>', `agent to talk to (default ${DEFAULT_AGENT_URL})`).env('GOSSIP_REGISTRY_AGENT'))
      .addOption(new Option('--token <token>', 'token of that agent, for writes').env('GOSSIP_REGISTRY_TOKEN'))
      .option('--json', 'print JSON instead of a table')
    if (name === 'lookup') {
      command.option('--semver <range>', 'only versions in this semver range, e.g. ^2.1')
        .option('--tag <tag>', 'only instances with this tag, repeatable', collect)
        .option('--all', 'include unhealthy instances')
    }
    if (name === 'register') {
      command.option('--tag <tag>', 'tag of the instance, repeatable', collect)
        .option('--ttl <duration>', 'lease, in ms or as 30s: renew within it (gossip-registry renew <id>) or the instance turns critical')
        .option('--check-http <url>', 'instead of a lease, the agent GETs this URL: 2xx passes, anything else is critical')
        .option('--check-tcp <host:port>', 'instead of a lease, the agent connects to this address')
        .option('--check-interval <duration>', 'between two runs of the check, in ms or as 10s (default 10s)')
        .option('--check-timeout <duration>', 'a run not answered within this fails (default 2s, below the interval)')
        .option('--check-status <code>', 'the one HTTP status that passes --check-http, instead of any 2xx')
    }
    if (name === 'maintenance') command.option('--reason <text>', 'why, shown with the instance (with on)')
    return command.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command
      const positional = self.args
      done(await runClientCommand(name, positional, self.opts<ClientFlags>()))
    })
  })
}

/** Collects a repeatable flag's values (`--tag a --tag b`) into a list. */
function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** ` (default 1000)` from the defaults object itself, so help never drifts from the code; nothing when unset. */
function describeDefault (value: unknown): string {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return ''
  return ` (default ${Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? JSON.stringify(value) : String(value)})`
}
