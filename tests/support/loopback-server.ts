/**
 * An app served over real HTTP on 127.0.0.1 at a port the system picks, for the browser tests:
 * Chromium needs a socket, where the route tests call `app.request()` in-process.
 * @module
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, with no trailing slash. */
  baseUrl: string
  /** Stops listening and waits until the open connections are closed. */
  close(): Promise<void>
}

/** Serves `fetch` (a Hono app's) on 127.0.0.1; resolves once it listens. */
export async function serveOnLoopback(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<LoopbackServer> {
  let close: LoopbackServer['close'] = async () => {}
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(info.port),
    )
    close = () => new Promise<void>((done) => server.close(() => done()))
  })
  return { baseUrl: `http://127.0.0.1:${port}`, close }
}
