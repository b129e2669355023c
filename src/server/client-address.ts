import { isIP } from 'node:net'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'

/** What the address is when the request came without a socket (as in `app.request` tests). */
export const UNKNOWN_ADDRESS = 'unknown'

/**
 * The address a request came from, for limits and logs. The connection's peer, unless
 * `trustProxy` says one reverse proxy stands in front: then the last `X-Forwarded-For` entry,
 * the one that proxy added (earlier entries are whatever the client claimed). A header that is
 * not an IP address is ignored. IPv4-mapped IPv6 addresses are shown as IPv4.
 */
export function clientAddress(context: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = context.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
    if (forwarded !== undefined && isIP(forwarded) !== 0) return normalise(forwarded)
  }
  let address: string | undefined
  try {
    address = getConnInfo(context).remote.address
  } catch {
    // No Node socket behind this request.
  }
  return address === undefined ? UNKNOWN_ADDRESS : normalise(address)
}

function normalise(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')
}
