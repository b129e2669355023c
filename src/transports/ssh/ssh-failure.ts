import { HelpdeskError } from '../../errors/index.ts'
import type { Target } from '../../inventory/inventory-schema.ts'

/** Turns an ssh2 connection error into the transport failure a technician can act on. */
export function sshFailure(
  target: Target,
  error: Error & { level?: string; code?: string },
  presented: Buffer | undefined,
  pinned: Buffer,
): HelpdeskError {
  const where = `${target.name} (${target.host}:${target.port ?? 22})`
  if (presented && !presented.equals(pinned)) {
    return failure(
      'HOST_KEY_MISMATCH',
      `${where} presented a host key that does not match the pinned one; refusing to connect. If the machine was rebuilt, check the new key out of band and update the inventory`,
      target,
    )
  }
  if (error.level === 'client-authentication') {
    return failure(
      'AUTHENTICATION_FAILED',
      `${where} refused the login for ${target.username} (check the credential ${target.credential.split(':')[0]}: reference and the account's authorized keys or password)`,
      target,
    )
  }
  if (error.level === 'client-timeout' || /Timed out/i.test(error.message)) {
    return failure('CONNECT_FAILED', `${where} did not complete the SSH handshake in time`, target)
  }
  if (
    error.code === 'ECONNREFUSED' ||
    error.code === 'EHOSTUNREACH' ||
    error.code === 'ENOTFOUND'
  ) {
    return failure('CONNECT_FAILED', `${where} cannot be reached (${error.code})`, target)
  }
  return failure('PROTOCOL_ERROR', `${where}: ${error.message}`, target)
}

function failure(reason: string, message: string, target: Target): HelpdeskError {
  return new HelpdeskError({
    code: 'BACKEND_UNAVAILABLE',
    category: 'THIRD_PARTY',
    message,
    details: { reason, target: target.name },
  })
}
