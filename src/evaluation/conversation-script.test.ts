import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConversations, readConversations } from './conversation-script.ts'

const line = (value: unknown) => JSON.stringify(value)
const good = {
  id: 'conv-001',
  as: { username: 'alice', role: 'requester' },
  note: 'a slow laptop',
  turns: [{ message: 'my laptop is really slow', expect: { tasks: ['laptop_running_slow'] } }],
}

function problemsOf(text: string): string {
  try {
    parseConversations(text, 'set.jsonl')
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the file to be refused')
}

describe('parseConversations', () => {
  it('reads one conversation per line, skipping blank lines; a turn without expect checks nothing', () => {
    const second = {
      id: 'conv-002',
      as: { username: 'tom', role: 'technician' },
      turns: [{ message: 'hi' }],
    }
    const conversations = parseConversations(`${line(good)}\n\n${line(second)}\r\n`, 'set.jsonl')
    expect(conversations.map((each) => each.id)).toEqual(['conv-001', 'conv-002'])
    expect(conversations[1]?.turns[0]?.expect).toEqual({})
  })

  it('refuses a misspelt expectation by line and field (it would otherwise check nothing)', () => {
    const bad = { ...good, turns: [{ message: 'x', expect: { task: ['password_reset'] } }] }
    expect(problemsOf(line(bad))).toMatch(
      /set\.jsonl:1: turns\.0\.expect: Unrecognized key.*"task"/,
    )
  })

  it('names every bad line and field, and plays none of the file', () => {
    const message = problemsOf(
      [
        line(good),
        '{not json',
        line({ ...good, id: 'conv-003', as: { username: 'alice', role: 'boss' } }),
        line({ ...good, id: 'conv-004', turns: [] }),
        line({ ...good, id: 'conv-005', turns: [{ message: 'x', expect: { plan: 'yes' } }] }),
        line({ ...good, id: 'conv-006', as: { username: 'a b', role: 'requester' } }),
      ].join('\n'),
    )
    expect(message).toMatch(/5 invalid line\(s\)/)
    expect(message).toMatch(/set\.jsonl:2: not valid JSON/)
    expect(message).toMatch(/set\.jsonl:3: as\.role: expected one of requester, technician, admin/)
    expect(message).toMatch(/set\.jsonl:4: turns: expected at least one turn/)
    expect(message).toMatch(/set\.jsonl:5: turns\.0\.expect\.plan:/)
    expect(message).toMatch(/set\.jsonl:6: as\.username: expected a username/)
  })

  it('refuses a repeated id, naming the first line that used it', () => {
    expect(problemsOf(`${line(good)}\n${line(good)}`)).toMatch(
      /set\.jsonl:2: id: "conv-001" is already used on line 1/,
    )
  })

  it('refuses an empty file', () => {
    expect(problemsOf('\n\n')).toMatch(/set\.jsonl: the file has no conversations/)
  })

  it('refuses an unreadable file by name', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'conversations-'))
    try {
      await expect(readConversations(path.join(directory, 'missing.jsonl'))).rejects.toThrow(
        /--conversations .*missing\.jsonl: cannot read the file \(ENOENT\)/,
      )
      await writeFile(path.join(directory, 'one.jsonl'), line(good))
      expect(await readConversations(path.join(directory, 'one.jsonl'))).toHaveLength(1)
    } finally {
      await rm(directory, { recursive: true })
    }
  })
})

describe('the team conversation set (tests/fixtures/conversations-dev.jsonl)', () => {
  it('is valid, has at least 60 conversations of 1 to 5 turns, by requesters and technicians', async () => {
    const conversations = await readConversations('tests/fixtures/conversations-dev.jsonl')
    expect(conversations.length).toBeGreaterThanOrEqual(60)
    for (const conversation of conversations) {
      expect(conversation.turns.length, conversation.id).toBeGreaterThanOrEqual(1)
      expect(conversation.turns.length, conversation.id).toBeLessThanOrEqual(5)
      expect(conversation.note, conversation.id).toBeTruthy()
    }
    const roles = new Set(conversations.map((each) => each.as.role))
    expect(roles).toEqual(new Set(['requester', 'technician']))
  })
})
