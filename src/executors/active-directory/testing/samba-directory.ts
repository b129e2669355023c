import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Attribute, Change, Client, type ClientOptions } from 'ldapts'
import { temporaryDirectory } from '../../../../tests/support/temporary-directory.ts'
import { startTestService } from '../../../../tests/support/test-services.ts'
import type { PlanStep } from '../../../planning/plan.ts'
import { quoteLdapDnValue, quoteLdapFilterValue } from '../../../rendering/ldap-quoting.ts'
import { FileSecretDelivery } from '../../delivery/file-secret-delivery.ts'
import type { StepResult } from '../../executor.ts'
import { operationStep } from '../../testing/operation-step.ts'
import { activeDirectoryConfigFromEnvironment } from '../active-directory-config.ts'
import { ActiveDirectoryExecutor } from '../active-directory-executor.ts'

export let facts: Record<string, string> = {}
export const facts$ = startTestService('samba-dc').then((found) => {
  facts = found
  return found
})
export const deliveries$ = temporaryDirectory('ad-deliveries')
/** Every result of this file, checked at the end for any delivered password. */
export const results: StepResult[] = []
export const LAB_GROUPS = ['jira-users', 'vpn-users', 'finance-share']

export function environment(change: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    AD_URL: facts.LDAP_URL,
    AD_BASE_DN: facts.LDAP_BASE_DN,
    AD_BIND_DN: facts.LDAP_BIND_DN,
    AD_BIND_CREDENTIAL: `file:${facts.LDAP_BIND_PASSWORD_FILE}`,
    AD_CA_FILE: facts.LDAP_CA_FILE,
    AD_TLS_SERVERNAME: facts.LDAP_TLS_SERVERNAME,
    AD_TIMEOUT_MS: '10000',
    ...change,
  }
}

export async function executor(
  change: Record<string, string | undefined> = {},
  extra: {
    createClient?: (options: ClientOptions) => Client
    environment?: NodeJS.ProcessEnv
  } = {},
): Promise<ActiveDirectoryExecutor> {
  const config = activeDirectoryConfigFromEnvironment(environment(change))
  if (!config) throw new Error('AD_URL is set, so the executor must be configured')
  const delivery = new FileSecretDelivery((await deliveries$).path)
  return new ActiveDirectoryExecutor({ config, delivery, ...extra })
}

export function step(operation: string, values: Record<string, string | boolean>): PlanStep {
  const readOnly = /^(find|get|list)/.test(operation)
  return operationStep('active_directory', operation, values, { readOnly })
}

export async function run(
  operation: string,
  values: Record<string, string | boolean>,
): Promise<StepResult> {
  const result = await (await executor()).doExecute(step(operation, values), {
    requester: 'tech',
    requestId: `it-${operation}`,
  })
  results.push(result)
  return result
}

/** How to reach the DC of `directory` (the facts samba-dc.sh printed; this file's by default). */
export function clientOptions(directory: Record<string, string> = facts): ClientOptions {
  return {
    url: directory.LDAP_URL ?? '',
    timeout: 10_000,
    tlsOptions: {
      ca: [readFileSync(directory.LDAP_CA_FILE ?? '')],
      servername: directory.LDAP_TLS_SERVERNAME,
    },
  }
}

/**
 * Runs `work` on a connection bound as the service account, unbound afterwards.
 * @param options.facts the DC's facts when the caller started the service itself (default: this
 *   file's, from `facts$`)
 */
export async function asAdministrator<T>(
  work: (client: Client) => Promise<T>,
  options: { facts?: Record<string, string> } = {},
): Promise<T> {
  const directory = options.facts ?? facts
  const client = new Client(clientOptions(directory))
  try {
    await client.bind(
      directory.LDAP_BIND_DN ?? '',
      readFileSync(directory.LDAP_BIND_PASSWORD_FILE ?? '', 'utf8').trim(),
    )
    return await work(client)
  } finally {
    await client.unbind()
  }
}

/** Binds as the user: undefined when the directory accepts the password, else the error. */
export async function signIn(username: string, password: string): Promise<unknown> {
  const client = new Client(clientOptions())
  try {
    await client.bind(`${facts.LDAP_REALM?.split('.')[0]}\\${username}`, password)
    return undefined
  } catch (error) {
    return error
  } finally {
    await client.unbind()
  }
}

export async function userDn(client: Client, username: string): Promise<string> {
  const { searchEntries } = await client.search(facts.LDAP_BASE_DN ?? '', {
    filter: `(sAMAccountName=${quoteLdapFilterValue(username)})`,
    attributes: ['distinguishedName'],
  })
  const dn = searchEntries[0]?.dn
  if (!dn) throw new Error(`lab user ${username} is missing`)
  return dn
}

/** Earlier tests (or runs) may have left the user locked, disabled, renamed in groups... */
export async function resetUser(username: string): Promise<void> {
  await asAdministrator(async (client) => {
    const dn = await userDn(client, username)
    const replace = (type: string, values: string[] | Buffer[]) =>
      new Change({ operation: 'replace', modification: new Attribute({ type, values }) })
    await client.modify(dn, [
      replace('unicodePwd', [Buffer.from(`"${facts.LDAP_USER_PASSWORD}"`, 'utf16le')]),
      replace('pwdLastSet', ['-1']),
      replace('userAccountControl', ['512']),
      replace('lockoutTime', ['0']),
    ])
    for (const group of LAB_GROUPS) {
      const groupDn = `CN=${quoteLdapDnValue(group)},CN=Users,${facts.LDAP_BASE_DN}`
      const member = new Attribute({ type: 'member', values: [dn] })
      await client
        .modify(groupDn, new Change({ operation: 'delete', modification: member }))
        .catch(() => undefined)
    }
  })
}

export async function deliveredPassword(receipt: string): Promise<string> {
  const id = /delivery ([0-9a-f-]{36})/.exec(receipt)?.[1]
  if (!id) throw new Error(`no delivery id in ${receipt}`)
  const file = path.join((await deliveries$).path, `${id}.json`)
  return (JSON.parse(readFileSync(file, 'utf8')) as { secret: string }).secret
}

export function labSteps(steps: PlanStep[]): PlanStep[] {
  return steps
    .filter((each) => each.executor === 'active_directory')
    .map((each) => {
      const invocation = each.invocation
      if (invocation.type !== 'operation' || !('username' in invocation.arguments)) return each
      return {
        ...each,
        invocation: { ...invocation, arguments: { ...invocation.arguments, username: 'dave' } },
      }
    })
}
