import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../../errors/index.ts'
import { awsIamConfigFromEnvironment } from './aws-iam-config.ts'
import { createIamClient } from './aws-iam-executor.ts'

function refusal(environment: Record<string, string>): { message: string; variables: unknown } {
  try {
    awsIamConfigFromEnvironment(environment)
  } catch (error) {
    if (!isHelpdeskError(error) || error.code !== 'INVALID_CONFIGURATION') throw error
    return { message: error.message, variables: error.details.variables }
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`)
}

describe('awsIamConfigFromEnvironment', () => {
  it('has defaults and is off when nothing is set', () => {
    expect(awsIamConfigFromEnvironment({})).toEqual({
      enabled: false,
      region: 'us-east-1',
      timeoutMs: 10_000,
      maxAttempts: 3,
    })
  })

  it('reads every variable', () => {
    expect(
      awsIamConfigFromEnvironment({
        AWS_IAM_ENABLED: 'true',
        AWS_REGION: 'eu-west-1',
        AWS_IAM_ENDPOINT: 'https://iam.example.internal',
        AWS_IAM_TIMEOUT_MS: '2500',
        AWS_MAX_ATTEMPTS: '5',
      }),
    ).toEqual({
      enabled: true,
      region: 'eu-west-1',
      endpoint: 'https://iam.example.internal',
      timeoutMs: 2500,
      maxAttempts: 5,
    })
  })

  it('is on when an endpoint is given, unless AWS_IAM_ENABLED says false', () => {
    expect(awsIamConfigFromEnvironment({ AWS_IAM_ENDPOINT: 'http://127.0.0.1:9000' }).enabled).toBe(
      true,
    )
    expect(awsIamConfigFromEnvironment({ AWS_IAM_ENABLED: 'true' }).enabled).toBe(true)
    const off = { AWS_IAM_ENABLED: 'false', AWS_IAM_ENDPOINT: 'http://127.0.0.1:9000' }
    expect(awsIamConfigFromEnvironment(off).enabled).toBe(false)
    // Empty counts as unset, as in the main configuration.
    expect(awsIamConfigFromEnvironment({ AWS_IAM_ENABLED: ' ', AWS_REGION: '' }).region).toBe(
      'us-east-1',
    )
  })

  it('accepts the shapes of real regions', () => {
    for (const region of ['us-gov-west-1', 'ap-southeast-2', 'cn-northwest-1', 'il-central-1'])
      expect(awsIamConfigFromEnvironment({ AWS_REGION: region }).region).toBe(region)
  })

  it.each([
    ['AWS_IAM_ENABLED', 'maybe'],
    ['AWS_REGION', 'Europe'],
    ['AWS_REGION', 'eu-west-1; rm -rf /'],
    ['AWS_IAM_ENDPOINT', 'ftp://iam.example'],
    ['AWS_IAM_ENDPOINT', 'not a url'],
    ['AWS_IAM_TIMEOUT_MS', '10s'],
    ['AWS_IAM_TIMEOUT_MS', '0'],
    ['AWS_MAX_ATTEMPTS', '0'],
    ['AWS_MAX_ATTEMPTS', '2.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    const { message, variables } = refusal({ [name]: value })
    expect(message).toContain(name)
    expect(variables).toEqual([name])
  })

  it('never reads credentials: they are left to the SDK chain', () => {
    const config = awsIamConfigFromEnvironment({
      AWS_IAM_ENABLED: 'true',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
    })
    expect(JSON.stringify(config)).not.toMatch(/AKIDEXAMPLE|wJalr/)
  })
})

describe('createIamClient', () => {
  // The SDK also reads AWS_REGION and AWS_MAX_ATTEMPTS itself; this proves ours are what it uses.
  it('gives the SDK client the configured region, attempts and endpoint', async () => {
    const client = createIamClient({
      enabled: true,
      region: 'ap-south-2',
      endpoint: 'http://127.0.0.1:4599',
      timeoutMs: 1234,
      maxAttempts: 7,
    })
    expect(await client.config.region()).toBe('ap-south-2')
    expect(await client.config.maxAttempts()).toBe(7)
    expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4599 })
    client.destroy()
  })
})
