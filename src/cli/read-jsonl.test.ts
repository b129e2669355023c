import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { temporaryDirectory } from '../../tests/support/temporary-directory.ts'
import { readRequestLines } from './read-jsonl.ts'

let directory: Awaited<ReturnType<typeof temporaryDirectory>>
beforeAll(async () => {
  directory = await temporaryDirectory('read-jsonl')
})
afterAll(async () => {
  await directory.remove()
})

describe('reading labelled requests', () => {
  it('reads an empty label list as out of scope ("none of these")', async () => {
    const file = `${directory.path}/labelled.jsonl`
    await writeFile(
      file,
      '{"id": "a", "text": "what is for lunch", "labels": []}\n{"id": "b", "text": "vpn 809", "labels": ["vpn_not_connecting"]}\n',
    )
    const lines = await readRequestLines(file, true)
    expect(lines.map((line) => line.labels)).toEqual([['out_of_scope'], ['vpn_not_connecting']])
  })

  it('refuses a labelled file line without labels, naming the line', async () => {
    const file = `${directory.path}/unlabelled.jsonl`
    await writeFile(file, '{"id": "a", "text": "vpn 809"}\n')
    await expect(readRequestLines(file, true)).rejects.toThrow(
      /unlabelled\.jsonl:1: labels: expected an array/,
    )
  })
})
