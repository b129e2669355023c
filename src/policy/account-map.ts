/**
 * Which account on each system is a signed-in user's own, and which user groups they belong to.
 * By default a user's directory account and IAM user have the user's own name; a YAML file
 * (`HELPDESK_ACCOUNT_MAP`) overrides that per user and lists user groups, which inventory
 * machines may be assigned to (`assignedTo: [group:finance]`).
 *
 * ```yaml
 * users:
 *   alice:
 *     active_directory: alice.smith   # sAMAccountName
 *     aws_iam: alice@example.com      # IAM user name
 * groups:
 *   finance: [alice, bob]
 * ```
 * @module
 */
import { z } from 'zod'
import { loadYamlSettings } from '../config/yaml-settings-file.ts'
import { USERNAME_PATTERN } from '../identity/user.ts'
import type { AccountSystem } from '../knowledge/instructions/parameter-kinds.ts'

/** sAMAccountName: at most 20 characters, none of "/\[]:;|=,+*?<>@ and not ending in a period. */
const SAM_ACCOUNT_NAME = /^(?!.*\.$)[^"/\\[\]:;|=,+*?<>@\s]{1,20}$/
/** IAM user names: 1-64 of letters, digits and +=,.@_- */
const IAM_USER_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/

const helpdeskUsername = z.string().regex(USERNAME_PATTERN, 'a helpdesk username such as jdoe')

const accountMapSchema = z
  .object({
    users: z
      .record(
        helpdeskUsername,
        z
          .object({
            active_directory: z
              .string()
              .regex(SAM_ACCOUNT_NAME, 'a sAMAccountName (at most 20 characters)')
              .optional(),
            aws_iam: z.string().regex(IAM_USER_NAME, 'an IAM user name').optional(),
            local: z.string().regex(USERNAME_PATTERN, 'a local account name').optional(),
          })
          .strict(),
      )
      .default({}),
    groups: z.record(helpdeskUsername, z.array(helpdeskUsername)).default({}),
  })
  .strict()

type AccountMapData = z.infer<typeof accountMapSchema>

/** The signed-in user -> their own account on each system, and their user groups. */
export class AccountMap {
  private readonly users: ReadonlyMap<string, Partial<Record<AccountSystem, string>>>
  private readonly groups: ReadonlyMap<string, readonly string[]>

  constructor(data: Partial<AccountMapData> = {}) {
    this.users = new Map(
      Object.entries(data.users ?? {}).map(([name, accounts]) => [name.toLowerCase(), accounts]),
    )
    const groupsOfUser = new Map<string, string[]>()
    for (const [group, members] of Object.entries(data.groups ?? {})) {
      for (const member of members) {
        const key = member.toLowerCase()
        groupsOfUser.set(key, [...(groupsOfUser.get(key) ?? []), group.toLowerCase()])
      }
    }
    this.groups = groupsOfUser
  }

  /** @throws {HelpdeskError} INVALID_CONFIGURATION naming the file, field and reason. */
  static async load(file: string): Promise<AccountMap> {
    return new AccountMap(await loadYamlSettings(file, accountMapSchema))
  }

  /** The user's own account on `system`: the mapped name, or their helpdesk username. */
  accountOf(username: string, system: AccountSystem): string {
    return this.users.get(username.toLowerCase())?.[system] ?? username
  }

  /** The user groups the user is in (lower case). */
  groupsOf(username: string): readonly string[] {
    return this.groups.get(username.toLowerCase()) ?? []
  }
}
