/**
 * Turns what the AWS SDK throws into a step failure a technician can act on: a stable
 * `IAM_...` code, a message that says what to check, and whether trying again later may help.
 *
 * With the awsQuery protocol a modelled IAM error arrives as an exception named after its shape
 * (`NoSuchEntityException`) whose `Code` is the wire code (`NoSuchEntity`); an unmodelled one
 * (`AccessDenied`, `Throttling`, `InvalidClientTokenId`) is named after the wire code. Both are
 * matched. Node network errors carry a `code` such as `ECONNREFUSED`.
 * @module
 */

export interface IamFailure {
  errorCode: string
  message: string
  /** True when the same call may well succeed later unchanged (throttling, 5xx, network). */
  transient: boolean
}

interface ErrorFacts {
  name: string
  code: string
  awsMessage: string
  status: number | undefined
  attempts: number | undefined
  fault: string | undefined
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function factsOf(error: unknown): ErrorFacts {
  const metadata = field(error, '$metadata')
  const status = field(metadata, 'httpStatusCode')
  const attempts = field(metadata, 'attempts')
  return {
    name: text(field(error, 'name')),
    code:
      text(field(error, 'Code')) ||
      text(field(field(error, 'Error'), 'Code')) ||
      text(field(error, 'code')),
    // AWS error messages name the entity and the action, never a credential; capped anyway.
    awsMessage: (text(field(error, 'message')) || 'no message').slice(0, 300).replace(/\.$/, ''),
    status: typeof status === 'number' ? status : undefined,
    attempts: typeof attempts === 'number' ? attempts : undefined,
    fault: text(field(error, '$fault')) || undefined,
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
])

/**
 * @param action The IAM action that failed, named in the message (`iam:UpdateLoginProfile`).
 */
export function iamFailure(error: unknown, action = 'the IAM call'): IamFailure {
  const facts = factsOf(error)
  // One key per kind of failure: the exception name without "Exception", or the wire code.
  const kind = [facts.name.replace(/Exception$/, ''), facts.code].filter(Boolean)
  const is = (...names: string[]) => kind.some((each) => names.includes(each))
  const aws = `AWS said: ${facts.awsMessage}`
  const retried = facts.attempts && facts.attempts > 1 ? ` (after ${facts.attempts} attempts)` : ''

  if (is('NoSuchEntity'))
    return fail(
      'IAM_NO_SUCH_ENTITY',
      `${aws}. Check the spelling of the user or group name and that it exists in this AWS account.`,
    )
  if (is('EntityTemporarilyUnmodifiable'))
    return transient(
      'IAM_TEMPORARILY_UNMODIFIABLE',
      `${aws}. The user was created or deleted moments ago; try again in a minute.`,
    )
  if (is('EntityAlreadyExists'))
    return transient(
      'IAM_ENTITY_ALREADY_EXISTS',
      `${aws}. Someone else changed the user at the same time; run the step again.`,
    )
  if (is('LimitExceeded'))
    return fail(
      'IAM_LIMIT_EXCEEDED',
      `${aws}. An IAM quota is reached (for example 10 groups per user); remove something first or ask for a quota increase.`,
    )
  if (is('PasswordPolicyViolation'))
    return fail(
      'IAM_PASSWORD_POLICY',
      `${aws}. The account's IAM password policy refused the generated password; check its minimum length and required characters.`,
    )
  if (is('InvalidInput', 'ValidationError'))
    return fail('IAM_INVALID_INPUT', `${aws}. IAM refused a parameter of ${action}.`)
  if (is('AccessDenied', 'UnauthorizedOperation'))
    return fail(
      'IAM_ACCESS_DENIED',
      `${aws}. The helpdesk's AWS identity may not call ${action}; grant it in its IAM policy (check SCPs and permission boundaries too).`,
    )
  if (is('InvalidClientTokenId', 'UnrecognizedClientException'))
    return fail(
      'IAM_INVALID_CREDENTIALS',
      `${aws}. AWS does not know the access key the helpdesk signs with; check AWS_ACCESS_KEY_ID or AWS_PROFILE and that the key is active.`,
    )
  if (is('SignatureDoesNotMatch', 'IncompleteSignature'))
    return fail(
      'IAM_SIGNATURE_MISMATCH',
      `${aws}. The secret access key does not belong to the access key id; check AWS_SECRET_ACCESS_KEY or the profile.`,
    )
  if (is('ExpiredToken', 'RequestExpired', 'InvalidSignatureException'))
    return fail(
      'IAM_EXPIRED_CREDENTIALS',
      `${aws}. The temporary credentials expired or this machine's clock is off; refresh the session or role and check the clock.`,
    )
  if (is('CredentialsProviderError'))
    return fail(
      'IAM_NO_CREDENTIALS',
      `No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role (${facts.awsMessage}).`,
    )
  if (is('Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests'))
    return transient(
      'IAM_THROTTLED',
      `${aws}. IAM is rate limiting this account${retried}; try again in a few minutes.`,
    )
  if (is('AbortError'))
    return fail(
      'IAM_ABORTED',
      `${action} was cancelled before it finished; check in the AWS console whether it took effect.`,
    )
  if (is('TimeoutError', 'ETIMEDOUT', 'RequestTimeout'))
    return transient(
      'IAM_TIMEOUT',
      `${action} got no answer in time${retried}; check network access to the IAM endpoint (proxy, firewall, AWS_IAM_ENDPOINT) or raise AWS_IAM_TIMEOUT_MS.`,
    )
  if (kind.some((each) => NETWORK_CODES.has(each)))
    return transient(
      'IAM_UNREACHABLE',
      `cannot reach the IAM endpoint (${facts.code || facts.name})${retried}; check DNS, proxy and firewall, and AWS_IAM_ENDPOINT if set.`,
    )
  if (
    is('ServiceFailure', 'InternalFailure', 'ServiceUnavailable') ||
    facts.fault === 'server' ||
    (facts.status ?? 0) >= 500
  )
    return transient(
      'IAM_SERVICE_FAILURE',
      `${aws}. IAM failed on its side${retried}; try again later and check the AWS Health Dashboard.`,
    )
  return fail(
    'IAM_ERROR',
    `${action} failed (${kind.join(' / ') || 'unknown error'}): ${facts.awsMessage}`,
  )
}

function fail(errorCode: string, message: string): IamFailure {
  return { errorCode, message, transient: false }
}

function transient(errorCode: string, message: string): IamFailure {
  return { errorCode, message, transient: true }
}
