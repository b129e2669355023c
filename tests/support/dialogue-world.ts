import { beforeAll } from 'vitest'
import type { HelpdeskCore } from '../../src/agent/core/helpdesk-core.ts'
import type { SessionStore } from '../../src/agent/core/session.ts'
import { Inventory } from '../../src/inventory/inventory.ts'
import { AccessPolicy, type Actor } from '../../src/policy/access-policy.ts'
import { AccountMap } from '../../src/policy/account-map.ts'
import { buildMemoryRuntime } from './memory-runtime.ts'

/**
 * The world of the dialogue tests (src/agent/core/dialogue*.test.ts): the offline core in memory,
 * alice's Windows laptop LT-0423, bob's Linux laptop LT-0424, the technician kim's Windows laptop
 * LT-0425, and `talk`, which plays one conversation turn by turn.
 */

const machine = (name: string, os: 'windows' | 'linux', assignedTo: string[]) => ({
  name,
  host: '127.0.0.1',
  os,
  transport: os === 'windows' ? ('winrm' as const) : ('ssh' as const),
  username: 'helpdesk',
  credential: 'env:MACHINE_PASSWORD',
  class: 'laptop' as const,
  assignedTo,
})

export const alice: Actor = { username: 'alice', role: 'requester' }
export const tom: Actor = { username: 'tom', role: 'technician' }
export const bob: Actor = { username: 'bob', role: 'requester' }
/** A technician with a laptop of her own: asked which machine, since technicians mostly mean others'. */
export const kim: Actor = { username: 'kim', role: 'technician' }

/** Builds the core before the file's tests; `talk` plays each message in turn, results in order. */
export function useDialogueWorld() {
  let core: HelpdeskCore
  let sessions: SessionStore
  beforeAll(async () => {
    const access = new AccessPolicy({
      accounts: new AccountMap({ users: {}, groups: {} }),
      machines: new Inventory({
        targets: [
          machine('LT-0423', 'windows', ['alice']),
          machine('LT-0424', 'linux', ['bob']),
          machine('LT-0425', 'windows', ['kim']),
        ],
        groups: {},
      }),
    })
    ;({ core, sessions } = await buildMemoryRuntime({ access }))
  })
  return async function talk(actor: Actor, ...messages: string[]) {
    const session = await sessions.create(actor.username, { owner: actor.username })
    const results = []
    for (const message of messages) {
      results.push(await core.handleTurn({ sessionId: session.id, message, actor }))
    }
    return { results, session: async () => sessions.get(session.id) }
  }
}
