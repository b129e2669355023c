/**
 * Builds docker/Dockerfile and runs the image without a container engine: Debian's buildah builds
 * (`buildah bud --isolation chroot`), and `buildah run --isolation chroot` runs the image's command
 * in the host's network namespace, so the server answers on the host's 127.0.0.1. No image registry
 * is reachable here, so the Dockerfile's base (`NODE_IMAGE`) is a local stand-in made from Debian
 * packages by scripts/image/local-base-image.sh. Recipe: shared/design/test-infra.md section 5.
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const LARGE_OUTPUT = 64 * 1024 * 1024

/** Why images cannot be built here, or undefined when buildah, debootstrap and root are there. */
export async function imageToolsMissing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'building images with buildah and debootstrap needs root'
  for (const tool of ['buildah', 'debootstrap']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`])
    } catch {
      return `${tool} is not installed (scripts/install-test-deps.sh installs it: apt-get install buildah debootstrap)`
    }
  }
  return undefined
}

/** The local base image (made once, then cached), its name. */
export async function localBaseImage(): Promise<string> {
  const { stdout } = await run('bash', ['scripts/image/local-base-image.sh'], {
    maxBuffer: LARGE_OUTPUT,
  })
  return stdout.trim().split('\n').at(-1) ?? ''
}

/** Builds docker/Dockerfile on `base` as `tag` (layers cached between runs). */
export async function buildImage(base: string, tag: string): Promise<void> {
  await run(
    'buildah',
    [
      'bud',
      '--isolation',
      'chroot',
      // The docker format keeps HEALTHCHECK (the OCI image format has no field for it).
      '--format',
      'docker',
      '--layers',
      '--build-arg',
      `NODE_IMAGE=${base}`,
      '-f',
      'docker/Dockerfile',
      '-t',
      tag,
      '.',
    ],
    { maxBuffer: LARGE_OUTPUT },
  )
}

export interface ImageConfig {
  User?: string
  Cmd?: string[]
  Env?: string[]
  WorkingDir?: string
  Healthcheck?: { Test?: string[]; StartPeriod?: number }
  ExposedPorts?: Record<string, unknown>
  Volumes?: Record<string, unknown>
}

export async function imageFacts(tag: string): Promise<{ config: ImageConfig; sizeBytes: number }> {
  const { stdout } = await run('buildah', ['inspect', '--type', 'image', tag], {
    maxBuffer: LARGE_OUTPUT,
  })
  const inspected = JSON.parse(stdout) as {
    Docker?: { config?: ImageConfig }
    OCIv1?: { config?: ImageConfig }
  }
  const { stdout: sized } = await run('buildah', ['images', '--format', '{{.Size}}', tag])
  return {
    config: inspected.Docker?.config ?? inspected.OCIv1?.config ?? {},
    sizeBytes: parseSize(sized.trim()) ?? Number.NaN,
  }
}

/** "612 MB" -> bytes (buildah prints decimal units). */
function parseSize(text: string): number | undefined {
  const match = /^([\d.]+)\s*([kMG]?B)$/.exec(text)
  if (!match) return undefined
  const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[match[2] as 'B' | 'kB' | 'MB' | 'GB']
  return Number(match[1]) * unit
}

export interface RunningContainer {
  /** The container's root file system on the host (read-only while it runs). */
  root: string
  process: ChildProcess
  output: () => { stdout: string; stderr: string }
  stop: () => Promise<void>
}

/**
 * Starts `command` in a new container of `tag` with a READ-ONLY root file system (its mount is
 * remounted read-only before the run; buildah's own mount points are made first, as an engine
 * would), a tmpfs on /tmp, and `volumes` (host:container[:ro]).
 */
export async function runContainer(options: {
  tag: string
  environment: Record<string, string>
  volumes: string[]
  command?: string[]
}): Promise<RunningContainer> {
  const { stdout: created } = await run('buildah', ['from', options.tag])
  const container = created.trim()
  const { stdout: mounted } = await run('buildah', ['mount', container])
  const root = mounted.trim()
  // Mount points are made before the root goes read-only, as an engine makes them.
  await run('touch', [`${root}/run/.containerenv`])
  for (const volume of options.volumes) {
    const inside = volume.split(':')[1] ?? ''
    await run('mkdir', ['-p', `${root}${inside}`])
  }
  await run('mount', ['-o', 'remount,bind,ro', root])
  const child = spawn(
    'buildah',
    [
      'run',
      '--isolation',
      'chroot',
      '--network',
      'host',
      ...Object.entries(options.environment).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
      // --mount for every volume: buildah 1.28 drops some `-v` binds when --mount is also given.
      ...options.volumes.flatMap((volume) => {
        const [source, destination, mode] = volume.split(':')
        // buildah's bind mounts are read-only unless told otherwise.
        const access = mode === 'ro' ? 'ro=true' : 'rw=true'
        return ['--mount', `type=bind,source=${source},destination=${destination},${access}`]
      }),
      '--mount',
      'type=tmpfs,destination=/tmp',
      container,
      '--',
      ...(options.command ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  return {
    root,
    process: child,
    output: () => ({ stdout, stderr }),
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(-child.pid, 'SIGTERM')
        const late = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000)
        await exited
        clearTimeout(late)
      }
      await run('mount', ['-o', 'remount,bind,rw', root]).catch(() => {})
      await run('buildah', ['umount', container]).catch(() => {})
      await run('buildah', ['rm', container]).catch(() => {})
    },
  }
}

/** Runs `command` once in a fresh container of `tag` (host network); its exit code. */
export async function runOnce(
  tag: string,
  environment: Record<string, string>,
  command: string[],
): Promise<number> {
  const { stdout: created } = await run('buildah', ['from', tag])
  const container = created.trim()
  try {
    await run('buildah', [
      'run',
      '--isolation',
      'chroot',
      '--network',
      'host',
      ...Object.entries(environment).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
      container,
      '--',
      ...command,
    ])
    return 0
  } catch (error) {
    return typeof (error as { code?: unknown }).code === 'number'
      ? (error as { code: number }).code
      : 1
  } finally {
    await run('buildah', ['rm', container]).catch(() => {})
  }
}
