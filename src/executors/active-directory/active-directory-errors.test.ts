import {
  AlreadyExistsError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  StrongAuthRequiredError,
  UnavailableError,
  UnwillingToPerformError,
} from 'ldapts'
import { describe, expect, it } from 'vitest'
import { HelpdeskError } from '../../errors/index.ts'
import { DirectoryOperationFailure, describeDirectoryError } from './active-directory-errors.ts'

/** What Samba and Windows put in the diagnostic text of a refused bind. */
function refusedBind(subCode: string): InvalidCredentialsError {
  return new InvalidCredentialsError(
    `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${subCode}, v1db1`,
  )
}

function nodeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

describe('describeDirectoryError', () => {
  it.each([
    ['52e', 'LDAP_INVALID_CREDENTIALS', /password is wrong/],
    ['525', 'LDAP_USER_NOT_FOUND', /no such account/],
    ['530', 'LDAP_LOGON_TIME_RESTRICTION', /time of day/],
    ['531', 'LDAP_WORKSTATION_RESTRICTION', /from this computer/],
    ['532', 'LDAP_PASSWORD_EXPIRED', /password has expired/],
    ['533', 'LDAP_ACCOUNT_DISABLED', /disabled/],
    ['701', 'LDAP_ACCOUNT_EXPIRED', /account has expired/],
    ['773', 'LDAP_MUST_CHANGE_PASSWORD', /must be changed at next sign-in/],
    ['775', 'LDAP_ACCOUNT_LOCKED', /locked out/],
  ])('reads AD bind sub-code data %s as %s', (subCode, errorCode, message) => {
    const failure = describeDirectoryError(refusedBind(subCode), { account: 'alice' })
    expect(failure.errorCode).toBe(errorCode)
    expect(failure.message).toMatch(message)
    expect(failure.message).toMatch(/^alice: /)
    expect(failure.message).toContain(`data ${subCode}`)
  })

  it('reads the sub-code in upper case too, and falls back to invalid credentials without one', () => {
    expect(describeDirectoryError(refusedBind('52E')).errorCode).toBe('LDAP_INVALID_CREDENTIALS')
    const plain = describeDirectoryError(new InvalidCredentialsError('Invalid credentials'))
    expect(plain.errorCode).toBe('LDAP_INVALID_CREDENTIALS')
    expect(plain.message).toContain('refused the sign-in')
  })

  it.each([
    [
      new NoSuchObjectError('00000525: specified dn does not exist'),
      'LDAP_NO_SUCH_OBJECT',
      /does not exist/,
    ],
    [
      new AlreadyExistsError('Attribute member already exists'),
      'LDAP_ALREADY_EXISTS',
      /already a member/,
    ],
    [
      new InsufficientAccessError('00002098: Insufficient access'),
      'LDAP_INSUFFICIENT_ACCESS',
      /not allowed/,
    ],
    [
      new UnwillingToPerformError('0000052D: Constraint violation'),
      'LDAP_UNWILLING_TO_PERFORM',
      /password policy/,
    ],
    [
      new ConstraintViolationError('0000052D: password too short'),
      'LDAP_CONSTRAINT_VIOLATION',
      /password policy/,
    ],
    [
      new StrongAuthRequiredError('BindSimple: Transport encryption required.'),
      'LDAP_STRONG_AUTH_REQUIRED',
      /ldaps/,
    ],
    [new UnavailableError('shutting down'), 'LDAP_UNAVAILABLE', /unavailable/],
  ])('maps %s to %s', (error, errorCode, message) => {
    const failure = describeDirectoryError(error)
    expect(failure.errorCode).toBe(errorCode)
    expect(failure.message).toMatch(message)
    // The server's own words stay, without ldapts's "Code: 0x.." suffix.
    expect(failure.message).not.toMatch(/Code: 0x/)
  })

  it("does not mistake a result code's hex text for a bind sub-code", () => {
    // "00000525" in a NoSuchObject diagnostic is not "data 525".
    const failure = describeDirectoryError(
      new NoSuchObjectError('00000525: specified dn does not exist'),
    )
    expect(failure.errorCode).toBe('LDAP_NO_SUCH_OBJECT')
  })

  it('names unknown result codes', () => {
    const error = Object.assign(new Error('odd Code: 0x50'), { code: 80 })
    expect(describeDirectoryError(error)).toEqual({
      errorCode: 'LDAP_ERROR',
      message: 'the directory answered code 80: odd',
    })
  })

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:636', 'LDAP_CONNECTION_REFUSED'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND dc01', 'LDAP_HOST_NOT_FOUND'],
    ['ETIMEDOUT', 'connect ETIMEDOUT', 'TIMEOUT'],
    ['ECONNRESET', 'read ECONNRESET', 'LDAP_CONNECTION_LOST'],
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'unable to verify the first certificate',
      'LDAP_TLS_UNTRUSTED',
    ],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'LDAP_TLS_UNTRUSTED',
    ],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'LDAP_TLS_UNTRUSTED'],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames",
      'LDAP_TLS_NAME_MISMATCH',
    ],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'LDAP_TLS_FAILED'],
  ])('maps the connection error %s', (code, message, errorCode) => {
    expect(describeDirectoryError(nodeError(code, message)).errorCode).toBe(errorCode)
  })

  it('points at the setting to fix for TLS problems', () => {
    expect(describeDirectoryError(nodeError('SELF_SIGNED_CERT_IN_CHAIN', 'x')).message).toContain(
      'AD_CA_FILE',
    )
    expect(
      describeDirectoryError(nodeError('ERR_TLS_CERT_ALTNAME_INVALID', 'x')).message,
    ).toContain('AD_TLS_SERVERNAME')
  })

  it('maps ldapts timeouts and lost connections by their text', () => {
    expect(describeDirectoryError(new Error('Connection timeout')).errorCode).toBe('TIMEOUT')
    expect(describeDirectoryError(new Error('SearchRequest: Operation timed out')).errorCode).toBe(
      'TIMEOUT',
    )
    expect(
      describeDirectoryError(
        new Error(
          'Connection closed before message response was received. Message type: SearchRequest (0x63)',
        ),
      ).errorCode,
    ).toBe('LDAP_CONNECTION_LOST')
  })

  it('keeps the code of our own failures and configuration errors', () => {
    expect(
      describeDirectoryError(new DirectoryOperationFailure('AD_USER_NOT_FOUND', 'no user "x"')),
    ).toEqual({
      errorCode: 'AD_USER_NOT_FOUND',
      message: 'no user "x"',
    })
    const configuration = new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      message: 'credential env:X: not set',
    })
    expect(describeDirectoryError(configuration).errorCode).toBe('INVALID_CONFIGURATION')
  })

  it('describes anything else by its first line, and non-errors by their text', () => {
    expect(describeDirectoryError(new Error('first\nsecond'))).toEqual({
      errorCode: 'LDAP_ERROR',
      message: 'first',
    })
    expect(describeDirectoryError('plain').message).toBe('plain')
  })
})
