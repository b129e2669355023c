/**
 * A child process for the two-process audit test: opens the PostgreSQL audit chain named by its
 * environment and appends COUNT records as fast as it can, then prints `done`. One of two (or
 * more) writers racing on the same chain from separate processes and pools.
 * @module
 */
import { openPostgresDatabase } from '../../store/postgres/postgres-database.ts'
import { parseAuditKey } from '../audit-key.ts'
import { PostgresAuditLog } from '../postgres-audit-log.ts'

const {
  AUDIT_TEST_URL,
  AUDIT_TEST_SCHEMA,
  AUDIT_TEST_KEY,
  AUDIT_TEST_COUNT,
  AUDIT_TEST_WRITER,
  AUDIT_TEST_CHECKPOINTS,
} = process.env
const database = await openPostgresDatabase({
  url: AUDIT_TEST_URL ?? '',
  schema: AUDIT_TEST_SCHEMA ?? '',
})
const log = await PostgresAuditLog.open({
  database,
  key: parseAuditKey(AUDIT_TEST_KEY ?? '', 'AUDIT_TEST_KEY'),
  ...(AUDIT_TEST_CHECKPOINTS ? { checkpointFile: AUDIT_TEST_CHECKPOINTS } : {}),
  ownsDatabase: true,
})
const count = Number(AUDIT_TEST_COUNT)
// Ten appends in flight at a time inside this process too: the lock must hold within and across.
for (let start = 0; start < count; start += 10)
  await Promise.all(
    Array.from({ length: Math.min(10, count - start) }, (_, index) =>
      log.append({
        actor: `writer-${AUDIT_TEST_WRITER}`,
        action: 'step-execute',
        target: `host-${start + index}`,
        detail: { writer: AUDIT_TEST_WRITER ?? '', index: start + index },
      }),
    ),
  )
await log.close()
console.log('done')
