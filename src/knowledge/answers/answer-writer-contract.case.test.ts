import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AnswerRequest, AnswerWriter } from './answer-writer.ts'
import type { Passage } from './runbook-passages.ts'

const TITLE = 'Get access to a shared drive, or bring back a missing or disconnected mapped drive'

function passage(section: string, text: string, position: number): Passage {
  return { runbook: 'shared_drive_access', runbookTitle: TITLE, section, text, position }
}

export const CONTRACT_REQUEST: AnswerRequest = {
  question: 'how do I map a network drive',
  form: 'how_to',
  runbookTitle: TITLE,
  passages: [
    passage(
      'Fix',
      '- **Missing or disconnected drive**: remove and map again (`net use S: \\\\fs01\\finance /persistent:yes`).',
      7,
    ),
    passage(
      'Prevention',
      'Map drives by Group Policy with "Reconnect", never with saved credentials.',
      9,
    ),
    passage('Fix', '- **Linux**: remount from `/etc/fstab` (`mount /mnt/finance`).', 8),
  ],
}

/**
 * The AnswerWriter contract (answer-writer.ts), run by each implementation's test with a
 * factory for a working writer.
 */
export function answerWriterContract(
  name: string,
  open: () => Promise<{ writer: AnswerWriter; close?: () => Promise<void> }>,
): void {
  describe(`${name} (AnswerWriter contract)`, () => {
    let writer: AnswerWriter
    let close: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ writer, close } = await open())
    })
    afterAll(async () => {
      await close?.()
    })

    it('answers with text and cites exactly the sections of the passages it was given', async () => {
      const answer = await writer.write(CONTRACT_REQUEST)
      expect(answer.text.trim().length).toBeGreaterThan(0)
      expect(answer.sources).toEqual([
        { runbook: 'shared_drive_access', section: 'Fix' },
        { runbook: 'shared_drive_access', section: 'Prevention' },
      ])
    })

    it('names the runbook and its sections under the answer', async () => {
      const answer = await writer.write(CONTRACT_REQUEST)
      expect(answer.text).toContain(`Source: ${TITLE} › Fix; Prevention`)
    })
  })
}
