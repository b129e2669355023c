import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountMap } from './account-map.ts'

let directory: string
beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'account-map-'))
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

async function fileWith(text: string): Promise<string> {
  const file = path.join(directory, `${Math.random().toString(36).slice(2)}.yaml`)
  await writeFile(file, text)
  return file
}

describe('AccountMap', () => {
  it('maps a user to their own account per system, the same name by default, without case', async () => {
    const map = await AccountMap.load(
      await fileWith(
        'users:\n  Alice:\n    active_directory: alice.smith\ngroups:\n  finance: [alice]\n',
      ),
    )
    expect(map.accountOf('ALICE', 'active_directory')).toBe('alice.smith')
    expect(map.accountOf('alice', 'aws_iam')).toBe('alice')
    expect(map.accountOf('bob', 'active_directory')).toBe('bob')
    expect(map.groupsOf('Alice')).toEqual(['finance'])
  })

  it('refuses an account no system allows, naming the file and the field', async () => {
    const file = await fileWith(
      'users:\n  alice:\n    active_directory: a-name-far-longer-than-twenty\n',
    )
    await expect(AccountMap.load(file)).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringContaining(`${file}: users.alice.active_directory: a sAMAccountName`),
    })
  })

  it('refuses unknown keys and repeated keys', async () => {
    await expect(AccountMap.load(await fileWith('people: {}\n'))).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
    })
    await expect(
      AccountMap.load(await fileWith('users:\n  alice: {}\n  alice: {}\n')),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' })
  })
})
