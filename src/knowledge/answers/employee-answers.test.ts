import { beforeAll, describe, expect, it } from 'vitest'
import { buildMemoryRuntime } from '../../../tests/support/memory-runtime.ts'
import type { HelpdeskCore } from '../../agent/core/helpdesk-core.ts'
import { EMPLOYEE_SECTION } from './runbook-passages.ts'

let core: HelpdeskCore

beforeAll(async () => {
  core = (await buildMemoryRuntime()).core
})

describe('how-to answers for the employee who asks', () => {
  it('answer "how do I stop my laptop getting very hot" with the advice the runbook hands to the employee', async () => {
    const result = await core.handleTurn({ message: 'how do I stop my laptop getting very hot' })
    expect(result.answer?.sources).toEqual([
      { runbook: 'laptop_overheating', section: EMPLOYEE_SECTION },
    ])
    expect(result.reply).toMatch(/^1\. Use the laptop on a hard, flat surface .+ vents/m)
    // Addressed to the employee, not about them.
    expect(result.reply).not.toMatch(/the employee/i)
  })

  it('answer what a OneDrive message means with the symptom in plain words, not a reset command', async () => {
    const result = await core.handleTurn({
      message: 'what does it mean when onedrive says some files are not synced',
    })
    expect(result.reply).toMatch(/Red X on a file: That item cannot sync .+ View sync problems/)
    expect(result.reply).not.toMatch(/OneDrive\.exe \/reset/)
  })

  it('answer "how do I connect to the vpn from home" with the steps to connect, not a technician\'s diagnosis', async () => {
    const result = await core.handleTurn({ message: 'how do I connect to the vpn from home' })
    expect(result.answer?.sources).toEqual([
      { runbook: 'vpn_not_connecting', section: 'Connecting from home' },
    ])
    expect(result.reply).not.toMatch(/RasClient|IKEEXT|Get-VpnConnection/)
  })

  it('do not answer a why question with the employee advice', async () => {
    const result = await core.handleTurn({ message: 'why does my laptop get so hot' })
    for (const source of result.answer?.sources ?? [])
      expect(source.section).not.toBe(EMPLOYEE_SECTION)
  })
})
