import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { HelpdeskCore } from '../../agent/core/helpdesk-core.ts'
import { employeeSteps } from '../instructions/guidance-steps.ts'
import type { Instruction } from '../instructions/instruction.ts'
import { EMPLOYEE_SECTION } from './runbook-passages.ts'

let core: HelpdeskCore
let instructions: ReadonlyMap<string, Instruction>

beforeAll(async () => {
  const runtime = await buildMemoryRuntime()
  core = runtime.core
  instructions = runtime.knowledge.instructions
})

/** Runbook text with Markdown line wrapping undone, to find an extract in it. */
/** The runbook's prose and the advice its guidance hands to the employee, as answers quote them. */
function flatBody(runbook: string): string {
  const instruction = instructions.get(runbook)
  const advice = (instruction?.actions ?? []).flatMap((action) =>
    action.executor === 'guidance' && action.text
      ? (employeeSteps(action.text) ?? []).map((step, index) => `${index + 1}. ${step}`)
      : [],
  )
  return [instruction?.body ?? '', EMPLOYEE_SECTION, ...advice].join(' ').replace(/\s+/g, ' ')
}

describe('how-to and why questions, through the core', () => {
  it.each([
    ['how do I map a network drive', 'shared_drive_access'],
    ['why does my account keep locking', 'account_locked'],
    ['how do I add a shared mailbox to Outlook', 'outlook_sync'],
    ['what does system error 1219 mean', 'shared_drive_access'],
    ['how can I keep my laptop from overheating', 'laptop_overheating'],
    ['why does outlook say disconnected', 'outlook_not_syncing'],
    ["how do I show a colleague's calendar in outlook", 'outlook_sync'],
    ['how do I get my work email on my phone', 'outlook_sync'],
    ['why does teams keep asking me to sign in', 'teams_not_signing_in'],
    ['what does error 0x80070035 mean', 'shared_drive_access'],
    ['how do I stop my wifi dropping after sleep', 'wifi_not_working'],
    ['why is my laptop so slow after a few weeks', 'laptop_running_slow'],
    ['how do I force a send and receive in outlook', 'outlook_sync'],
    ['why does my vpn keep disconnecting', 'vpn_troubleshooting'],
    ['what does a 550 5.1.1 bounce mean', 'email_delivery_failed'],
    ['how do I start excel in safe mode', 'excel_freezing'],
    ['why does my second monitor not show up', 'monitor_not_detected'],
    ['why does zoom say it cannot detect my microphone', 'zoom_audio_not_working'],
    ['how do I clear stuck print jobs', 'printer_not_working'],
    ['what does the stop code WHEA_UNCORRECTABLE_ERROR mean', 'blue_screen_error'],
    ['why does jira say my session has timed out', 'access_jira'],
  ])('"%s" is answered from %s, cited, with no plan and no approval', async (message, runbook) => {
    const result = await core.handleTurn({ message })
    expect(result.answer?.sources.length).toBeGreaterThan(0)
    expect(new Set(result.answer?.sources.map((source) => source.runbook))).toEqual(
      new Set([runbook]),
    )
    const instruction = instructions.get(runbook)
    const headings = [
      ...(instruction?.sections.map((section) => section.heading) ?? []),
      EMPLOYEE_SECTION,
    ]
    for (const source of result.answer?.sources ?? []) expect(headings).toContain(source.section)
    expect(result.reply).toBe(result.answer?.text)
    expect(result.reply).toContain(`Source: ${instruction?.title} › `)
    // Extractive: the answer proper is the runbook's own text (a table row's cells joined by ": ").
    const extract = (result.answer?.text ?? '').split('\n\n')[1] ?? ''
    const body = flatBody(runbook)
    for (const piece of extract.split(/\n|: /))
      expect(body).toContain(piece.replace(/:$/, '').trim())
    expect(result.plan).toEqual([])
    expect(result.results).toEqual([])
    expect(result.missing).toEqual([])
    expect(result.tasks).toEqual([])
    expect(result.approvals).toBeUndefined()
    expect(result.outOfScope).toBeUndefined()
  })

  it('keeps a numbered step as a step', async () => {
    const result = await core.handleTurn({ message: 'how can I keep my laptop from overheating' })
    // The advice the runbook hands to the employee, in direct address.
    expect(result.answer?.text).toMatch(/^\d\. Use the laptop on a hard, flat surface/m)
  })

  it.each([
    [
      'how do I add my work calendar to my phone',
      /\*\*Phone\*\*: Outlook mobile/,
      /Open Shared Calendar/,
    ],
    [
      'how do I add a shared mailbox in outlook',
      /Open these additional mailboxes/,
      /\*\*Phone\*\*/,
    ],
    [
      'how do i map a network drive',
      /remove and map again/,
      /Could not reconnect all network drives/,
    ],
    ['how do I test my mic before a zoom call?', /Test Speaker and Microphone/, /ConsentStore/],
  ])(
    '"%s" quotes the passage that answers it, not a neighbour sharing a word',
    async (message, wanted, unrelated) => {
      const result = await core.handleTurn({ message })
      expect(result.answer?.text).toMatch(wanted)
      expect(result.answer?.text).not.toMatch(unrelated)
    },
  )

  it.each([
    ['how do I change the bank account my salary goes to', 'hr_payroll_benefits'],
    ['how do I change my outlook signature', 'outlook_howto'],
    ['how do I claim travel expenses', 'expenses_and_travel'],
    ['how do I set up the authenticator app on my new phone', 'mfa_reregistration'],
    ['how do I order toner for the printer', 'printer_supplies'],
    ['what should I do if I lose my building badge', 'building_access'],
    ['how do I get a parking permit', 'facilities'],
    ['why is the coffee machine broken again', 'facilities'],
  ])('"%s" is not covered: out of scope with a hand-off', async (message, topic) => {
    const result = await core.handleTurn({ message })
    expect(result.answer).toBeUndefined()
    expect(result.outOfScope?.handoff).toBeTruthy()
    expect(result.outOfScope?.topic).toBe(topic)
    expect(result.reply).toBe(result.outOfScope?.handoff)
    expect(result.plan).toEqual([])
    expect(result.tasks).toEqual([])
  })

  // Known misses of the trained router (words its examples never used, and no semantic model yet:
  // see the README's routing section). `it.fails` turns red the day they are routed right, so
  // the expectation moves back into the list above.
  it.fails('"why is the canteen closed" is not covered (today: answered from application_crashing)', async () => {
    const result = await core.handleTurn({ message: 'why is the canteen closed' })
    expect(result.answer).toBeUndefined()
    expect(result.outOfScope?.handoff).toBeTruthy()
  })
  it.fails('"how do I book a meeting room" goes to the room-booking hand-off (today: the Teams/Zoom how-to one)', async () => {
    const result = await core.handleTurn({ message: 'how do I book a meeting room' })
    expect(result.outOfScope?.topic).toBe('conference_room_av')
  })

  it.each([
    ['how do I get my password reset', 'password_reset'],
    ['how do I reset my password', 'password_reset'],
    ['how can I get my account unlocked', 'account_locked'],
    ['why is my laptop slow, can you check', 'laptop_running_slow'],
    ['please map the S drive to \\\\fs01\\finance for me', 'shared_drive_access'],
    ['how do I get access to the finance share', 'shared_drive_access'],
    ['could you add the support shared mailbox to my outlook', 'outlook_sync'],
    ['my account keeps locking, please fix it', 'account_locked'],
    ['why does my vpn fail with error 809? please fix it on LT-0423', 'vpn_not_connecting'],
    ['how do I install zoom on my laptop', 'software_install_request'],
    ['how do I get my S drive back', 'shared_drive_access'],
    ['can you unlock my account, username a.smith', 'account_locked'],
  ])('"%s" is a request to act: it is planned, not answered', async (message, runbook) => {
    const result = await core.handleTurn({ message })
    expect(result.answer).toBeUndefined()
    expect(result.outOfScope).toBeUndefined()
    expect(result.tasks).toEqual([runbook])
    // Planned, or a question asked on the way to the plan.
    expect(result.plan.length + result.missing.length).toBeGreaterThan(0)
  })

  it.each([
    ["where do I find my computer's name? IT keeps asking me for it", 'Device name', 'device'],
    ['where can I see the name of my laptop', 'Device name', 'device'],
    ['where do I find the printer name', 'label', 'printer'],
    ['how do I find the network path of a shared drive', 'Properties', 'unc path'],
  ])('"%s" is answered from the help a runbook question gives', async (message, words, value) => {
    const result = await core.handleTurn({ message })
    expect(result.reply).toContain(words)
    expect(result.answer?.sources).toEqual([
      expect.objectContaining({ section: `Finding the ${value}` }),
    ])
    expect(result.reply).toContain(`› Finding the ${value}`)
    expect(result.plan).toEqual([])
  })

  it('answers a why question that points back at the topic from its runbook', async () => {
    const first = await core.handleTurn({
      message: 'my laptop is slow, task manager says 100% disk',
    })
    expect(first.tasks).toEqual(['laptop_running_slow'])
    const why = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'why does it get like that?',
    })
    expect(why.answer?.sources.map((source) => source.runbook)).toContain('laptop_running_slow')
    expect(why.plan).toEqual([])
    // Not pointing back: a question of its own, which no runbook covers, is handed off.
    const other = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'why is the parking so expensive',
    })
    expect(other.answer).toBeUndefined()
  })

  it('answers a question asked while a question of ours is open, and keeps ours open', async () => {
    const first = await core.handleTurn({ message: 'my printer is not working' })
    const asked = first.missing[0]?.parameter
    expect(asked).toBeDefined()
    const detour = await core.handleTurn({
      sessionId: first.sessionId,
      message: 'how do I map a network drive',
    })
    expect(detour.answer?.sources[0]?.runbook).toBe('shared_drive_access')
    const back = await core.handleTurn({
      sessionId: first.sessionId,
      message: asked === 'printer' ? 'PRN-3F-EAST' : 'LT-0423',
    })
    expect(back.tasks).toEqual(['printer_not_working'])
    expect(back.missing[0]?.parameter).not.toBe(asked)
  })
})
