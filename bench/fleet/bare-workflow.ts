// The job benchmark's bare ssh2 script: the workflow's scripts over plain ssh2, one connection
// per machine, no store, no audit, no events (what our engine is measured against).
import { readFile } from 'node:fs/promises'
import { Client, type SFTPWrapper } from 'ssh2'
import { perNamePath } from '../../src/jobs/testing/per-name-uploader.ts'
import type { Workflow } from '../../src/operations/workflow.ts'
import { quoteBash } from '../../src/rendering/quoting.ts'
import type { SshEndpoint } from './sshd.ts'

/**
 * The workflow's scripts over plain ssh2: one connection per machine, phases in order; a copy's
 * file (`localFile`) goes up by SFTP after the backup, to the temporary name the engine uses,
 * and its SHA-256 is checked there before the change moves it into place.
 */
export function bareWorkflow(
  endpoint: SshEndpoint,
  workflow: Workflow,
  concurrency: number,
  localFile: string,
) {
  const pinned = Buffer.from(endpoint.hostKey.split(' ')[1] ?? '', 'base64')
  let privateKey = ''
  const exec = (client: Client, command: string, script: string) =>
    new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      client.exec(command, (error, channel) => {
        if (error) return reject(error)
        let code: number | null = null
        let stdout = ''
        channel.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8')
        })
        channel.stderr.on('data', () => undefined)
        channel.on('exit', (exitCode: number | null) => {
          code = exitCode
        })
        channel.on('close', () => resolve({ code, stdout }))
        channel.end(script)
      })
    })
  const run = async (client: Client, name: string, script: string) =>
    (await exec(client, `bash -s -- ${name}`, script)).code
  const upload = async (client: Client, remotePath: string, sha256: string) => {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((error, channel) => (error ? reject(error) : resolve(channel))),
    )
    try {
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(localFile, remotePath, { mode: 0o644 }, (error) =>
          error ? reject(error) : resolve(),
        ),
      )
    } finally {
      sftp.end()
    }
    const sum = await exec(client, `sha256sum -- ${quoteBash(remotePath)}`, '')
    return sum.code === 0 && sum.stdout.startsWith(sha256)
  }
  const machine = async (name: string): Promise<string | undefined> => {
    const client = new Client()
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve())
      client.once('error', reject)
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.user,
        privateKey,
        hostVerifier: (key: Buffer) => key.equals(pinned),
      })
      client.setNoDelay(true)
    })
    try {
      for (const step of workflow.steps) {
        const condition = step.condition?.scripts.linux
        if (condition !== undefined && (await run(client, name, condition)) !== 0) continue
        for (const script of [
          step.backup?.linux,
          'transfer',
          step.scripts.linux,
          step.verify?.linux,
        ]) {
          if (script === 'transfer') {
            if (!step.transfer) continue
            const remotePath = perNamePath(`${step.transfer.destination}.helpdesk-upload`, name)
            if (!(await upload(client, remotePath, step.transfer.sha256)))
              return `${name}: ${step.id} upload did not arrive whole`
            continue
          }
          if (script === undefined) continue
          const code = await run(client, name, script)
          if (code !== 0) return `${name}: ${step.id} exited ${code}`
        }
      }
      return undefined
    } finally {
      client.end()
    }
  }
  return async (names: readonly string[]) => {
    privateKey ||= await readFile(endpoint.keyFile, 'utf8')
    const began = performance.now()
    const failures: string[] = []
    let next = 0
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++] ?? ''
        const failure = await machine(name).catch((error: Error) => `${name}: ${error.message}`)
        if (failure) failures.push(failure)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker))
    return { ms: performance.now() - began, failures }
  }
}
