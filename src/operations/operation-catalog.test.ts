import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { checkBashSyntax } from '../rendering/bash-syntax.ts'
import { checkPowerShellSyntax, loadPowerShellGrammar } from '../rendering/powershell-syntax.ts'
import { loadOperations, OperationCatalog } from './operation-catalog.ts'
import type { OperationDefinition } from './operation-schema.ts'
import { type RenderedOperation, renderOperation } from './render-operation.ts'
import type { PlatformScripts } from './workflow.ts'

/** The catalog ids of docs/operations.md that run on machines (inventory.* are answered from the inventory). */
const DOCUMENTED_IDS = [
  'disk.usage',
  'file.copy',
  'logs.errors',
  'network.name-check',
  'network.port-check',
  'package.install',
  'package.remove',
  'package.update',
  'process.check',
  'process.stop',
  'service.restart',
  'service.start',
  'service.status',
  'service.stop',
  'system.reboot',
  'system.uptime',
]

/** A good value per parameter kind. */
const SAMPLE: Readonly<Record<string, string | number>> = {
  service: 'nginx',
  process: 'java',
  package: 'nginx',
  version: '1.24.0',
  source: 'releases/app.conf',
  destination: '/etc/app/app.conf',
  overwrite: 'yes',
  path: '/var/log',
  hours: 6,
  host: 'db01.corp.example.com',
  port: 5432,
}

const hostile = readFileSync('tests/fixtures/hostile-inputs.jsonl', 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => (JSON.parse(line) as { value: string }).value)

let catalog: OperationCatalog
beforeAll(async () => {
  await loadPowerShellGrammar()
  catalog = await OperationCatalog.load()
})

function sampleValues(operation: OperationDefinition): Record<string, string | number> {
  return Object.fromEntries(
    operation.parameters.map((parameter) => [parameter.name, SAMPLE[parameter.name] ?? 'x']),
  )
}

function allScripts(rendered: RenderedOperation): PlatformScripts[] {
  return [
    rendered.scripts,
    ...[rendered.verify, rendered.rollback, rendered.backup].filter((each) => each !== undefined),
    ...Object.values(rendered.conditions),
  ]
}

function expectParses(rendered: RenderedOperation): void {
  for (const scripts of allScripts(rendered)) {
    expect(scripts.linux).toBeDefined()
    expect(scripts.windows).toBeDefined()
    expect(checkBashSyntax(scripts.linux ?? ''), scripts.linux).toEqual({ ok: true })
    expect(checkPowerShellSyntax(scripts.windows ?? ''), scripts.windows).toEqual({ ok: true })
  }
}

describe('the operations catalog (data/operations)', () => {
  it('has exactly the documented operations, each with Linux and Windows scripts', () => {
    expect(catalog.list().map((operation) => operation.id)).toEqual(DOCUMENTED_IDS)
  })

  it('renders every script of every operation so that bash -n and the PowerShell grammar accept it', () => {
    for (const operation of catalog.list()) {
      expectParses(renderOperation(operation, sampleValues(operation)))
    }
  })

  it('renders optional parameters left out (disk.usage with no path, logs.errors with the default hours)', () => {
    const disk = renderOperation(catalog.get('disk.usage'), {})
    expect(disk.scripts.linux).toMatch(/^set -- ''\n/)
    const logs = renderOperation(catalog.get('logs.errors'), {})
    expect(logs.scripts.linux).toMatch(/^set -- '24' ''\n/)
    expectParses(logs)
  })

  it('has the waits, package managers and rollbacks the issue asks for', () => {
    for (const id of ['service.start', 'service.stop', 'service.restart']) {
      const operation = catalog.get(id)
      expect(operation.scripts.linux).toContain('limit=60')
      expect(operation.scripts.windows).toContain('WaitForStatus')
    }
    for (const id of ['package.install', 'package.update', 'package.remove']) {
      const operation = catalog.get(id)
      for (const manager of ['apt-get', 'dnf', 'zypper'])
        expect(operation.scripts.linux).toContain(manager)
      expect(operation.scripts.windows).toMatch(/winget[\s\S]*choco/)
    }
    expect(catalog.get('service.stop').rollback?.linux).toContain('systemctl start')
    expect(catalog.get('package.install').rollback?.linux).toContain('remove')
    expect(catalog.get('file.copy').backup?.linux).toContain('.helpdesk-backup')
    expect(catalog.get('system.reboot').risk).toBe('critical')
    expect(catalog.get('system.reboot').rollback).toBeUndefined()
  })

  it('passes the host of a port check to PowerShell as $host_name ($host is read-only there)', () => {
    const rendered = renderOperation(catalog.get('network.port-check'), {
      host: SAMPLE.host ?? '',
      port: SAMPLE.port ?? 0,
    })
    expect(rendered.scripts.windows).toContain('param([string]$host_name, [string]$port)')
    expect(rendered.scripts.windows).toContain(" -host_name 'DB01.CORP.EXAMPLE.COM' -port '5432'")
    expect(rendered.parameters).toEqual({ host: 'DB01.CORP.EXAMPLE.COM', port: 5432 })
  })

  it('refuses unknown parameters, missing required ones and out-of-range numbers, naming them', () => {
    const message = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        expect(isHelpdeskError(error) && error.code).toBe('INVALID_INPUT')
        return (error as Error).message
      }
      throw new Error('expected a refusal')
    }
    expect(message(() => renderOperation(catalog.get('service.stop'), {}))).toMatch(
      /service.stop: needs service/,
    )
    expect(
      message(() => renderOperation(catalog.get('service.stop'), { service: 'a', force: 'yes' })),
    ).toMatch(/has no parameter "force"/)
    expect(
      message(() =>
        renderOperation(catalog.get('network.port-check'), { host: 'db01', port: 70000 }),
      ),
    ).toMatch(/port number from 1 to 65535/)
    expect(message(() => renderOperation(catalog.get('logs.errors'), { hours: 0 }))).toMatch(
      /hours/,
    )
    expect(
      message(() => renderOperation(catalog.get('disk.usage'), { path: '/var/../etc' })),
    ).toMatch(/absolute path/)
    expect(message(() => renderOperation(catalog.get('disk.usage'), { path: 'var/log' }))).toMatch(
      /absolute path/,
    )
  })

  it(`refuses or safely quotes every hostile value (${hostile.length}) in every parameter of every operation`, () => {
    let refusedCount = 0
    let accepted = 0
    for (const operation of catalog.list()) {
      for (const parameter of operation.parameters) {
        for (const value of hostile) {
          let rendered: RenderedOperation
          try {
            rendered = renderOperation(operation, {
              ...sampleValues(operation),
              [parameter.name]: value,
            })
          } catch (error) {
            expect(isHelpdeskError(error) && error.code).toBe('INVALID_INPUT')
            refusedCount += 1
            continue
          }
          accepted += 1
          // Accepted only when the value is an ordinary name: then it must still parse and only
          // ever appear inside the quoted argument list, never in the template body.
          expectParses(rendered)
        }
      }
    }
    expect(refusedCount).toBeGreaterThan(0)
    console.log(`hostile values: ${refusedCount} refused, ${accepted} accepted and quoted`)
    expect(accepted / (accepted + refusedCount)).toBeLessThan(0.05)
  }, 120_000)
})

describe('loading operation files', () => {
  it('reports every problem with file and field, and loads nothing', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'operations-'))
    writeFileSync(
      path.join(directory, 'service.bad.yaml'),
      'id: service.bad\ntitle: Bad {nope}\ndescription: x\nrisk: extreme\nchanges: false\ntimeoutSeconds: 10\ntypicalSeconds: 1\nscripts:\n  linux: echo\n',
    )
    writeFileSync(path.join(directory, 'disk.other.yaml'), 'id: disk.usage\n: [')
    writeFileSync(
      path.join(directory, 'system.named.yaml'),
      'id: system.named\ntitle: Bad {nope}\ndescription: x\nrisk: low\nchanges: false\ntimeoutSeconds: 10\ntypicalSeconds: 1\nscripts:\n  linux: echo\n  windows: Write-Output 1\n',
    )
    const error = await loadOperations(directory).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(isHelpdeskError(error) && error.code).toBe('INVALID_INSTRUCTION')
    const text = (error as Error).message
    expect(text).toMatch(/service\.bad\.yaml: risk: /)
    expect(text).toMatch(/service\.bad\.yaml: scripts\.windows: /)
    expect(text).toMatch(/system\.named\.yaml: title: the title names \{nope\}/)
    expect(text).toMatch(/disk\.other\.yaml: \(file\): invalid YAML/)
  })
})
