/**
 * Small local servers for health-check and failover tests, on 127.0.0.1 with an OS-chosen port, each closed by
 * the test that opened it.
 */
import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import type { AddressInfo } from 'node:net'

/** An HTTP server answering every request with the status `status()` returns at that moment (or hanging). */
export interface FakeService {
  readonly port: number
  readonly url: string
  status: number | 'hang'
  hits: number
  close: () => Promise<void>
}

/** Starts an HTTP server whose answer the test controls. */
export async function startHttp (status: number | 'hang' = 200): Promise<FakeService> {
  const hanging = new Set<import('node:http').ServerResponse>()
  const service: FakeService = {
    port: 0,
    url: '',
    status,
    hits: 0,
    close: async () => {
      for (const res of hanging) res.destroy()
      await closeServer(server)
    }
  }
  const server = createServer((_req, res) => {
    service.hits++
    if (service.status === 'hang') {
      hanging.add(res)
      return
    }
    res.statusCode = service.status
    res.end(String(service.status))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return Object.assign(service, { port, url: `http://127.0.0.1:${port}/health` })
}

/** Starts a TCP server that accepts and closes connections; returns its port and a close function. */
export async function startTcp (): Promise<{ port: number, close: () => Promise<void> }> {
  const server = createTcpServer((socket) => socket.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, close: async () => closeServer(server) }
}

async function closeServer (server: Server | import('node:net').Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => { resolve() })
    if ('closeAllConnections' in server) server.closeAllConnections()
  })
}
