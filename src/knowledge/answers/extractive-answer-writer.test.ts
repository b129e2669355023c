import { describe, expect, it } from 'vitest'
import { answerWriterContract, CONTRACT_REQUEST } from './answer-writer-contract.case.test.ts'
import { ExtractiveAnswerWriter } from './extractive-answer-writer.ts'

answerWriterContract('ExtractiveAnswerWriter', async () => ({
  writer: new ExtractiveAnswerWriter(),
}))

describe('ExtractiveAnswerWriter', () => {
  it("gives the passages as written, in the runbook's order, under their section headings", async () => {
    const answer = await new ExtractiveAnswerWriter().write(CONTRACT_REQUEST)
    const lines = answer.text.split('\n')
    const fix = lines.indexOf('Fix:')
    const prevention = lines.indexOf('Prevention:')
    expect(fix).toBeGreaterThan(-1)
    expect(prevention).toBeGreaterThan(fix)
    expect(lines[fix + 1]).toBe(CONTRACT_REQUEST.passages[0]?.text)
    expect(lines[fix + 2]).toBe(CONTRACT_REQUEST.passages[2]?.text)
    expect(lines[prevention + 1]).toBe(CONTRACT_REQUEST.passages[1]?.text)
  })

  it('leaves out the section heading when all passages come from one section', async () => {
    const answer = await new ExtractiveAnswerWriter().write({
      ...CONTRACT_REQUEST,
      passages: CONTRACT_REQUEST.passages.filter((passage) => passage.section === 'Fix'),
    })
    expect(answer.text).not.toMatch(/^Fix:$/m)
    expect(answer.sources).toEqual([{ runbook: 'shared_drive_access', section: 'Fix' }])
  })
})
