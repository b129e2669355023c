import { z } from 'zod'
import { HelpdeskError } from '../../errors/index.ts'

/**
 * Settings of the AWS IAM executor, read from environment variables. Credentials are not among
 * them on purpose: the SDK's default provider chain finds them (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, container or instance metadata), so the
 * helpdesk never reads, holds or logs an AWS secret itself.
 * @module
 */

const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

export const awsIamConfigSchema = z.object({
  AWS_IAM_ENABLED: booleanText.optional(),
  // IAM is a global service, but SigV4 still signs with a region (and picks the partition).
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2,}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as us-east-1')
    .default('us-east-1'),
  AWS_IAM_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  AWS_IAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
})

export interface AwsIamConfig {
  /** Whether the executor should be registered at all. */
  enabled: boolean
  region: string
  /** Endpoint override (a VPC endpoint, a proxy, a test server); unset means the SDK's default. */
  endpoint?: string
  /** Time limit of one HTTP attempt (connect and answer). */
  timeoutMs: number
  /** HTTP attempts per API call, the first included; the SDK retries throttling and 5xx only. */
  maxAttempts: number
}

/**
 * Reads the executor's settings. It is enabled when `AWS_IAM_ENABLED` is true, or when it is unset
 * and `AWS_IAM_ENDPOINT` is given; an explicit `false` always wins. Empty variables count as unset.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable and what was expected.
 */
export function awsIamConfigFromEnvironment(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): AwsIamConfig {
  const raw: Record<string, string> = {}
  for (const key of Object.keys(awsIamConfigSchema.shape)) {
    const value = environment[key]
    if (value !== undefined && value.trim() !== '') raw[key] = value.trim()
  }
  const parsed = awsIamConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${String(issue.path[0] ?? '(configuration)')}: ${issue.message}`,
    )
    throw new HelpdeskError({
      code: 'INVALID_CONFIGURATION',
      category: 'SYSTEM',
      message: `invalid AWS IAM configuration: ${problems.join('; ')}`,
      details: {
        variables: parsed.error.issues.map((issue) => String(issue.path[0] ?? '')),
        problems,
      },
    })
  }
  const settings = parsed.data
  return {
    enabled: settings.AWS_IAM_ENABLED ?? settings.AWS_IAM_ENDPOINT !== undefined,
    region: settings.AWS_REGION,
    ...(settings.AWS_IAM_ENDPOINT ? { endpoint: settings.AWS_IAM_ENDPOINT } : {}),
    timeoutMs: settings.AWS_IAM_TIMEOUT_MS,
    maxAttempts: settings.AWS_MAX_ATTEMPTS,
  }
}
