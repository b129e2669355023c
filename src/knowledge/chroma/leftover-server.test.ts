import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ownedByAnotherProcess, ownerFields } from './leftover-server.ts'

function startOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
}

describe('who owns a recorded Chroma server', () => {
  it('another live process that started when recorded; not this one, a dead one or a reused pid', () => {
    const parent = process.ppid
    expect(ownedByAnotherProcess({ pid: 1, owner: parent, ownerStart: startOf(parent) })).toBe(true)
    // The pid now belongs to a process that started later: the recorded owner is gone.
    expect(ownedByAnotherProcess({ pid: 1, owner: parent, ownerStart: startOf(parent) + 1 })).toBe(
      false,
    )
    expect(ownedByAnotherProcess({ pid: 1, ...ownerFields() })).toBe(false)
    expect(ownedByAnotherProcess({ pid: 1, owner: 2 ** 22 + 7 })).toBe(false)
    expect(ownedByAnotherProcess({ pid: 1 })).toBe(false)
    expect(ownerFields()).toEqual({ owner: process.pid, ownerStart: startOf(process.pid) })
  })
})
