import { chmodSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { openProjectDatabase } from './open-project-database.ts'

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8)

describe('openProjectDatabase', () => {
  it('creates the database and its -wal and -shm files readable by the owner only', () => {
    const previous = process.umask(0)
    try {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'nested', 'h.sqlite')
      const database = openProjectDatabase(file)
      database.exec('CREATE TABLE t (a); INSERT INTO t VALUES (1)')
      expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual(['600', '600', '600'])
      database.close()
    } finally {
      process.umask(previous)
    }
  })

  it('narrows a database file an older version left readable by others (0644) to 0600', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'h.sqlite')
    const old = new DatabaseSync(file)
    old.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (a); INSERT INTO t VALUES (1)')
    for (const name of [file, `${file}-wal`, `${file}-shm`]) chmodSync(name, 0o644)
    const database = openProjectDatabase(file)
    expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual(['600', '600', '600'])
    expect(database.prepare('SELECT a FROM t').get()).toEqual({ a: 1 })
    database.close()
    old.close()
  })
})
