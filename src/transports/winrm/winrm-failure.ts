import { HelpdeskError } from '../../errors/index.ts'

/** The RemoteShell failure reasons WinRM can produce (see remote-shell.ts). */
export type WinRmFailureReason =
  | 'CONNECT_FAILED'
  | 'AUTHENTICATION_FAILED'
  | 'TLS_FAILED'
  | 'PROTOCOL_ERROR'

export function winRmFailure(
  reason: WinRmFailureReason,
  message: string,
  targetName: string,
  cause?: unknown,
): HelpdeskError {
  return new HelpdeskError({
    code: 'BACKEND_UNAVAILABLE',
    category: 'THIRD_PARTY',
    message,
    details: { reason, target: targetName },
    ...(cause === undefined ? {} : { cause }),
  })
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
])

/** Certificate and handshake failures, as Node's TLS layer names them. */
function isTlsError(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? ''
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'EPROTO' ||
    /certificate|ssl|tls/i.test(error.message)
  )
}

/** Turns a socket-level error into the failure a technician can act on. */
export function networkFailure(
  error: NodeJS.ErrnoException,
  where: string,
  targetName: string,
): HelpdeskError {
  if (isTlsError(error)) {
    return winRmFailure(
      'TLS_FAILED',
      `${where}: the TLS connection was refused (${error.code ?? error.message}); the listener's certificate must be signed by the CA in WINRM_CA_FILE and name the host`,
      targetName,
      error,
    )
  }
  if (error.code && CONNECT_CODES.has(error.code)) {
    return winRmFailure(
      'CONNECT_FAILED',
      `${where} cannot be reached (${error.code})`,
      targetName,
      error,
    )
  }
  return winRmFailure('PROTOCOL_ERROR', `${where}: ${error.message}`, targetName, error)
}
