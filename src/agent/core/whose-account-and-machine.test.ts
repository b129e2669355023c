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
    windowsMachine('LT-0424', { class: 'laptop', assignedTo: ['bob'] }),
    windowsMachine('WS-FIN-12', { class: 'workstation', assignedTo: ['group:finance'] }),
    windowsMachine('PROD-DB-01', { os: 'linux', class: 'server', assignedTo: ['alice'] }),
    windowsMachine('LT-0499', {}),
    windowsMachine('LT-0431', { class: 'laptop', assignedTo: ['dana'] }),
    windowsMachine('WS-OPS-03', {
      class: 'workstation',
      description: 'tower by the ops desk',
      assignedTo: ['dana'],
    }),
  ],
  groups: { finance: ['LT-0423', 'LT-0424'] },
})

const alice: Actor = { username: 'alice', role: 'requester' }
const carol: Actor = { username: 'carol', role: 'requester' }
const dana: Actor = { username: 'dana', role: 'requester' }
const tom: Actor = { username: 'tom', role: 'technician' }

let core: HelpdeskCore
let sessions: SessionStore

beforeAll(async () => {
  const access = new AccessPolicy({
    accounts: new AccountMap({
      users: { carol: { active_directory: 'c.jones' } },
      groups: { finance: ['carol'] },
    }),
    machines: inventory,
  })
  ;({ core, sessions } = await buildMemoryRuntime({ access }))
})

async function turn(actor: Actor, message: string, requester = actor.username) {
  const session = await sessions.create(requester, { owner: actor.username })
  return core.handleTurn({ sessionId: session.id, message, actor })
}

describe('whose account: a requester acts on their own account only', () => {
  it('refuses another person named in the message, in plain words, with no plan', async () => {
    const result = await turn(alice, 'please reset the active directory password for user bob')
    expect(result.plan).toEqual([])
    expect(result.approvals).toBeUndefined()
    expect(result.refused?.[0]).toMatch(/only help with your own account \(alice\)/)
    expect(result.reply).toMatch(/Only a technician can do this for another person/)
    expect(result.reply).toMatch(/IT service desk/)
  })

  it('never switches a named account to the requester\'s own ("unlock user administrator")', async () => {
    const result = await turn(alice, 'unlock user administrator')
    expect(result.plan).toEqual([])
    expect(result.refused?.[0]).toMatch(/haven't done anything for administrator/)
    const session = await sessions.get(result.sessionId)
    expect(session?.known.username).toBeUndefined()
  })

  it.each([
    ["reset the AD password for 'bob'", /haven't done anything for bob/],
    ['reset the AD password for "bob"', /haven't done anything for bob/],
    ['reset the AD password for “bob”', /haven't done anything for bob/],
    ['reset the AD password for (bob)', /haven't done anything for bob/],
    ['reset the AD password for <bob>', /haven't done anything for bob/],
    ['unlock "bob" please', /haven't done anything for bob/],
    ['reset the AD password for @bob', /"@bob" is not a valid username/],
  ])(
    "never switches a quoted or bracketed name to the requester's own: %s",
    async (message, said) => {
      const result = await turn(alice, message)
      expect(result.plan).toEqual([])
      expect(result.reply).toMatch(said)
    },
  )

  it("plans for the requester's own account, named or not, in any letter case", async () => {
    const unnamed = await turn(alice, 'my AD account is locked out')
    expect(unnamed.refused).toBeUndefined()
    const named = await turn(alice, 'unlock user ALICE in active directory')
    expect(named.refused).toBeUndefined()
    expect(named.plan[0]?.parameters.username?.toLowerCase()).toBe('alice')
  })

  it("uses the account map: carol's directory account is c.jones", async () => {
    const own = await turn(carol, 'my active directory account is locked out')
    expect(own.refused).toBeUndefined()
    expect(own.plan[0]?.parameters.username).toBe('c.jones')
    const other = await turn(carol, 'unlock user carol in active directory')
    expect(other.refused?.[0]).toMatch(/your own account \(c\.jones\)/)
  })

  it('asks whose account when the message is about someone not named ("a user needs ...")', async () => {
    for (const message of [
      'a user needs their password reset in active directory',
      'someone is locked out of active directory',
      'my colleague forgot the windows password',
    ]) {
      const result = await turn(tom, message)
      expect(result.plan, message).toEqual([])
      expect(result.missing[0]?.parameter, message).toBe('username')
    }
    // "the user account" is an account, not another person.
    const requester = await turn(alice, 'the user account is locked out in active directory')
    expect(requester.plan[0]?.parameters.username).toBe('alice')
    // "my account" from the technician is still his own.
    const own = await turn(tom, 'my AD account is locked out')
    expect(own.plan[0]?.parameters.username).toBe('tom')
  })

  it('lets a technician act for someone else, on their account from the account map', async () => {
    const result = await turn(tom, 'user carol is locked out of active directory')
    expect(result.refused).toBeUndefined()
    expect(result.plan[0]?.parameters.username).toBe('c.jones')
    // A name the account map does not know is taken as typed.
    const typed = await turn(tom, 'user d.smith is locked out of active directory')
    expect(typed.plan[0]?.parameters.username).toBe('d.smith')
  })
})

describe('whose machine: a requester works on their own workstation or laptop only', () => {
  it("refuses a colleague's laptop without saying whether it exists", async () => {
    const result = await turn(alice, 'LT-0424 keeps showing a blue screen')
    expect(result.plan).toEqual([])
    expect(result.refused?.[0]).toMatch(/LT-0424 isn't one of the computers assigned to you/)
    const unknown = await turn(alice, 'PC-9999 keeps showing a blue screen')
    expect(unknown.refused?.[0]).toMatch(/PC-9999 isn't one of the computers assigned to you/)
    for (const reply of [result.reply, unknown.reply]) {
      expect(reply).not.toMatch(/LT-0423|PROD-DB-01|127\.0\.0\.1|WS-FIN-12/)
    }
  })

  it('refuses a server even when it is assigned to the requester', async () => {
    const result = await turn(alice, 'PROD-DB-01 is running really slow')
    expect(result.plan).toEqual([])
    expect(result.refused?.[0]).toMatch(/PROD-DB-01 is a server, and only technicians/)
  })

  it('refuses a whole machine group to a requester, not to a technician', async () => {
    const refused = await turn(alice, 'the laptops in the finance group are running slow')
    expect(refused.plan).toEqual([])
    expect(refused.refused?.[0]).toMatch(/whole group of machines/)
    const allowed = await turn(tom, 'the laptops in the finance group are running slow')
    expect(allowed.plan.length).toBeGreaterThan(1)
  })

  it('resolves "my laptop" to the one machine assigned to the requester', async () => {
    const result = await turn(alice, 'my laptop is running really slow')
    expect(result.refused).toBeUndefined()
    expect(result.missing.map((each) => each.parameter)).not.toContain('device')
    expect(result.plan[0]?.steps.some((step) => step.target === 'LT-0423')).toBe(true)
  })

  it('takes the one assigned machine for a first-person problem that needs a machine', async () => {
    const result = await turn(alice, 'my wifi keeps dropping')
    expect(result.missing.map((each) => each.parameter)).not.toContain('device')
    expect(result.plan[0]?.parameters).toMatchObject({ device: 'LT-0423', platform: 'windows' })
    // Not for a technician, whose own machine is not the one in question.
    const technician = await turn(tom, 'my wifi keeps dropping', 'alice')
    expect(technician.plan).toEqual([])
    expect(technician.missing[0]?.parameter).toBe('device')
    // Nor when the message is about another device: the phone is not the laptop.
    const phone = await turn(alice, "my phone can't connect to the office wifi")
    expect(phone.plan.flatMap((plan) => Object.values(plan.parameters))).not.toContain('LT-0423')
    // Nor for an optional machine parameter: a password reset stays about the account.
    const reset = await turn(alice, 'I forgot my password, the windows login')
    expect(reset.plan[0]?.parameters.device).toBeUndefined()
  })

  it('accepts a machine assigned through a user group', async () => {
    const result = await turn(carol, 'WS-FIN-12 shows a blue screen every morning')
    expect(result.refused).toBeUndefined()
    expect(result.plan[0]?.steps.some((step) => step.target === 'WS-FIN-12')).toBe(true)
  })

  it('never assumes a machine shared with the group: it is offered in the question', async () => {
    const asked = await turn(carol, 'my computer is slow')
    expect(asked.plan).toEqual([])
    expect(asked.missing[0]?.parameter).toBe('device')
    expect(asked.reply).toContain('the shared workstation WS-FIN-12')
    expect(asked.missing[0]?.options?.map((option) => option.answer)).toEqual(['WS-FIN-12'])
  })

  it('asks someone with two machines which one, offering each by name and description', async () => {
    const asked = await turn(dana, 'outlook keeps crashing')
    expect(asked.plan).toEqual([])
    expect(asked.missing[0]?.parameter).toBe('device')
    expect(asked.reply).toContain(
      'your laptop LT-0431 or your workstation WS-OPS-03 (tower by the ops desk)',
    )
    expect(asked.missing[0]?.options?.map((option) => option.label)).toEqual([
      'Your laptop LT-0431',
      'Your workstation WS-OPS-03 (tower by the ops desk)',
    ])
    // A named machine always wins, with nothing said about which was taken.
    const named = await turn(dana, 'outlook keeps crashing on WS-OPS-03')
    expect(named.plan[0]?.parameters.device).toBe('WS-OPS-03')
    expect(named.reply).not.toMatch(/assigned to you/)
  })

  it('lets a technician work on any machine', async () => {
    const result = await turn(tom, 'PROD-DB-01 is running really slow')
    expect(result.refused).toBeUndefined()
  })
})
