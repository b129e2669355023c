import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { EmbeddedChromaServer } from '../src/knowledge/chroma/embedded-chroma-server.ts'
import { RUNTIME_CACHE_DIRECTORY, temporaryDirectory } from './support/temporary-directory.ts'

const directory = await temporaryDirectory('helpdesk-leftover')
afterAll(() => directory.remove())

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it('stops a Chroma orphaned by a killed parent (frozen, so it could not stop itself) before serving the same directory again', async () => {
  const dataDirectory = path.join(directory.path, 'chroma')
  const parent = spawn(
    process.execPath,
    ['tests/support/start-chroma-child.ts', dataDirectory, RUNTIME_CACHE_DIRECTORY],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const started = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    parent.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())))
    parent.once('exit', (code) => reject(new Error(`the parent exited early (${code})`)))
  })
  // Frozen, its parent watch cannot stop it when the parent dies (nor can one of an older
  // version, which had none): the next start must.
  process.kill(started.pid, 'SIGSTOP')
  parent.kill('SIGKILL')
  await new Promise((resolve) => parent.once('exit', resolve))
  await new Promise((resolve) => setTimeout(resolve, 1000))
  expect(alive(started.pid)).toBe(true)

  const server = new EmbeddedChromaServer({
    dataDirectory,
    runtimeCacheDirectory: RUNTIME_CACHE_DIRECTORY,
  })
  try {
    const address = await server.start()
    expect(alive(started.pid)).toBe(false)
    expect((await fetch(`${address.url}/api/v2/heartbeat`)).ok).toBe(true)
  } finally {
    await server.stop()
  }
})
