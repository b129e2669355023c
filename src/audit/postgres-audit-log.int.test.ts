import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../store/postgres/testing/postgres-test-database.ts'
import { AuditKey } from './audit-key.ts'
import { runAuditLogContract } from './audit-log-contract.case.test.ts'
import { PostgresAuditLog } from './postgres-audit-log.ts'

let server: PostgresTestServer
beforeAll(async () => {
  server = await startPostgresTestServer()
})
afterAll(async () => {
  await server?.dropAll()
})

let counter = 0
runAuditLogContract({
  name: 'postgres',
  create: async () => {
    counter += 1
    const database = await server.fresh(`audit_${counter}`)
    const key = AuditKey.generate()
    const checkpointFile = path.join(
      mkdtempSync(path.join(tmpdir(), 'audit-pg-')),
      'checkpoints.jsonl',
    )
    const open = () => PostgresAuditLog.open({ database, key, checkpointFile })
    return {
      log: await open(),
      reopen: async () =>
        PostgresAuditLog.open({
          database: await server.again(database.schema),
          key,
          checkpointFile,
        }),
      // The contract's statements are SQLite's: PostgreSQL names a trigger's table when dropping it.
      tamper: async (statements) => {
        const translated = statements.replace(
          /DROP TRIGGER (audit_(records|head)_\w+)/g,
          (_whole, trigger: string, table: string) => `DROP TRIGGER ${trigger} ON audit_${table}`,
        )
        await server.query(database.schema, translated)
      },
    }
  },
})
