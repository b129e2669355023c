import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { decryptCredential, encryptCredential, resolveCredential } from './credential-reference.ts'
import { Inventory } from './inventory.ts'

const directory = mkdtempSync(path.join(tmpdir(), 'inventory-'))
const write = (name: string, text: string) => {
  const file = path.join(directory, name)
  writeFileSync(file, text)
  return file
}
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy0'

const valid = write(
  'inventory.yaml',
  `targets:
  - { name: LT-0423, host: 127.0.0.1, os: linux, transport: ssh, port: 2222, username: svc-helpdesk, credential: "env:HELPDESK_SSH_KEY", hostKey: "${HOST_KEY}" }
  - { name: WS-FIN-12, host: ws-fin-12.corp.example.com, os: windows, transport: winrm, username: "CORP\\\\svc-helpdesk", credential: "file:/etc/helpdesk/winrm.password" }
groups:
  finance: [LT-0423, WS-FIN-12]
`,
)

describe('inventory', () => {
  it('reads targets and groups, matching names case-insensitively', async () => {
    const inventory = await Inventory.load(valid)
    expect(inventory.target('lt-0423')).toMatchObject({
      host: '127.0.0.1',
      port: 2222,
      hostKey: HOST_KEY,
    })
    expect(inventory.group('finance').map((target) => target.name)).toEqual([
      'LT-0423',
      'WS-FIN-12',
    ])
  })

  it('names the valid targets and groups on a miss', async () => {
    const inventory = await Inventory.load(valid)
    expect(() => inventory.target('PC-9')).toThrow(
      /unknown target "PC-9"; the inventory has: LT-0423, WS-FIN-12/,
    )
    expect(() => inventory.group('sales')).toThrow(
      /unknown group "sales"; the inventory has: finance/,
    )
  })

  it('reports each bad field with the file, and refuses a secret written in place of a reference', async () => {
    const bad = write(
      'bad.yaml',
      `targets:
  - { name: LT-1, host: 10.0.0.1, os: linux, transport: ssh, username: root, credential: "Hunter2!" }
groups:
  g: [LT-2]
`,
    )
    const error = await Inventory.load(bad).then(
      () => new Error('expected the load to fail'),
      (thrown: Error) => thrown,
    )
    expect(error.message).toMatch(/bad\.yaml: targets\.0\.credential: a reference/)
    expect(error.message).toMatch(/bad\.yaml: targets\.0\.hostKey: ssh targets pin their host key/)
    expect(error.message).toMatch(/bad\.yaml: groups\.g\.0: unknown target "LT-2"/)
    expect(error.message).not.toMatch(/Hunter2/)
  })
})

describe('credential references', () => {
  it('resolves env: and file: references at use time', async () => {
    const fromEnvironment = await resolveCredential('env:TEST_SECRET', {
      TEST_SECRET: 's3cret-env',
    })
    expect(fromEnvironment.reveal()).toBe('s3cret-env')
    const file = write('password', 's3cret-file\n')
    expect((await resolveCredential(`file:${file}`)).reveal()).toBe('s3cret-file')
    await expect(resolveCredential('env:MISSING_ONE', {})).rejects.toThrow(
      /environment variable MISSING_ONE is not set/,
    )
  })

  it('opens AES-256-GCM credentials with the key, and refuses a wrong key or changed text', async () => {
    const key = randomBytes(32)
    const encoded = encryptCredential('s3cret-encrypted', key)
    expect(
      (
        await resolveCredential(`encrypted:${encoded}`, {
          HELPDESK_SECRET_KEY: key.toString('base64'),
        })
      ).reveal(),
    ).toBe('s3cret-encrypted')
    expect(() => decryptCredential(encoded, randomBytes(32))).toThrow(
      /wrong key, or the text was changed/,
    )
    const changed = Buffer.from(encoded, 'base64')
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 1
    expect(() => decryptCredential(changed.toString('base64'), key)).toThrow(
      /wrong key, or the text was changed/,
    )
    await expect(
      resolveCredential(`encrypted:${encoded}`, { HELPDESK_SECRET_KEY: 'short' }),
    ).rejects.toThrow(/HELPDESK_SECRET_KEY: expected 32 bytes/)
  })

  it('never shows a secret when printed, serialised or interpolated', async () => {
    const secret = await resolveCredential('env:TEST_SECRET', { TEST_SECRET: 'do-not-leak' })
    const shown = [
      `${secret}`,
      JSON.stringify({ secret }),
      inspect(secret),
      inspect({ nested: { secret } }),
      String(secret),
    ]
    for (const text of shown) expect(text).not.toContain('do-not-leak')
    expect(inspect(secret)).toBe('Secret(env:TEST_SECRET)')
  })

  it('does not echo a value that is not a reference', async () => {
    const error = await resolveCredential('Hunter2!').then(
      () => new Error('expected a refusal'),
      (thrown: Error) => thrown,
    )
    expect(error.message).toMatch(/not a reference/)
    expect(error.message).not.toContain('Hunter2')
  })
})
