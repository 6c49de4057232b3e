/**
 * A client that joins the cluster through the example service's node, looks `hello` up and calls it.
 * Run: npm run example:client   (with `npm run example:service` running in another terminal)
 */
import { createRegistry, type Instance } from '../../src/index.js'

const registry = await createRegistry({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: ['/ip4/127.0.0.1/tcp/4545'] })

// The lookup itself is synchronous and local; we only wait for the cluster's table to reach this new node.
const found = await new Promise<Instance | undefined>((resolve) => {
  const deadline = setTimeout(() => { resolve(undefined) }, 10_000)
  const check = (): void => {
    const [instance] = registry.lookup('hello', { version: '^1.0.0' })
    if (instance !== undefined) {
      clearTimeout(deadline)
      registry.removeEventListener('instance:up', check)
      resolve(instance)
    }
  }
  registry.addEventListener('instance:up', check)
  check()
})

if (found === undefined) {
  console.error('no instance of hello@^1.0.0 appeared within 10 s: is `npm run example:service` running?')
  process.exitCode = 1
} else {
  const response = await fetch(`http://${found.address}:${found.port}/greet`)
  console.log(`found hello@${found.version} at ${found.address}:${found.port} (owner ${found.owner})`)
  console.log(`response: ${await response.text()}`)
}
await registry.stop()
