import { samePerson } from '../identity/user.ts'
import type { UserStore } from '../identity/user-store.ts'

/**
 * Whether a person a technician wants to act for exists, and how their name is spelled there:
 * a helpdesk user, or (when a domain controller is configured) a directory account. Undefined
 * when neither knows them: acting for a made-up name is refused, so the audit trail never reads
 * as if a person who does not exist asked.
 */
export type PersonLookup = (name: string) => Promise<string | undefined>

export function knownPeople(options: {
  users?: Pick<UserStore, 'list'>
  directory?: { findAccount(name: string): Promise<string | undefined> }
}): PersonLookup {
  return async (name) => {
    const user = (await options.users?.list())?.find((each) => samePerson(each.username, name))
    if (user) return user.username
    return options.directory?.findAccount(name)
  }
}
