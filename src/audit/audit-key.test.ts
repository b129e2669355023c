import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config.ts'
import { AuditKey, findAuditKey, parseAuditKey } from './audit-key.ts'
import { auditSettings, openConfiguredAuditLog, verifyAuditDatabase } from './audit-settings.ts'
import { SqliteAuditLog } from './sqlite-audit-log.ts'

const secret = randomBytes(32)
const temporary = () => mkdtempSync(path.join(tmpdir(), 'audit-key-'))
const config = (overrides: Partial<Parameters<typeof auditSettings>[0]> = {}) => ({
  HELPDESK_AUDIT_KEY: undefined,
  HELPDESK_AUDIT_KEY_FILE: undefined,
  HELPDESK_AUDIT_CHECKPOINT_FILE: undefined,
  HELPDESK_AUDIT_CHECKPOINT_SYSLOG: false,
  ...overrides,
})

describe('audit key', () => {
  it('reads hex and base64 alike, the same bytes giving the same key id', () => {
    const hex = parseAuditKey(secret.toString('hex'), 'HELPDESK_AUDIT_KEY')
    const base64 = parseAuditKey(` ${secret.toString('base64')}\n`, 'HELPDESK_AUDIT_KEY')
    expect(hex.id).toMatch(/^[0-9a-f]{16}$/)
    expect(base64.id).toBe(hex.id)
    expect(parseAuditKey(randomBytes(32).toString('hex'), 'x').id).not.toBe(hex.id)
  })

  it('refuses short, empty or malformed keys, naming where the key came from', () => {
    expect(() => parseAuditKey(randomBytes(16).toString('hex'), 'HELPDESK_AUDIT_KEY')).toThrow(
      /HELPDESK_AUDIT_KEY: expected an audit key of at least 32 bytes.*got 16 bytes/,
    )
    expect(() => parseAuditKey('', 'audit key file /k')).toThrow(/audit key file \/k: expected/)
    expect(() => parseAuditKey('correct horse battery staple', 'HELPDESK_AUDIT_KEY')).toThrow(
      /HELPDESK_AUDIT_KEY: expected/,
    )
  })

  it('never shows its secret when logged or serialised', () => {
    const key = new AuditKey(secret)
    const shown = `${JSON.stringify(key)} ${inspect(key)} ${String(Object.values(key))}`
    expect(shown).toContain(key.id)
    expect(shown).not.toContain(secret.toString('hex'))
    expect(shown).not.toContain(secret.toString('base64'))
  })

  it('is created 0600 beside the database on first start, announced without its value, then reused', async () => {
    const directory = temporary()
    const file = path.join(directory, 'helpdesk.sqlite')
    const lines: string[] = []
    const first = openConfiguredAuditLog(config(), file, (line) => lines.push(line))
    await first.append({ actor: 'tom', action: 'approval-grant', detail: {} })
    await first.close()
    const keyFile = path.join(directory, 'audit.key')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const stored = readFileSync(keyFile, 'utf8').trim()
    expect(lines.join('\n')).toMatch(
      /audit key: created .*audit\.key \(mode 0600\); in production keep the key on another volume/,
    )
    expect(lines.join('\n')).not.toContain(stored)
    const second = openConfiguredAuditLog(config(), file, (line) => lines.push(line))
    await second.append({ actor: 'tom', action: 'approval-grant', detail: {} })
    await second.close()
    expect(lines).toHaveLength(1)
    expect(await verifyAuditDatabase(file, auditSettings(config(), file))).toMatchObject({
      ok: true,
      count: 2,
    })
  })

  it('comes from HELPDESK_AUDIT_KEY or HELPDESK_AUDIT_KEY_FILE, and no key file is created then', async () => {
    const directory = temporary()
    const file = path.join(directory, 'helpdesk.sqlite')
    const keyFile = path.join(temporary(), 'secret.key')
    writeFileSync(keyFile, secret.toString('hex'))
    const withValue = config({ HELPDESK_AUDIT_KEY: secret.toString('base64') })
    const log = openConfiguredAuditLog(withValue, file, () => undefined)
    await log.append({ actor: 'tom', action: 'approval-grant', detail: {} })
    await log.close()
    expect(() => statSync(path.join(directory, 'audit.key'))).toThrow(/ENOENT/)
    const withFile = auditSettings(config({ HELPDESK_AUDIT_KEY_FILE: keyFile }), file)
    expect(await verifyAuditDatabase(file, withFile)).toMatchObject({ ok: true, count: 1 })
    expect(findAuditKey(withFile.keyLocation)).toMatchObject({ source: keyFile })
  })

  it('a configured key file that is missing stops the start, naming it', () => {
    const directory = temporary()
    const missing = path.join(directory, 'nowhere.key')
    expect(() =>
      openConfiguredAuditLog(
        config({ HELPDESK_AUDIT_KEY_FILE: missing }),
        path.join(directory, 'helpdesk.sqlite'),
        () => undefined,
      ),
    ).toThrow(new RegExp(`HELPDESK_AUDIT_KEY_FILE ${missing} does not exist`))
    expect(() => statSync(missing)).toThrow(/ENOENT/)
  })

  it('is configured by value or by file, not both', () => {
    expect(() =>
      loadConfig({ HELPDESK_AUDIT_KEY: secret.toString('hex'), HELPDESK_AUDIT_KEY_FILE: '/k' }),
    ).toThrow(
      /HELPDESK_AUDIT_KEY_FILE: set HELPDESK_AUDIT_KEY or HELPDESK_AUDIT_KEY_FILE, not both/,
    )
    expect(loadConfig({ HELPDESK_AUDIT_CHECKPOINT_SYSLOG: 'true' })).toMatchObject({
      HELPDESK_AUDIT_CHECKPOINT_SYSLOG: true,
    })
  })

  it('an in-memory log signs with a key of its own and keeps no checkpoint file', async () => {
    const log = new SqliteAuditLog({ file: ':memory:' })
    await log.append({ actor: 'tom', action: 'approval-grant', detail: {} })
    expect(await log.verify()).toMatchObject({ ok: true, count: 1, checkpointed: 0 })
    await log.close()
  })
})
