import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { operationsListCommand, operationsShowCommand } from './operations-command.ts'

/** What the command wrote to stdout. */
async function output(work: () => Promise<void>): Promise<string> {
  let written = ''
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written += String(chunk)
    return true
  })
  try {
    await work()
  } finally {
    write.mockRestore()
  }
  return written
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('helpdesk operations with OPERATIONS_DIR', () => {
  it('lists the catalog of data/operations when it is not set', async () => {
    vi.stubEnv('OPERATIONS_DIR', '')
    const rows = JSON.parse(await output(() => operationsListCommand({ json: true }))) as Array<{
      id: string
    }>
    expect(rows.map((row) => row.id)).toContain('service.restart')
    expect(rows.length).toBeGreaterThan(10)
  })

  it("lists and shows a site's own catalog from the directory it names", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'operations-dir-'))
    copyFileSync('data/operations/system.uptime.yaml', path.join(directory, 'system.uptime.yaml'))
    vi.stubEnv('OPERATIONS_DIR', directory)
    const rows = JSON.parse(await output(() => operationsListCommand({ json: true }))) as Array<{
      id: string
    }>
    expect(rows.map((row) => row.id)).toEqual(['system.uptime'])
    expect(await output(() => operationsShowCommand('system.uptime'))).toContain(
      'system.uptime: Check uptime and last boot',
    )
  })

  it('refuses a directory that is not there, naming it', async () => {
    vi.stubEnv('OPERATIONS_DIR', '/nonexistent/operations')
    await expect(operationsListCommand({ json: true })).rejects.toThrow(
      'cannot read the operations directory /nonexistent/operations',
    )
  })
})
