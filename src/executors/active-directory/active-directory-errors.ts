import { isHelpdeskError } from '../../errors/index.ts'

/**
 * Turns what ldapts and Node's TLS layer throw into an error code and a sentence a technician
 * can act on. Active Directory hides the real reason for a refused bind in the diagnostic text
 * (`AcceptSecurityContext error, data 775`), so that sub-code is read first.
 * @module
 */

export interface DirectoryFailure {
  /** Upper snake case, `LDAP_` for what the directory or the connection said. */
  errorCode: string
  message: string
}

/** The `data NNN` sub-codes of AD's invalidCredentials (49), as documented by Microsoft. */
const BIND_SUB_CODES: Readonly<Record<string, DirectoryFailure>> = {
  '52e': { errorCode: 'LDAP_INVALID_CREDENTIALS', message: 'the password is wrong' },
  '525': { errorCode: 'LDAP_USER_NOT_FOUND', message: 'no such account in the directory' },
  '530': {
    errorCode: 'LDAP_LOGON_TIME_RESTRICTION',
    message: 'the account may not sign in at this time of day (logon hours)',
  },
  '531': {
    errorCode: 'LDAP_WORKSTATION_RESTRICTION',
    message: 'the account may not sign in from this computer (workstation restriction)',
  },
  '532': {
    errorCode: 'LDAP_PASSWORD_EXPIRED',
    message: 'the password has expired; reset it',
  },
  '533': { errorCode: 'LDAP_ACCOUNT_DISABLED', message: 'the account is disabled; enable it' },
  '701': {
    errorCode: 'LDAP_ACCOUNT_EXPIRED',
    message: 'the account has expired (its end date has passed); extend it',
  },
  '773': {
    errorCode: 'LDAP_MUST_CHANGE_PASSWORD',
    message: 'the password must be changed at next sign-in; sign in with it and set a new one',
  },
  '775': {
    errorCode: 'LDAP_ACCOUNT_LOCKED',
    message: 'the account is locked out after too many wrong passwords; unlock it',
  },
}

const PASSWORD_POLICY_HINT =
  'for a password this is the password policy (length, complexity, history or minimum age)'

/** LDAP result codes (RFC 4511) that have a clearer meaning than their name. */
const RESULT_CODES: Readonly<Record<number, DirectoryFailure>> = {
  3: { errorCode: 'TIMEOUT', message: 'the directory gave up: the time limit was exceeded' },
  4: { errorCode: 'LDAP_SIZE_LIMIT', message: 'the search found more entries than allowed' },
  8: {
    errorCode: 'LDAP_STRONG_AUTH_REQUIRED',
    message: 'the directory requires an encrypted connection (use ldaps://)',
  },
  16: { errorCode: 'LDAP_NO_SUCH_ATTRIBUTE', message: 'the value to remove is not there' },
  19: {
    errorCode: 'LDAP_CONSTRAINT_VIOLATION',
    message: `the directory refused the value; ${PASSWORD_POLICY_HINT}`,
  },
  20: { errorCode: 'LDAP_VALUE_EXISTS', message: 'the value is already there' },
  32: {
    errorCode: 'LDAP_NO_SUCH_OBJECT',
    message: 'the object does not exist, or the service account cannot see it',
  },
  34: { errorCode: 'LDAP_INVALID_DN', message: 'the distinguished name is not valid' },
  50: {
    errorCode: 'LDAP_INSUFFICIENT_ACCESS',
    message:
      'the service account is not allowed to do this; delegate the right on the OU or group to it',
  },
  51: { errorCode: 'LDAP_BUSY', message: 'the domain controller is too busy; try again' },
  52: { errorCode: 'LDAP_UNAVAILABLE', message: 'the domain controller is unavailable' },
  53: {
    errorCode: 'LDAP_UNWILLING_TO_PERFORM',
    message: `the directory refused the change; ${PASSWORD_POLICY_HINT}`,
  },
  68: {
    errorCode: 'LDAP_ALREADY_EXISTS',
    message: 'it already exists (for a group: the user is already a member)',
  },
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
])

const CONNECTION_CODES: Readonly<Record<string, DirectoryFailure>> = {
  ECONNREFUSED: {
    errorCode: 'LDAP_CONNECTION_REFUSED',
    message: 'the domain controller refused the connection (is LDAPS on this port running?)',
  },
  ENOTFOUND: {
    errorCode: 'LDAP_HOST_NOT_FOUND',
    message: 'the domain controller name does not resolve (check AD_URL and DNS)',
  },
  EAI_AGAIN: {
    errorCode: 'LDAP_HOST_NOT_FOUND',
    message: 'the domain controller name could not be resolved right now (DNS)',
  },
  EHOSTUNREACH: {
    errorCode: 'LDAP_HOST_UNREACHABLE',
    message: 'the domain controller cannot be reached (network or firewall)',
  },
  ENETUNREACH: {
    errorCode: 'LDAP_HOST_UNREACHABLE',
    message: 'the domain controller cannot be reached (network or firewall)',
  },
  ETIMEDOUT: { errorCode: 'TIMEOUT', message: 'the domain controller did not answer in time' },
  ECONNRESET: {
    errorCode: 'LDAP_CONNECTION_LOST',
    message: 'the domain controller closed the connection',
  },
}

/**
 * @param account who the failing operation was about, e.g. `alice` or the service account, so
 *   the message says whose password is wrong or whose account is locked.
 */
export function describeDirectoryError(
  error: unknown,
  context: { account?: string } = {},
): DirectoryFailure {
  const found = classify(error)
  return context.account ? { ...found, message: `${context.account}: ${found.message}` } : found
}

function classify(error: unknown): DirectoryFailure {
  if (error instanceof DirectoryOperationFailure) {
    return { errorCode: error.errorCode, message: error.message }
  }
  if (isHelpdeskError(error)) return { errorCode: error.code, message: error.message }
  if (!(error instanceof Error)) return { errorCode: 'LDAP_ERROR', message: String(error) }
  const code = (error as { code?: unknown }).code
  const diagnostic = diagnosticText(error.message)
  const subCode = /\bdata ([0-9a-f]{3,4})\b/i.exec(error.message)?.[1]?.toLowerCase()
  if (subCode && BIND_SUB_CODES[subCode]) {
    return withSubCode(BIND_SUB_CODES[subCode], subCode)
  }
  if (typeof code === 'number') {
    const known = RESULT_CODES[code]
    if (code === 49) {
      return {
        errorCode: 'LDAP_INVALID_CREDENTIALS',
        message: `the directory refused the sign-in (${diagnostic || 'invalid credentials'})`,
      }
    }
    if (known) return { ...known, message: `${known.message} (${diagnostic || `code ${code}`})` }
    return {
      errorCode: 'LDAP_ERROR',
      message: `the directory answered code ${code}: ${diagnostic}`,
    }
  }
  if (typeof code === 'string') {
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return {
        errorCode: 'LDAP_TLS_NAME_MISMATCH',
        message: `the domain controller's certificate is not issued to the name in AD_URL; connect by the name on the certificate, or set AD_TLS_SERVERNAME to it (${error.message})`,
      }
    }
    if (TLS_UNTRUSTED.has(code)) {
      return {
        errorCode: 'LDAP_TLS_UNTRUSTED',
        message: `the domain controller's certificate could not be verified (${code}); check AD_CA_FILE holds the CA that issued it`,
      }
    }
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
      return {
        errorCode: 'LDAP_TLS_FAILED',
        message: `the TLS handshake with the domain controller failed (${code})`,
      }
    }
    const connection = CONNECTION_CODES[code]
    if (connection) return connection
  }
  if (/timeout|timed out/i.test(error.message)) {
    return {
      errorCode: 'TIMEOUT',
      message: `the domain controller did not answer in time (${error.message})`,
    }
  }
  if (/Connection closed|ECONNRESET|Socket error/i.test(error.message)) {
    return {
      errorCode: 'LDAP_CONNECTION_LOST',
      message: `the connection to the domain controller was lost (${firstLine(error.message)})`,
    }
  }
  return { errorCode: 'LDAP_ERROR', message: firstLine(error.message) }
}

function withSubCode(failure: DirectoryFailure, subCode: string): DirectoryFailure {
  return { errorCode: failure.errorCode, message: `${failure.message} (AD data ${subCode})` }
}

/** ldapts appends ` Code: 0x31` to the server's text; the server's text is what helps. */
function diagnosticText(message: string): string {
  return firstLine(message.replace(/\s*Code: 0x[0-9a-f]+\s*$/i, '')).slice(0, 300)
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/**
 * A failure of the operation itself (unknown user, protected account, verification failed),
 * thrown inside the executor and returned as a failed step, never out of it.
 */
export class DirectoryOperationFailure extends Error {
  readonly errorCode: string
  /** True when something had already changed (a password set but not delivered). */
  readonly changed: boolean

  constructor(errorCode: string, message: string, changed = false) {
    super(message)
    this.name = 'DirectoryOperationFailure'
    this.errorCode = errorCode
    this.changed = changed
  }
}
