import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { strToU8, unzipSync, zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildInstructionManagerWorld,
  type ManagerPerson,
  SMARTBOARD,
} from './support/instruction-manager-world.ts'

/**
 * The instruction manager's API (issue 11) over the whole application with in-memory parts: the
 * contract outside checks use (text/markdown in, the parsed runbook or every problem out), roles,
 * versions with diffs, restore, import/export, validation, draft routing, out-of-scope topics,
 * audit, and the next chat turn routing with the changed set.
 */

let world: Awaited<ReturnType<typeof buildInstructionManagerWorld>>

beforeAll(async () => {
  world = await buildInstructionManagerWorld()
})
afterAll(async () => {
  await world?.close()
})

const markdown = (person: ManagerPerson, reason?: string) =>
  world.as(person, {
    'content-type': 'text/markdown',
    ...(reason ? { 'x-change-reason': encodeURIComponent(reason) } : {}),
  })
const send = (
  method: string,
  path: string,
  person: ManagerPerson,
  body?: string,
  reason?: string,
) =>
  world.app.request(path, { method, headers: markdown(person, reason), ...(body ? { body } : {}) })
const json = async <T = Record<string, unknown>>(response: Response) => (await response.json()) as T
const SMARTBOARD_REQUEST = 'the smartboard in room 4.12 says no signal from my laptop'

// A change retrains the router: seconds on a busy machine.
describe('instruction manager API', { timeout: 30_000 }, () => {
  it('the seed: every file of data/instructions is in the store, version 1', async () => {
    const response = await world.app.request('/api/instructions', { headers: world.as('rita') })
    const body = await json<{
      instructions: Array<{ id: string; version: number; executors: string[] }>
    }>(response)
    expect(body.instructions.length).toBe(23)
    expect(body.instructions.every((each) => each.version === 1)).toBe(true)
    expect(body.instructions.find((each) => each.id === 'account_locked')?.executors).toContain(
      'active_directory',
    )
  })

  it('GET one runbook: every action rendered for sample values, as a plan would run it', async () => {
    const response = await world.app.request('/api/instructions/account_locked', {
      headers: world.as('tom'),
    })
    const body = await json<{
      actions: Array<{ id: string }>
      sample: {
        values: Record<string, string>
        steps: Array<{ actionId: string; invocation: { type: string; arguments?: object } }>
      }
    }>(response)
    expect(body.sample.values.username).toBe('jdoe')
    expect(body.sample.steps.map((step) => step.actionId)).toEqual(
      body.actions.map((action) => action.id),
    )
    const unlock = body.sample.steps.find((step) => step.invocation.type === 'operation')
    expect(unlock?.invocation.arguments).toMatchObject({ username: 'jdoe' })
  })

  it('POST: a requester gets 403; a technician 201 with the parsed runbook; the next turn routes to it', async () => {
    expect(await world.chatTasks(SMARTBOARD_REQUEST)).not.toContain('smartboard_not_projecting')
    expect((await send('POST', '/api/instructions', 'rita', SMARTBOARD)).status).toBe(403)
    const created = await send('POST', '/api/instructions', 'tom', SMARTBOARD, 'new meeting rooms')
    expect(created.status).toBe(201)
    const body = await json<{
      id: string
      title: string
      actions: unknown[]
      version: number
      indexed: boolean
    }>(created)
    expect(body).toMatchObject({ id: 'smartboard_not_projecting', version: 1, indexed: true })
    expect(body.actions).toHaveLength(1)
    expect(created.headers.get('etag')).toBe('"1"')
    expect(await world.chatTasks(SMARTBOARD_REQUEST)).toEqual(['smartboard_not_projecting'])
    // Chroma's stand-in holds its chunks.
    const hashes = await world.knowledge.store.listHashes()
    expect([...hashes.keys()].some((id) => id.startsWith('smartboard_not_projecting:'))).toBe(true)
    // A second POST of the same id is a conflict, not an overwrite.
    expect((await send('POST', '/api/instructions', 'tom', SMARTBOARD)).status).toBe(409)
  })

  it('400 lists every problem by field and line, and changes nothing', async () => {
    const bad = SMARTBOARD.replace('category: hardware', 'category: furniture').replace(
      'risk: low\nsummary',
      'risk: extreme\nsummary',
    )
    const response = await send('PUT', '/api/instructions/smartboard_not_projecting', 'tom', bad)
    expect(response.status).toBe(400)
    const body = await json<{
      error: { code: string }
      problems: Array<{ field: string; line: number }>
    }>(response)
    expect(body.error.code).toBe('INVALID_RUNBOOK')
    expect(body.problems.map((each) => [each.field, each.line])).toEqual([
      ['category', 4],
      ['risk', 5],
    ])
    expect((await world.library.versions('smartboard_not_projecting')).length).toBe(1)
    // The id in the path and in the front matter must agree.
    const renamed = await send('PUT', '/api/instructions/wifi_not_working', 'tom', SMARTBOARD)
    expect(renamed.status).toBe(400)
    expect((await json<{ problems: Array<{ field: string }> }>(renamed)).problems[0]?.field).toBe(
      'id',
    )
    // Not Markdown: refused.
    const wrongType = await world.app.request('/api/instructions', {
      method: 'POST',
      headers: world.as('tom', { 'content-type': 'application/json' }),
      body: JSON.stringify({ text: SMARTBOARD }),
    })
    expect(wrongType.status).toBe(400)
  })

  it('PUT records a version with who, when, why and a diff; If-Match guards against a stale edit', async () => {
    const changed = SMARTBOARD.replace(
      '  - smartboard no signal',
      '  - smartboard no signal\n  - smartboard hdmi',
    )
    const response = await send(
      'PUT',
      '/api/instructions/smartboard_not_projecting',
      'tina',
      changed,
      'HDMI wording',
    )
    expect(response.status).toBe(200)
    expect(await json(response)).toMatchObject({
      version: 2,
      changedBy: 'tina',
      reason: 'HDMI wording',
    })
    const stale = await world.app.request('/api/instructions/smartboard_not_projecting', {
      method: 'PUT',
      headers: { ...markdown('tom'), 'if-match': '"1"' },
      body: SMARTBOARD,
    })
    expect(stale.status).toBe(409)
    const history = await json<{
      versions: Array<{
        version: number
        author: string
        reason: string
        diff: string
        added: number
      }>
    }>(
      await world.app.request('/api/instructions/smartboard_not_projecting/versions', {
        headers: world.as('tom'),
      }),
    )
    expect(history.versions.map((each) => [each.version, each.author, each.reason])).toEqual([
      [2, 'tina', 'HDMI wording'],
      [1, 'tom', 'new meeting rooms'],
    ])
    expect(history.versions[0]?.diff).toContain('+  - smartboard hdmi')
    expect(history.versions[0]?.added).toBe(1)
    expect(
      (
        await world.app.request('/api/instructions/smartboard_not_projecting/versions', {
          headers: world.as('rita'),
        })
      ).status,
    ).toBe(403)
  })

  it('DELETE: admins only; the old versions stay readable; the next turn no longer routes there; restore brings it back', async () => {
    expect(
      (await send('DELETE', '/api/instructions/smartboard_not_projecting', 'tom')).status,
    ).toBe(403)
    const deleted = await send(
      'DELETE',
      '/api/instructions/smartboard_not_projecting',
      'ada',
      undefined,
      'room closed',
    )
    expect(deleted.status).toBe(200)
    expect(
      (
        await world.app.request('/api/instructions/smartboard_not_projecting', {
          headers: world.as('tom'),
        })
      ).status,
    ).toBe(404)
    expect(await world.chatTasks(SMARTBOARD_REQUEST)).not.toContain('smartboard_not_projecting')
    const hashes = await world.knowledge.store.listHashes()
    expect([...hashes.keys()].some((id) => id.startsWith('smartboard_not_projecting:'))).toBe(false)
    const history = await json<{
      versions: Array<{ version: number; change: string; markdown: string }>
    }>(
      await world.app.request('/api/instructions/smartboard_not_projecting/versions', {
        headers: world.as('tom'),
      }),
    )
    expect(history.versions.map((each) => each.change)).toEqual(['deleted', 'updated', 'created'])
    expect(history.versions[2]?.markdown).toBe(SMARTBOARD)
    const listed = await world.app.request('/api/deleted-instructions', {
      headers: world.as('tom'),
    })
    expect(listed.status).toBe(200)
    expect(await json(listed)).toEqual({
      deleted: [
        {
          id: 'smartboard_not_projecting',
          title: expect.any(String),
          deletedAt: expect.any(String),
          deletedBy: 'ada',
          reason: 'room closed',
          version: 3,
          lastVersion: 2,
        },
      ],
    })
    expect(
      (await world.app.request('/api/deleted-instructions', { headers: world.as('rita') })).status,
    ).toBe(403)

    expect(
      (await send('POST', '/api/instructions/smartboard_not_projecting/versions/1/restore', 'tom'))
        .status,
    ).toBe(403)
    const restored = await send(
      'POST',
      '/api/instructions/smartboard_not_projecting/versions/1/restore',
      'ada',
    )
    expect(restored.status).toBe(200)
    expect(await json(restored)).toMatchObject({ version: 4, reason: 'restored version 1' })
    expect(await world.chatTasks(SMARTBOARD_REQUEST)).toEqual(['smartboard_not_projecting'])
    expect(
      await json(
        await world.app.request('/api/deleted-instructions', { headers: world.as('tom') }),
      ),
    ).toEqual({ deleted: [] })
    expect(
      (await send('POST', '/api/instructions/smartboard_not_projecting/versions/3/restore', 'ada'))
        .status,
    ).toBe(404)
  })

  it('every change is audited with who, what, version and why', async () => {
    const records = await world.audit.list({ limit: 50 })
    const mine = records
      .filter(
        (record) =>
          record.action.startsWith('runbook-') && record.target === 'smartboard_not_projecting',
      )
      .map((record) => [record.action, record.actor, record.detail.version])
    expect(mine).toEqual(
      expect.arrayContaining([
        ['runbook-created', 'tom', 1],
        ['runbook-updated', 'tina', 2],
        ['runbook-deleted', 'ada', 3],
        ['runbook-restored', 'ada', 4],
      ]),
    )
  })

  it('validate answers problems by field and line as one types; requesters may not', async () => {
    const response = await send(
      'POST',
      '/api/instructions/validate',
      'tom',
      SMARTBOARD.replace('risk: low\nsummary', 'risk: nope\nsummary'),
    )
    expect(await json(response)).toMatchObject({
      valid: false,
      problems: [{ field: 'risk', line: 5 }],
    })
    expect(
      await json(await send('POST', '/api/instructions/validate', 'tom', SMARTBOARD)),
    ).toMatchObject({ valid: true })
    expect((await send('POST', '/api/instructions/validate', 'rita', SMARTBOARD)).status).toBe(403)
  })

  it('route: the ranked decision against the draft set, before anything is saved', async () => {
    const draft = SMARTBOARD.replaceAll('smartboard_not_projecting', 'beamer_flicker').replaceAll(
      'smartboard',
      'beamer',
    )
    const ask = (body: unknown, person: ManagerPerson = 'tom') =>
      world.app.request('/api/instructions/route', {
        method: 'POST',
        headers: world.as(person, { 'content-type': 'application/json' }),
        body: JSON.stringify(body),
      })
    const now = await json<{ decision: { tasks: string[] }; usedDraft: boolean }>(
      await ask({ message: 'the beamer in room 4.12 shows no signal' }),
    )
    expect(now.usedDraft).toBe(false)
    expect(now.decision.tasks).not.toContain('beamer_flicker')
    const after = await json<{
      decision: { tasks: string[]; ranked: Array<{ taskType: string; title?: string }> }
      usedDraft: boolean
    }>(await ask({ message: 'the beamer in room 4.12 shows no signal', draft }))
    expect(after.usedDraft).toBe(true)
    expect(after.decision.tasks).toEqual(['beamer_flicker'])
    expect(after.decision.ranked[0]?.title).toMatch(/beamer/i)
    // Nothing was saved.
    expect(world.knowledge.instructions.has('beamer_flicker')).toBe(false)
    expect((await ask({ message: 'x' }, 'rita')).status).toBe(403)
  })

  it('import: all-or-nothing with a report per file; export: a zip of the same Markdown', async () => {
    const changed = SMARTBOARD.replace('Meeting-room smartboard', 'Meeting room smartboard')
    const wifi = world.library.current('wifi_not_working')?.text ?? ''
    const beamer = SMARTBOARD.replaceAll('smartboard_not_projecting', 'beamer_flicker')
    const upload = (files: Record<string, string>, person: ManagerPerson = 'tom') => {
      const form = new FormData()
      for (const [name, text] of Object.entries(files)) form.append('files', new File([text], name))
      return world.app.request('/api/instructions/import', {
        method: 'POST',
        headers: world.as(person),
        body: form,
      })
    }
    const refused = await upload({
      'smartboard_not_projecting.md': changed,
      'beamer.md': beamer,
      'broken.md': 'no front matter',
      'notes.txt': 'x',
    })
    expect(refused.status).toBe(400)
    const report = await json<{
      applied: boolean
      files: Array<{ file: string; status: string; reason?: string }>
    }>(refused)
    expect(report.applied).toBe(false)
    expect(report.files.map((each) => [each.file, each.status])).toEqual([
      ['smartboard_not_projecting.md', 'updated'],
      ['beamer.md', 'invalid'],
      ['broken.md', 'invalid'],
      ['notes.txt', 'invalid'],
    ])
    expect(report.files[1]?.reason).toMatch(/id/)
    expect(world.knowledge.instructions.get('smartboard_not_projecting')?.title).toMatch(
      /^Meeting-room/,
    )

    const zip = zipSync({
      'runbooks/smartboard_not_projecting.md': strToU8(changed),
      'runbooks/wifi_not_working.md': strToU8(wifi),
    })
    const form = new FormData()
    form.append('file', new File([zip], 'runbooks.zip'))
    const accepted = await world.app.request('/api/instructions/import', {
      method: 'POST',
      headers: world.as('tom'),
      body: form,
    })
    expect(accepted.status).toBe(200)
    expect(await json(accepted)).toMatchObject({
      applied: true,
      counts: { updated: 1, unchanged: 1, added: 0, invalid: 0 },
    })
    expect(world.knowledge.instructions.get('smartboard_not_projecting')?.title).toMatch(
      /^Meeting room/,
    )
    expect((await upload({ 'x.md': SMARTBOARD }, 'rita')).status).toBe(403)

    const exported = await world.app.request('/api/instructions/export', {
      headers: world.as('tom'),
    })
    expect(exported.headers.get('content-type')).toBe('application/zip')
    const files = unzipSync(new Uint8Array(await exported.arrayBuffer()))
    expect(Object.keys(files)).toHaveLength(24)
    expect(new TextDecoder().decode(files['smartboard_not_projecting.md'])).toBe(changed)
    expect(
      (await world.app.request('/api/instructions/export', { headers: world.as('rita') })).status,
    ).toBe(403)
  })

  it('out-of-scope topics: read, replace with validation, re-trained', async () => {
    const current = await json<{ text: string; version: number }>(
      await world.app.request('/api/out-of-scope', { headers: world.as('tom') }),
    )
    expect(current.version).toBe(1)
    const put = (text: string, person: ManagerPerson = 'tom') =>
      world.app.request('/api/out-of-scope', {
        method: 'PUT',
        headers: world.as(person, { 'content-type': 'text/yaml' }),
        body: text,
      })
    const invalid = await put('topics:\n  - topic: Bad Name\n    handoff: ""\n    examples: []\n')
    expect(invalid.status).toBe(400)
    expect(
      (await json<{ problems: Array<{ field: string }> }>(invalid)).problems.map(
        (each) => each.field,
      ),
    ).toEqual(expect.arrayContaining(['topics.0.topic', 'topics.0.examples']))
    const extra = `${current.text.trimEnd()}\n  - topic: parking\n    handoff: Parking permits are handled by facilities at parking@example.com.\n    examples:\n      - I need a parking permit for the garage\n      - my car park pass expired\n      - can I get a parking space for my visitor\n`
    const replaced = await put(extra)
    expect(replaced.status, await replaced.clone().text()).toBe(200)
    expect(world.knowledge.handoffs.get('parking')).toMatch(/facilities/)
    expect((await put(extra, 'rita')).status).toBe(403)

    // Rolled back by an admin: version 1's text again as a new version; the topic is gone.
    const restore = (person: ManagerPerson, version: string) =>
      world.app.request(`/api/out-of-scope/versions/${version}/restore`, {
        method: 'POST',
        headers: world.as(person),
      })
    expect((await restore('tom', '1')).status).toBe(403)
    expect((await restore('ada', '0')).status).toBe(400)
    expect((await restore('ada', '99')).status).toBe(404)
    const restored = await restore('ada', '1')
    expect(restored.status, await restored.clone().text()).toBe(200)
    expect((await json<{ version: number }>(restored)).version).toBe(3)
    expect(world.knowledge.handoffs.get('parking')).toBeUndefined()
    const versions = await json<{
      versions: Array<{ version: number; change: string; reason: string }>
    }>(await world.app.request('/api/out-of-scope/versions', { headers: world.as('tom') }))
    expect(versions.versions[0]).toMatchObject({
      version: 3,
      change: 'restored',
      reason: 'restored version 1',
    })
    expect(
      (
        await json<{ text: string }>(
          await world.app.request('/api/out-of-scope', { headers: world.as('tom') }),
        )
      ).text,
    ).toBe(current.text)
  })

  it('a second server on the same store picks up a change (several replicas)', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'runbook-replicas-'))
    const file = path.join(directory, 'helpdesk.sqlite')
    const first = await buildInstructionManagerWorld({ file })
    const second = await buildInstructionManagerWorld({ file })
    try {
      expect(await second.library.refreshIfChanged()).toBe(false)
      await first.library.create(SMARTBOARD, { username: 'tom', reason: 'on replica one' })
      expect(second.knowledge.instructions.has('smartboard_not_projecting')).toBe(false)
      expect(await second.library.refreshIfChanged()).toBe(true)
      expect(second.knowledge.instructions.has('smartboard_not_projecting')).toBe(true)
      expect(await second.chatTasks(SMARTBOARD_REQUEST)).toEqual(['smartboard_not_projecting'])
      // The seed ran once: the second start found the store written.
      expect((await second.library.versions('account_locked')).length).toBe(1)
    } finally {
      await first.close()
      await second.close()
      rmSync(directory, { recursive: true, force: true })
    }
  }, 60_000)
})
