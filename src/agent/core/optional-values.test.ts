import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import { windowsMachine } from '../../../tests/support/windows-machine.ts'
import { Inventory } from '../../inventory/inventory.ts'
import { AccessPolicy, type Actor } from '../../policy/access-policy.ts'
import { AccountMap } from '../../policy/account-map.ts'
import type { HelpdeskCore } from './helpdesk-core.ts'
import type { SessionStore } from './session.ts'

const inventory = new Inventory({
  targets: [
    windowsMachine('LT-0423', { class: 'laptop', assignedTo: ['alice'] }),
    windowsMachine('LT-0431', { class: 'laptop', assignedTo: ['dana'] }),
    windowsMachine('WS-OPS-03', { class: 'workstation', assignedTo: ['dana'] }),
  ],
  groups: {},
})

const alice: Actor = { username: 'alice', role: 'requester' }
const dana: Actor = { username: 'dana', role: 'requester' }
const tom: Actor = { username: 'tom', role: 'technician' }

let core: HelpdeskCore
let sessions: SessionStore

beforeAll(async () => {
  const access = new AccessPolicy({ accounts: new AccountMap(), machines: inventory })
  ;({ core, sessions } = await buildMemoryRuntime({ access }))
})

async function conversation(actor: Actor, requester = actor.username) {
  const session = await sessions.create(requester, { owner: actor.username })
  return (message: string) => core.handleTurn({ sessionId: session.id, message, actor })
}

const stepsOf = (result: { plan: Array<{ steps: Array<{ actionId: string }> }> }) =>
  result.plan.flatMap((plan) => plan.steps.map((step) => step.actionId))

describe('an optional machine the employee did not name', () => {
  it('is their one assigned machine rather than a question, and the reply says so', async () => {
    const say = await conversation(alice)
    const result = await say(
      'how do I get the support@example.com shared mailbox into my outlook? I can open it in webmail',
    )
    expect(result.missing).toEqual([])
    expect(result.plan[0]?.parameters).toMatchObject({
      mailbox: 'support@example.com',
      device: 'LT-0423',
    })
    expect(result.reply).toMatch(/LT-0423, the one assigned to you/)
  })

  it('is taken once the question before it is answered ("i think it was \\\\fs01\\shared")', async () => {
    const say = await conversation(alice)
    expect((await say('my S: drive is gone')).missing[0]?.parameter).toBe('unc_path')
    const answered = await say('no idea what the path is... i think it was \\\\fs01\\shared')
    expect(answered.plan[0]?.parameters).toMatchObject({
      unc_path: '\\\\fs01\\shared',
      device: 'LT-0423',
    })
  })

  it('is still asked for when the employee has two machines, or a technician writes', async () => {
    const two = await (await conversation(dana))(
      'how do I get the support@example.com shared mailbox into my outlook? I can open it in webmail',
    )
    expect(two.plan).toEqual([])
    expect(two.missing[0]?.parameter).toBe('device')
    const technician = await (await conversation(tom, 'alice'))(
      'how does alice get the support@example.com shared mailbox into outlook? webmail works',
    )
    expect(technician.plan.flatMap((plan) => Object.values(plan.parameters))).not.toContain(
      'LT-0423',
    )
  })
})

describe('an access group the person asking seldom knows', () => {
  it('does not hold a new-share request up: approval first, the group asked after it', async () => {
    const say = await conversation(alice)
    const first = await say('I need access to \\\\fs01\\finance, I never had it')
    expect(first.missing).toEqual([])
    expect(stepsOf(first)).toContain('get_share_approval')
    expect(stepsOf(first)).not.toContain('add_to_share_group')
    expect(first.reply).toMatch(/Which access group controls this share\?/)
    // Said to the employee without the technicians' step titles, and not knowing is fine.
    expect(first.reply).toMatch(/if you don't know, just say so/)
    expect(first.reply).not.toMatch(/Add the user to the share's access group/)
    const named = await say('FS-Finance-RW')
    expect(named.plan[0]?.parameters).toMatchObject({ group: 'FS-Finance-RW' })
    expect(stepsOf(named)).toContain('add_to_share_group')
  })

  it('is still asked first where the runbook needs it (a Jira licence group)', async () => {
    const result = await (await conversation(alice))('I need access to jira')
    expect(result.plan).toEqual([])
    expect(result.missing[0]?.parameter).toBe('group')
  })
})

describe("a technician naming someone's machine", () => {
  it('"dana\'s desktop" is the one workstation assigned to dana, said in a note', async () => {
    const result = await (await conversation(tom, 'dana'))("dana's desktop is really slow")
    expect(result.plan[0]?.parameters).toMatchObject({ device: 'WS-OPS-03' })
    expect(result.reply).toMatch(/I've taken dana's workstation to be WS-OPS-03/)
  })

  it('"dana\'s computer" fits two machines: asked for, not guessed', async () => {
    const result = await (await conversation(tom, 'dana'))("dana's computer is really slow")
    expect(result.plan).toEqual([])
    expect(result.missing[0]?.parameter).toBe('device')
  })
})
