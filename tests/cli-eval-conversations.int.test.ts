import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runHelpdesk } from './support/helpdesk-process.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

let directory: Awaited<ReturnType<typeof temporaryDirectory>>

function helpdesk(args: string[]) {
  return runHelpdesk(args, {
    HELPDESK_DATA_DIR: directory.path,
    CHROMA_RUNTIME_DIR: RUNTIME_CACHE_DIRECTORY,
  })
}

async function conversationFile(name: string, conversations: unknown[]): Promise<string> {
  const file = path.join(directory.path, name)
  await writeFile(file, conversations.map((each) => JSON.stringify(each)).join('\n'))
  return file
}

const INVENTORY = ['--inventory', 'tests/fixtures/conversations-inventory.yaml']
const ACCOUNT_MAP = ['--account-map', 'tests/fixtures/conversations-account-map.yaml']

beforeAll(async () => {
  directory = await temporaryDirectory('helpdesk-eval-conversations')
})
afterAll(async () => {
  await directory?.remove()
})

describe('helpdesk eval --conversations', () => {
  it('plays each conversation on every adapter (real Chroma, the inventory) and prints pass rates', async () => {
    const file = await conversationFile('two.jsonl', [
      {
        id: 'own-laptop',
        as: { username: 'bob', role: 'requester' },
        note: "bob's laptop is his one Linux machine; LT-0423 is not his",
        turns: [
          {
            message: 'my laptop is really slow',
            expect: { tasks: ['laptop_running_slow'], plan: true, values: ['LT-0424', 'linux'] },
          },
          { message: 'LT-0423 is really slow', expect: { refused: true, plan: false } },
        ],
      },
      {
        id: 'impossible',
        as: { username: 'tina', role: 'technician' },
        turns: [{ message: 'my printer is jammed', expect: { replyIncludes: ['no such words'] } }],
      },
    ])
    const result = await helpdesk([
      'eval',
      '--conversations',
      file,
      ...INVENTORY,
      ...ACCOUNT_MAP,
      '--json',
      '--errors',
    ])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.conversations).toBe(2)
    expect(report.adapters.map((each: { framework: string }) => each.framework)).toEqual([
      'langgraph',
      'langchain',
      'openai-agents',
      'mastra',
      'core',
    ])
    for (const adapter of report.adapters) {
      expect(adapter, adapter.framework).toMatchObject({
        conversations: 2,
        passed: 1,
        passRate: 0.5,
        turns: 3,
        turnsPassed: 2,
      })
      expect(adapter.failures).toEqual([
        expect.objectContaining({
          conversation: 'impossible',
          turn: 1,
          mismatches: [
            {
              expectation: 'replyIncludes',
              expected: ['no such words'],
              got: { missing: ['no such words'] },
            },
          ],
        }),
      ])
    }

    const text = await helpdesk([
      'eval',
      '--conversations',
      file,
      '--framework',
      'core',
      ...INVENTORY,
      ...ACCOUNT_MAP,
      '--errors',
    ])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(
      /^conversations: 2\ncore: 1\/2 conversations passed \(50%\); turns 2\/3 \(66\.7%\)\n {2}core impossible turn 1: "my printer is jammed"\n {4}replyIncludes: expected \["no such words"\], got \{"missing":\["no such words"\]\}\n {4}reply: "/,
    )
  })

  it("without the inventory a machine is nobody's: the same conversation fails", async () => {
    const file = await conversationFile('owner.jsonl', [
      {
        id: 'own-laptop',
        as: { username: 'bob', role: 'requester' },
        turns: [
          { message: 'my laptop is really slow', expect: { plan: true, values: ['LT-0424'] } },
        ],
      },
    ])
    const result = await helpdesk([
      'eval',
      '--conversations',
      file,
      '--framework',
      'core',
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).adapters).toEqual([
      expect.objectContaining({ framework: 'core', passed: 0, failures: 1 }),
    ])
  })

  it('refuses a bad file, framework or flag combination before starting anything (exit 2)', async () => {
    const bad = await conversationFile('bad.jsonl', [
      {
        id: 'x',
        as: { username: 'bob', role: 'requester' },
        turns: [{ message: 'hi', expect: { task: [] } }],
      },
    ])
    const file = await helpdesk(['eval', '--conversations', bad])
    expect(file.code).toBe(2)
    expect(file.stdout).toBe('')
    expect(file.stderr).toMatch(/bad\.jsonl:1: turns\.0\.expect: Unrecognized key.*"task"/)
    expect(file.stderr).not.toMatch(/Chroma/)

    const framework = await helpdesk(['eval', '--conversations', bad, '--framework', 'crewai'])
    expect(framework.code).toBe(2)
    expect(framework.stderr).toMatch(
      /--framework: unknown agent framework "crewai"; valid: langgraph, .* or all/,
    )

    const neither = await helpdesk(['eval'])
    expect(neither.code).toBe(2)
    expect(neither.stderr).toMatch(
      /give --input FILE \(routing\) or --conversations FILE, one of the two/,
    )
    const both = await helpdesk(['eval', '--input', bad, '--conversations', bad])
    expect(both.code).toBe(2)
    const misplaced = await helpdesk(['eval', '--input', bad, ...INVENTORY])
    expect(misplaced.code).toBe(2)
    expect(misplaced.stderr).toMatch(/--inventory goes with --conversations/)
  })
})
