/**
 * What the HTTP connectors (ServiceNow, Jira Service Management) share: the Authorization header
 * from a credential reference, and a JSON POST whose failures say what happened without a
 * credential or the whole answer in them.
 * @module
 */
import { HelpdeskError } from '../../errors/index.ts'
import { resolveCredential } from '../../inventory/credential-reference.ts'
import type { HttpAuth } from './connector-settings.ts'

/** The longest a call to the other system may take. */
const TIMEOUT_MS = 15_000

export async function authorizationHeader(
  auth: HttpAuth,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    if (auth.type === 'bearer') {
      return `Bearer ${(await resolveCredential(auth.token, environment)).reveal()}`
    }
    const password = (await resolveCredential(auth.password, environment)).reveal()
    return `Basic ${Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64')}`
  } catch (error) {
    throw new HelpdeskError({
      code: 'NOT_CONFIGURED',
      message: error instanceof Error ? error.message : String(error),
      cause: error,
    })
  }
}

/** POSTs JSON and returns the JSON answer of a 2xx. */
export async function postJson(
  system: string,
  url: URL,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  } catch (error) {
    throw new HelpdeskError({
      code: 'BACKEND_UNAVAILABLE',
      category: 'THIRD_PARTY',
      message: `${system} at ${url.origin} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    })
  }
  const text = await response.text()
  if (!response.ok) {
    throw new HelpdeskError({
      code: 'BACKEND_UNAVAILABLE',
      category: 'THIRD_PARTY',
      message: `${system} answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
      details: { status: response.status },
    })
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, headers: response.headers }
  } catch {
    throw new HelpdeskError({
      code: 'BACKEND_UNAVAILABLE',
      category: 'THIRD_PARTY',
      message: `${system} answered ${response.status} without JSON`,
    })
  }
}
