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

/**
 * The unit failed sign-ins are counted by: an IPv4 address, or an IPv6 address's /64 network (one
 * household or server usually holds a whole /64, so counting single IPv6 addresses would let one
 * client try 2^64 times as often).
 */
export function limitedAddressGroup(address: string): string {
  if (isIP(address) !== 6) return address
  const [head = '', tail] = address.toLowerCase().split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...Array(8 - headGroups.length - tailGroups.length).fill('0'),
          ...tailGroups,
        ]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
