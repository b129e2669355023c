import {
  type OperationOutcome,
  type OperationRequest,
  requireChangeableUser,
} from './account-operations.ts'
import { DirectoryOperationFailure } from './active-directory-errors.ts'
import type { DirectoryConnection, DirectoryGroup } from './directory-connection.ts'

/** Result codes that mean "the member is already there" (AD: 68; some servers: 20). */
const ALREADY_MEMBER = new Set([68, 20])
/** Result code that means "the member is not there" (removing a value that is absent). */
const NOT_A_MEMBER = 16

/** Adding someone already in the group succeeds without a change, so a retry is harmless. */
export function addGroupMember(request: OperationRequest): Promise<OperationOutcome> {
  return changeMembership(request, true)
}

/** Removing someone who is not in the group succeeds without a change. */
export function removeGroupMember(request: OperationRequest): Promise<OperationOutcome> {
  return changeMembership(request, false)
}

/**
 * Brings membership to the wanted state: already there, or made so by someone between our
 * check and our write, is success without a change; a change is read back before it counts.
 */
async function changeMembership(
  request: OperationRequest,
  member: boolean,
): Promise<OperationOutcome> {
  const { connection, username, group: groupName } = request
  const group = await requireChangeableGroup(connection, groupName)
  const user = await requireChangeableUser(connection, username)
  const data = {
    username: user.username,
    group: group.name,
    groupDistinguishedName: group.distinguishedName,
    member,
  }
  const unchanged: OperationOutcome = {
    stdout: `${user.username} is ${member ? 'already' : 'not'} a member of ${group.name}; nothing changed`,
    data,
    changed: false,
  }
  if ((await connection.isMember(group, user.distinguishedName)) === member) return unchanged
  try {
    if (member) await connection.addMember(group, user.distinguishedName)
    else await connection.removeMember(group, user.distinguishedName)
  } catch (error) {
    const code = resultCode(error) ?? 0
    if (member ? !ALREADY_MEMBER.has(code) : code !== NOT_A_MEMBER) throw error
    return unchanged
  }
  await verifyMembership(connection, group, user.distinguishedName, member, user.username)
  return {
    stdout: member
      ? `added ${user.username} to ${group.name}`
      : `removed ${user.username} from ${group.name}`,
    data,
    changed: true,
  }
}

export async function listGroupMembers({
  connection,
  group: groupName,
}: OperationRequest): Promise<OperationOutcome> {
  const group = await requireGroup(connection, groupName)
  const members = (await connection.members(group)).sort((left, right) =>
    left.name.localeCompare(right.name),
  )
  const names = members.map((member) => member.name)
  const shown = names.length > 50 ? `${names.slice(0, 50).join(', ')}, ...` : names.join(', ')
  return {
    stdout: `${group.name} has ${names.length} direct member(s)${names.length ? `: ${shown}` : ''}`,
    data: {
      group: group.name,
      distinguishedName: group.distinguishedName,
      count: names.length,
      members: names,
      memberDetails: members.map((member) => ({
        name: member.name,
        kind: member.kind,
        distinguishedName: member.distinguishedName,
      })),
    },
    changed: false,
  }
}

async function requireGroup(
  connection: DirectoryConnection,
  name: string,
): Promise<DirectoryGroup> {
  const groups = await connection.findGroups(name)
  const [group] = groups
  if (!group) {
    throw new DirectoryOperationFailure(
      'AD_GROUP_NOT_FOUND',
      `no group named "${name}" in the directory (looked for its sAMAccountName and cn)`,
    )
  }
  if (groups.length > 1) {
    throw new DirectoryOperationFailure(
      'AD_GROUP_AMBIGUOUS',
      `"${name}" names ${groups.length} groups: ${groups.map((each) => each.distinguishedName).join('; ')}; use the group's sAMAccountName`,
    )
  }
  return group
}

/** Membership of privileged and built-in groups (Domain Admins...) is never a helpdesk change. */
async function requireChangeableGroup(
  connection: DirectoryConnection,
  name: string,
): Promise<DirectoryGroup> {
  const group = await requireGroup(connection, name)
  if (group.protected) {
    throw new DirectoryOperationFailure(
      'AD_PROTECTED_OBJECT',
      `${group.name} is a privileged or built-in group; the helpdesk does not change its members (ask a domain administrator)`,
    )
  }
  return group
}

async function verifyMembership(
  connection: DirectoryConnection,
  group: DirectoryGroup,
  memberDn: string,
  expected: boolean,
  username: string,
): Promise<void> {
  if ((await connection.isMember(group, memberDn)) !== expected) {
    throw new DirectoryOperationFailure(
      'VERIFICATION_FAILED',
      `${username} ${expected ? 'is still not' : 'is still'} a member of ${group.name} after the change`,
      true,
    )
  }
}

function resultCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'number' ? code : undefined
}
