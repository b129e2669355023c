import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostgresDatabase } from '../../store/postgres/postgres-database.ts'
import {
  type PostgresTestServer,
  startPostgresTestServer,
} from '../../store/postgres/testing/postgres-test-database.ts'
import { PostgresSharedIndex } from './postgres-shared-index.ts'

/**
 * The shared collection's lock and mark on the loopback PostgreSQL, two pools standing for two
 * replicas: one waits while the other holds the lock, the mark written by one is read by the
 * other, a failed run leaves the mark alone and lets the lock go, and a connection that dies
 * holding the lock lets it go too.
 */
let server: PostgresTestServer
let one: PostgresDatabase
let other: PostgresDatabase

beforeAll(async () => {
  server = await startPostgresTestServer()
  one = await server.fresh('shared_index')
  other = await server.again(one.schema)
}, 60_000)

afterAll(async () => {
  await server?.dropAll()
})

const index = (database: PostgresDatabase, collection: string, lines: string[] = []) =>
  new PostgresSharedIndex({
    database,
    collection,
    holder: database === one ? 'one' : 'other',
    log: (line) => lines.push(line),
  })

describe('PostgresSharedIndex', () => {
  it('one replica waits while the other holds the lock, then reads its mark', async () => {
    const order: string[] = []
    const waited: string[] = []
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const first = index(one, 'kb').exclusive(async (mark) => {
      order.push(`first saw ${mark?.revision ?? 'none'}`)
      await held
      order.push('first done')
      return { result: 1, mark: { revision: 5, fingerprint: 'f', chunks: 40 } }
    })
    await sleep(100)
    const second = index(other, 'kb', waited).exclusive(async (mark) => {
      order.push(`second saw ${mark?.revision ?? 'none'}`)
      return { result: 2 }
    })
    await sleep(300)
    expect(order).toEqual(['first saw none'])
    expect(waited).toEqual(['vector index: another replica is indexing kb; waiting for it'])
    release()
    expect(await Promise.all([first, second])).toEqual([1, 2])
    expect(order).toEqual(['first saw none', 'first done', 'second saw 5'])
    const rows = await server.query<{ indexed_by: string; chunks: number }>(
      one.schema,
      'SELECT indexed_by, chunks FROM vector_index_marks WHERE collection = $1',
      ['kb'],
    )
    expect(rows).toEqual([{ indexed_by: 'one', chunks: 40 }])
  })

  it('another collection has a lock of its own', async () => {
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const first = index(one, 'kb-a').exclusive(async () => {
      await held
      return { result: 'a' }
    })
    await sleep(100)
    expect(await index(other, 'kb-b').exclusive(async () => ({ result: 'b' }))).toBe('b')
    release()
    expect(await first).toBe('a')
  })

  it('a failed run leaves the mark as it was and lets the lock go', async () => {
    await index(one, 'kb-fail').exclusive(async () => ({
      result: undefined,
      mark: { revision: 1, fingerprint: 'f', chunks: 3 },
    }))
    await expect(
      index(one, 'kb-fail').exclusive(async () => {
        throw new Error('Chroma went away')
      }),
    ).rejects.toThrow('Chroma went away')
    const seen = await index(other, 'kb-fail').exclusive(async (mark) => ({ result: mark }))
    expect(seen).toEqual({ revision: 1, fingerprint: 'f', chunks: 3 })
  })

  it('a replica whose connection dies while holding the lock lets it go', async () => {
    const dying = await server.again(one.schema)
    const lines: string[] = []
    let started = () => {}
    const inside = new Promise<void>((resolve) => {
      started = resolve
    })
    let finish = () => {}
    const abandoned = index(dying, 'kb-dies', lines).exclusive(async () => {
      started()
      await new Promise<void>((resolve) => {
        finish = resolve
      })
      return { result: 0, mark: { revision: 99, fingerprint: 'f', chunks: 1 } }
    })
    await inside
    // The connection holding the lock is ended from the server's side, as a killed process's is.
    await server.query(
      one.schema,
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND granted
         AND objid = hashtext('helpdesk.vector-index:kb-dies')::oid`,
    )
    const result = await Promise.race([
      index(other, 'kb-dies').exclusive(async (mark) => ({ result: mark ?? 'taken' })),
      sleep(5000).then(() => 'still locked'),
    ])
    expect(result).toBe('taken')
    // The cut-off run cannot write its mark; the process lives on to say so.
    finish()
    await expect(abandoned).rejects.toThrow()
    expect(lines.join('\n')).toContain('the connection holding the lock was lost')
    await dying.close()
  })
})
