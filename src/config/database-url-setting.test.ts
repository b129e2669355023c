import { describe, expect, it } from 'vitest'
import { loadConfig } from './load-config.ts'

describe('DATABASE_URL', () => {
  it('is unset by default: the embedded SQLite file', () => {
    expect(loadConfig({}).DATABASE_URL).toBeUndefined()
    expect(loadConfig({ DATABASE_URL: '  ' }).DATABASE_URL).toBeUndefined()
  })

  it('takes a postgres:// or postgresql:// URL whole', () => {
    const url = 'postgresql://helpdesk@db.example:5432/helpdesk'
    expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url)
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db' }).DATABASE_URL).toBe('postgres://h/db')
  })

  it('refuses anything else, naming the variable and never repeating the value', () => {
    for (const value of ['mysql://root:S3cretPass@db/x', 'S3cretPass', 'postgresql:S3cretPass']) {
      let message = ''
      try {
        loadConfig({ DATABASE_URL: value })
      } catch (error) {
        message = `${(error as Error).message} ${JSON.stringify(error)}`
      }
      expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/)
      expect(message).not.toContain('S3cretPass')
    }
  })
})
