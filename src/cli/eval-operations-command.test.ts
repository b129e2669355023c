import { writeFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { temporaryDirectory } from '../../tests/support/temporary-directory.ts'
import { isHelpdeskError } from '../errors/index.ts'
import { evalOperationsCommand } from './eval-operations-command.ts'

const INVENTORY = 'tests/fixtures/operations-inventory.yaml'

function captured(): { text: () => string } {
  const chunks: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk))
    return true
  })
  return { text: () => chunks.join('') }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('helpdesk eval --operations', () => {
  it('prints accuracy, field errors, the employee-routing count and the employee check', async () => {
    const output = captured()
    await evalOperationsCommand({
      operations: 'tests/fixtures/operations-dev.jsonl',
      inventory: INVENTORY,
      employeeRequests: 'tests/fixtures/routing-dev.jsonl',
    })
    const text = output.text()
    expect(text).toContain('requests: 174')
    expect(text).toMatch(/accuracy \(exactly right\): (1|0\.9[5-9]\d*) /)
    expect(text).toContain('field errors: kind 0, operations 0, targets 0, condition 0')
    expect(text).toContain('operation/inventory requests routed to an employee runbook: 0')
    expect(text).toContain('read as operation/inventory: 0/270')
  })

  it('counts a wrong reading in the field it got wrong, and lists it with --errors', async () => {
    const directory = await temporaryDirectory('eval-operations')
    const file = `${directory.path}/one.jsonl`
    writeFileSync(
      file,
      `${JSON.stringify({
        id: 'x-1',
        text: 'restart nginx on web01',
        expected: {
          kind: 'operation',
          operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
          targets: { machines: ['web02'], groups: [], all: false, os: null },
          condition: null,
        },
      })}\n`,
    )
    const output = captured()
    await evalOperationsCommand({ operations: file, inventory: INVENTORY, errors: true })
    expect(output.text()).toContain('accuracy (exactly right): 0 (0/1)')
    expect(output.text()).toContain('field errors: kind 0, operations 0, targets 1, condition 0')
    expect(output.text()).toContain('x-1 [targets]: restart nginx on web01')
    await directory.remove()
  })

  it('refuses a bad file whole, naming the line and field, and a missing inventory', async () => {
    const directory = await temporaryDirectory('eval-operations')
    const file = `${directory.path}/bad.jsonl`
    writeFileSync(file, '{"id": "x", "text": "reboot web01", "expected": {"kind": "reboot"}}\n')
    const refusal = (run: Promise<void>) =>
      run.then(
        () => undefined,
        (error: unknown) => error,
      )
    const bad = await refusal(evalOperationsCommand({ operations: file, inventory: INVENTORY }))
    expect(isHelpdeskError(bad) && bad.code).toBe('INVALID_INPUT')
    expect((bad as Error).message).toMatch(/bad\.jsonl:1: expected\.kind/)
    const noInventory = await refusal(evalOperationsCommand({ operations: file }))
    expect((noInventory as Error).message).toMatch(/--inventory/)
    await directory.remove()
  })
})
