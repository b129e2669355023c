import { IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam'
import { describe, expect, it } from 'vitest'
import { iamFailure } from './aws-iam-errors.ts'

/** An unmodelled IAM error, as the awsQuery protocol builds it: named after the wire code. */
const service = (name: string, fault: 'client' | 'server' = 'client', attempts = 1) =>
  new IAMServiceException({
    name,
    $fault: fault,
    $metadata: { attempts },
    message: `${name} happened.`,
  })
const node = (message: string, fields: Record<string, string>) =>
  Object.assign(new Error(message), fields)

describe('iamFailure', () => {
  it.each([
    [
      new NoSuchEntityException({
        message: 'The user with name jdoe cannot be found.',
        $metadata: {},
      }),
      'IAM_NO_SUCH_ENTITY',
      false,
    ],
    // The wire code alone, as in `Error.Code` of the error XML.
    [Object.assign(new Error('gone'), { Code: 'NoSuchEntity' }), 'IAM_NO_SUCH_ENTITY', false],
    [service('EntityTemporarilyUnmodifiableException'), 'IAM_TEMPORARILY_UNMODIFIABLE', true],
    [service('LimitExceededException'), 'IAM_LIMIT_EXCEEDED', false],
    [service('PasswordPolicyViolationException'), 'IAM_PASSWORD_POLICY', false],
    [service('EntityAlreadyExistsException'), 'IAM_ENTITY_ALREADY_EXISTS', true],
    [service('AccessDenied'), 'IAM_ACCESS_DENIED', false],
    [service('AccessDeniedException'), 'IAM_ACCESS_DENIED', false],
    [service('InvalidClientTokenId'), 'IAM_INVALID_CREDENTIALS', false],
    [service('SignatureDoesNotMatch'), 'IAM_SIGNATURE_MISMATCH', false],
    [service('ExpiredToken'), 'IAM_EXPIRED_CREDENTIALS', false],
    [service('Throttling'), 'IAM_THROTTLED', true],
    [service('ServiceFailureException', 'server'), 'IAM_SERVICE_FAILURE', true],
    [service('SomethingUnheardOf', 'server'), 'IAM_SERVICE_FAILURE', true],
    [node('connect ECONNREFUSED 10.0.0.1:443', { code: 'ECONNREFUSED' }), 'IAM_UNREACHABLE', true],
    [
      node('getaddrinfo ENOTFOUND iam.amazonaws.com', { code: 'ENOTFOUND' }),
      'IAM_UNREACHABLE',
      true,
    ],
    [node('socket timed out', { name: 'TimeoutError' }), 'IAM_TIMEOUT', true],
    [node('request exceeded the requestTimeout', { code: 'ETIMEDOUT' }), 'IAM_TIMEOUT', true],
    [
      node('Could not load credentials', { name: 'CredentialsProviderError' }),
      'IAM_NO_CREDENTIALS',
      false,
    ],
    [node('The operation was aborted', { name: 'AbortError' }), 'IAM_ABORTED', false],
    [service('SomethingUnheardOf'), 'IAM_ERROR', false],
    ['not even an error', 'IAM_ERROR', false],
  ])('maps %s to %s', (error, errorCode, transient) => {
    const failure = iamFailure(error, 'iam:GetUser')
    expect(failure).toMatchObject({ errorCode, transient })
    expect(failure.message.length).toBeGreaterThan(30)
  })

  it('says what to check, with the action and the AWS message', () => {
    expect(iamFailure(service('AccessDenied'), 'iam:UpdateLoginProfile').message).toBe(
      "AWS said: AccessDenied happened. The helpdesk's AWS identity may not call iam:UpdateLoginProfile; grant it in its IAM policy (check SCPs and permission boundaries too).",
    )
    expect(iamFailure(service('InvalidClientTokenId')).message).toContain('AWS_ACCESS_KEY_ID')
    expect(iamFailure(node('t', { name: 'TimeoutError' })).message).toContain('AWS_IAM_TIMEOUT_MS')
  })

  it('says how often the SDK tried when it retried', () => {
    expect(iamFailure(service('Throttling', 'client', 3)).message).toContain('after 3 attempts')
    expect(iamFailure(service('Throttling', 'client', 1)).message).not.toContain('attempts')
  })
})
