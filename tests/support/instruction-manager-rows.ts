/**
 * The authorization matrix's rows for the instruction manager (issue 11): technicians read the
 * history, validate, try the router, create, edit and import; admins also delete and restore;
 * requesters get 403 on all of these (they keep reading the list and one runbook). A refused
 * change changes nothing; an allowed one leaves the world as it found it.
 * @module
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { Row } from './authorization-rows.ts'
import type { AuthorizationWorld } from './authorization-world.ts'

const SMARTBOARD = readFileSync('tests/fixtures/runbooks/smartboard_not_projecting.md', 'utf8')
const STAFF = { requester: [403], technician: [200], admin: [200] } as const
const ADMIN = { requester: [403], technician: [403], admin: [200] } as const
const NONE = ['no object'] as const
const MARKDOWN = 'text/markdown'

let counter = 0
/** A runbook of its own for each cell that writes one. */
function freshRunbook(): { id: string; text: string } {
  counter += 1
  const id = `matrix_runbook_${counter}`
  return { id, text: SMARTBOARD.replaceAll('smartboard_not_projecting', id) }
}

export function instructionManagerRows(current: () => AuthorizationWorld): Row[] {
  const library = () => current().library
  const system = { username: 'matrix', reason: 'authorization matrix set-up' }
  const unchanged = (id: string, version: number | undefined) => () => {
    expect(library().current(id)?.version).toBe(version)
  }
  return [
    {
      route: 'GET /api/instructions/export',
      whose: NONE,
      expected: STAFF,
      call: async () => ({ method: 'GET', path: '/api/instructions/export' }),
    },
    {
      route: 'GET /api/deleted-instructions',
      whose: NONE,
      expected: STAFF,
      call: async () => ({ method: 'GET', path: '/api/deleted-instructions' }),
    },
    {
      route: 'GET /api/instructions/:id/versions',
      whose: NONE,
      expected: STAFF,
      call: async () => ({ method: 'GET', path: '/api/instructions/account_locked/versions' }),
    },
    {
      route: 'POST /api/instructions/validate',
      whose: NONE,
      expected: STAFF,
      call: async () => ({
        method: 'POST',
        path: '/api/instructions/validate',
        raw: { contentType: MARKDOWN, body: SMARTBOARD },
      }),
    },
    {
      route: 'POST /api/instructions/route',
      whose: NONE,
      expected: STAFF,
      call: async () => ({
        method: 'POST',
        path: '/api/instructions/route',
        body: { message: 'the smartboard shows no signal', draft: SMARTBOARD },
      }),
    },
    {
      route: 'POST /api/instructions',
      whose: NONE,
      expected: { requester: [403], technician: [201], admin: [201] },
      call: async () => {
        const runbook = freshRunbook()
        return {
          method: 'POST',
          path: '/api/instructions',
          raw: { contentType: MARKDOWN, body: runbook.text },
          check: async ({ status }) => {
            expect(library().current(runbook.id) !== undefined).toBe(status === 201)
            if (status === 201) await library().delete(runbook.id, system)
          },
        }
      },
    },
    {
      route: 'PUT /api/instructions/:id',
      whose: NONE,
      expected: STAFF,
      call: async () => {
        const before = library().current('account_locked')
        return {
          method: 'PUT',
          path: '/api/instructions/account_locked',
          // The same text: allowed callers get 200 and nothing needs undoing.
          raw: { contentType: MARKDOWN, body: before?.text ?? '' },
          check: unchanged('account_locked', before?.version),
        }
      },
    },
    {
      route: 'DELETE /api/instructions/:id',
      whose: NONE,
      expected: ADMIN,
      call: async (_owner, caller) => {
        if (caller !== 'ada') {
          const before = library().current('account_locked')?.version
          return {
            method: 'DELETE',
            path: '/api/instructions/account_locked',
            check: unchanged('account_locked', before),
          }
        }
        const runbook = freshRunbook()
        await library().create(runbook.text, system)
        return {
          method: 'DELETE',
          path: `/api/instructions/${runbook.id}`,
          check: unchanged(runbook.id, undefined),
        }
      },
    },
    {
      route: 'POST /api/instructions/:id/versions/:version/restore',
      whose: NONE,
      expected: ADMIN,
      call: async (_owner, caller) => {
        if (caller !== 'ada') {
          const before = library().current('account_locked')?.version
          return {
            method: 'POST',
            path: '/api/instructions/account_locked/versions/1/restore',
            check: unchanged('account_locked', before),
          }
        }
        const runbook = freshRunbook()
        await library().create(runbook.text, system)
        await library().delete(runbook.id, system)
        return {
          method: 'POST',
          path: `/api/instructions/${runbook.id}/versions/1/restore`,
          check: async () => {
            expect(library().current(runbook.id)?.version).toBe(3)
            await library().delete(runbook.id, system)
          },
        }
      },
    },
    {
      route: 'POST /api/instructions/import',
      whose: NONE,
      expected: STAFF,
      call: async () => {
        const before = library().current('wifi_not_working')
        const form = new FormData()
        form.append('files', new File([before?.text ?? ''], 'wifi_not_working.md'))
        return {
          method: 'POST',
          path: '/api/instructions/import',
          raw: { body: form },
          check: ({ status, body }) => {
            if (status === 200) expect(body).toMatchObject({ counts: { unchanged: 1 } })
            unchanged('wifi_not_working', before?.version)()
          },
        }
      },
    },
    {
      route: 'GET /api/out-of-scope',
      whose: NONE,
      expected: STAFF,
      call: async () => ({ method: 'GET', path: '/api/out-of-scope' }),
    },
    {
      route: 'PUT /api/out-of-scope',
      whose: NONE,
      expected: STAFF,
      call: async () => {
        const before = library().outOfScope
        return {
          method: 'PUT',
          path: '/api/out-of-scope',
          raw: { contentType: 'text/yaml', body: before?.text ?? '' },
          check: ({ status }) => {
            const after = library().outOfScope
            expect(after?.version).toBe((before?.version ?? 0) + (status === 200 ? 1 : 0))
            expect(after?.text).toBe(before?.text)
          },
        }
      },
    },
    {
      route: 'GET /api/out-of-scope/versions',
      whose: NONE,
      expected: STAFF,
      call: async () => ({ method: 'GET', path: '/api/out-of-scope/versions' }),
    },
    {
      route: 'POST /api/out-of-scope/versions/:version/restore',
      whose: NONE,
      expected: ADMIN,
      call: async () => {
        const before = library().outOfScope
        return {
          method: 'POST',
          path: '/api/out-of-scope/versions/1/restore',
          // An admin's restore is a new version with version 1's text; anyone else's, nothing.
          check: ({ status }) => {
            const after = library().outOfScope
            expect(after?.version).toBe((before?.version ?? 0) + (status === 200 ? 1 : 0))
            expect(after?.text).toBe(before?.text)
          },
        }
      },
    },
  ]
}
