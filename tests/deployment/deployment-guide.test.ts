// The README's deployment guide followed step by step as far as these machines allow: its
// `bash deployment-guide` blocks (image, compose, Kubernetes) are read from the README and run in a
// scratch copy of docker/ and k8s/. No container engine and no cluster run here, so each command is
// run as written, run offline (`kubectl create secret` with --dry-run=client, `kubectl kustomize`
// without the pager), or not run; the README must name exactly the commands not run. Then what the
// steps made is checked the way the server and Kubernetes would read it.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { parseAuditKey } from '../../src/audit/audit-key.ts'
import { ACCESS_TOKEN_PATTERN } from '../../src/identity/access-token.ts'
import { Inventory } from '../../src/inventory/inventory.ts'
import { readMetricsToken } from '../../src/observability/http-observability.ts'
import { schemaProblems } from '../support/kubernetes-schema.ts'

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are walked field by field; each check names what it reads
type Manifest = Record<string, any>

/** How the test treats one command of the guide. */
type Handling =
  | { how: 'run' }
  | { how: 'dry-run' }
  | { how: 'render'; directory: string }
  | { how: 'not-run'; name: string; why: string }

const NO_ENGINE =
  'no container engine here (tests/deployment/container-image.int.test.ts builds and starts the image with buildah)'
const NO_CLUSTER = 'no Kubernetes API server here'

/** The commands the guide may use, first match wins; anything else fails the test. */
const RULES: Array<{ match: RegExp; handle: (found: RegExpExecArray) => Handling }> = [
  { match: /^docker build\b/, handle: () => notRun('docker build', NO_ENGINE) },
  { match: /^docker run\b/, handle: () => notRun('docker run', NO_ENGINE) },
  { match: /^docker push\b/, handle: () => notRun('docker push', 'no image registry here') },
  { match: /^docker compose up\b/, handle: () => notRun('docker compose up', NO_ENGINE) },
  { match: /^docker compose ps\b/, handle: () => notRun('docker compose ps', NO_ENGINE) },
  { match: /^kubectl( -n \S+)? create secret generic /, handle: () => ({ how: 'dry-run' }) },
  {
    match: /^kubectl kustomize (\S+)( \| less)?$/,
    handle: (found) => ({ how: 'render', directory: String(found[1]) }),
  },
  // What `apply -k` sends is what `kubectl kustomize` renders, which is checked.
  { match: /^kubectl apply\b/, handle: () => notRun('kubectl apply', NO_CLUSTER) },
  {
    match: /^kubectl -n \S+ rollout status\b/,
    handle: () => notRun('kubectl rollout status', NO_CLUSTER),
  },
  { match: /^kubectl -n \S+ get secret\b/, handle: () => notRun('kubectl get secret', NO_CLUSTER) },
  { match: /^(cd|mkdir|echo|openssl|chmod|cp) /, handle: () => ({ how: 'run' }) },
]

function notRun(name: string, why: string): Handling {
  return { how: 'not-run', name, why }
}

const readme = readFileSync('README.md', 'utf8')

/** The guide's blocks, each as its commands: continuation lines joined, comments and `&&` split. */
function guideBlocks(): string[][] {
  const blocks = [...readme.matchAll(/^```bash deployment-guide\n([\s\S]*?)^```$/gm)]
  return blocks.map((block) =>
    String(block[1])
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.replace(/(^|\s+)#(\s.*)?$/, '').trim())
      .filter(Boolean)
      .flatMap((line) => line.split(' && ').map((command) => command.trim())),
  )
}

function handlingOf(command: string): Handling {
  for (const rule of RULES) {
    const found = rule.match.exec(command)
    if (found) return rule.handle(found)
  }
  throw new Error(`the deployment guide has a command this test does not know: ${command}`)
}

interface GuideRun {
  /** The scratch copy the block ran in. */
  root: string
  /** Secrets `kubectl create secret` would have created. */
  secrets: Manifest[]
  /** Overlay directory -> its rendered objects. */
  rendered: Map<string, Manifest[]>
  notRun: Array<{ command: string; name: string; why: string }>
}

/** Runs one block in a scratch copy of docker/, k8s/ and the example inventory. */
function followBlock(commands: string[]): GuideRun {
  const root = mkdtempSync(path.join(tmpdir(), 'deployment-guide-'))
  cpSync('docker', path.join(root, 'docker'), { recursive: true })
  cpSync('k8s', path.join(root, 'k8s'), { recursive: true })
  cpSync(
    'tests/fixtures/operations-inventory.yaml',
    path.join(root, 'tests/fixtures/operations-inventory.yaml'),
  )
  const out = mkdtempSync(path.join(tmpdir(), 'deployment-guide-out-'))
  const rendered: Array<{ directory: string; file: string }> = []
  const notRunCommands: GuideRun['notRun'] = []
  const script = commands.map((command, index) => {
    const handling = handlingOf(command)
    if (handling.how === 'run') return command
    if (handling.how === 'dry-run')
      return `${command} --dry-run=client -o json >> "$GUIDE_OUT/secrets.json"`
    if (handling.how === 'render') {
      const file = path.join(out, `rendered-${index}.yaml`)
      rendered.push({ directory: handling.directory, file })
      // The directory as the guide names it, from where the guide stands (it may have cd'd).
      return `kubectl kustomize ${handling.directory} > "${file}"`
    }
    notRunCommands.push({ command, name: handling.name, why: handling.why })
    return `: not run: ${handling.name}`
  })
  execFileSync('bash', ['-euo', 'pipefail', '-c', script.join('\n')], {
    cwd: root,
    env: { ...process.env, GUIDE_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const secretsFile = path.join(out, 'secrets.json')
  // kubectl writes one JSON object per command, one after another.
  const secrets = existsSync(secretsFile)
    ? (JSON.parse(`[${readFileSync(secretsFile, 'utf8').replace(/}\s*{/g, '},{')}]`) as Manifest[])
    : []
  return {
    root,
    secrets,
    rendered: new Map(
      rendered.map(({ directory, file }) => [
        directory,
        parseAllDocuments(readFileSync(file, 'utf8')).map(
          (document) => document.toJS() as Manifest,
        ),
      ]),
    ),
    notRun: notRunCommands,
  }
}

function kubectlMissing(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
    return undefined
  } catch {
    return 'kubectl is not installed (the guide renders and dry-runs with it)'
  }
}

const blocks = guideBlocks()
const [imageBlock = [], composeBlock = [], kubernetesBlock = []] = blocks
const missing = kubectlMissing()

/** The secret files a server reads, checked as it reads them. */
function checkServerSecrets(files: { adminToken: string; metricsToken: string; auditKey: string }) {
  expect(readFileSync(files.adminToken, 'utf8').trim()).toMatch(ACCESS_TOKEN_PATTERN)
  expect(readMetricsToken(files.metricsToken)).toMatch(/^[0-9a-f]{64}$/)
  expect(() => parseAuditKey(readFileSync(files.auditKey, 'utf8'), files.auditKey)).not.toThrow()
}

describe('the README deployment guide', () => {
  it('has its three blocks (image, compose, Kubernetes), every command known to this test', () => {
    expect(blocks).toHaveLength(3)
    expect(imageBlock[0]).toMatch(/^docker build /)
    expect(composeBlock[0]).toBe('cd docker')
    expect(kubernetesBlock.some((command) => command.startsWith('kubectl apply -k'))).toBe(true)
    for (const command of blocks.flat()) expect(() => handlingOf(command)).not.toThrow()
  })

  it('states exactly the commands it does not run here', () => {
    const notRun = new Set(
      blocks
        .flat()
        .map(handlingOf)
        .flatMap((handling) => (handling.how === 'not-run' ? [handling.name] : [])),
    )
    const stated = /^Not run by that test: (.+?)\.$/ms.exec(readme)?.[1] ?? ''
    const listed = new Set([...stated.matchAll(/`([^`]+)`/g)].map((found) => String(found[1])))
    expect(listed).toEqual(notRun)
  })

  it('image: the first admin token it makes is one the server accepts', () => {
    const run = followBlock(imageBlock)
    expect(readFileSync(path.join(run.root, 'admin-token'), 'utf8').trim()).toMatch(
      ACCESS_TOKEN_PATTERN,
    )
    expect(run.notRun.map((step) => step.name)).toEqual(['docker build', 'docker run'])
  })

  it('compose: the secrets, inventory and .env it makes are what compose.yaml mounts and the server reads', async () => {
    const run = followBlock(composeBlock)
    const docker = path.join(run.root, 'docker')
    checkServerSecrets({
      adminToken: path.join(docker, 'secrets/admin-token'),
      metricsToken: path.join(docker, 'secrets/metrics-token'),
      auditKey: path.join(docker, 'secrets/audit-key'),
    })
    for (const name of ['admin-token', 'metrics-token', 'audit-key'])
      expect(statSync(path.join(docker, 'secrets', name)).mode & 0o777).toBe(0o644)
    expect(
      (await Inventory.load(path.join(docker, 'inventory.yaml'))).list().length,
    ).toBeGreaterThan(0)
    expect(readFileSync(path.join(docker, '.env'), 'utf8')).toMatch(
      /^POSTGRES_PASSWORD=[0-9a-f]{48}\n$/,
    )
    const compose = parse(readFileSync(path.join(docker, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { volumes?: string[] }>
      secrets: Record<string, { file: string }>
    }
    const mounted = [
      ...Object.values(compose.secrets).map((secret) => secret.file),
      ...Object.values(compose.services)
        .flatMap((service) => service.volumes ?? [])
        .map((volume) => volume.split(':')[0] ?? '')
        .filter((source) => source.startsWith('.')),
    ]
    expect(mounted.length).toBeGreaterThanOrEqual(4)
    for (const source of mounted) expect(existsSync(path.join(docker, source)), source).toBe(true)
    expect(run.notRun.map((step) => step.name)).toEqual(['docker compose up', 'docker compose ps'])
  })

  it.skipIf(missing)(
    'Kubernetes: both overlays render and validate, and every Secret and key they use is made by the guide',
    async () => {
      const run = followBlock(kubernetesBlock)
      expect([...run.rendered.keys()].sort()).toEqual([
        'k8s/overlays/demo',
        'k8s/overlays/production',
      ])
      // The namespace file the guide applies, and the Secrets it creates, pass the schemas too.
      const namespace = parse(
        readFileSync(path.join(run.root, 'k8s/base/namespace.yaml'), 'utf8'),
      ) as Manifest
      expect(namespace.kind).toBe('Namespace')
      expect(await schemaProblems(namespace)).toEqual([])
      expect(run.secrets.map((secret) => secret.metadata.name).sort()).toEqual([
        'helpdesk-postgres',
        'helpdesk-secrets',
      ])
      const made = new Map<string, Record<string, string>>()
      for (const secret of run.secrets) {
        expect(secret.kind).toBe('Secret')
        expect(secret.metadata.namespace).toBe(namespace.metadata.name)
        expect(await schemaProblems(secret)).toEqual([])
        made.set(secret.metadata.name, secret.data)
      }
      const decoded = (name: string, key: string) =>
        Buffer.from(made.get(name)?.[key] ?? '', 'base64').toString('utf8')
      const scratch = mkdtempSync(path.join(tmpdir(), 'guide-secrets-'))
      const files = {
        adminToken: path.join(scratch, 'admin-token'),
        metricsToken: path.join(scratch, 'metrics-token'),
        auditKey: path.join(scratch, 'audit-key'),
      }
      writeFileSync(files.adminToken, decoded('helpdesk-secrets', 'admin-token'))
      writeFileSync(files.metricsToken, decoded('helpdesk-secrets', 'metrics-token'))
      writeFileSync(files.auditKey, decoded('helpdesk-secrets', 'audit-key'))
      checkServerSecrets(files)
      expect(decoded('helpdesk-postgres', 'password')).toMatch(/^[0-9a-f]{48}$/)

      for (const [overlay, objects] of run.rendered) {
        for (const object of objects) {
          // Everything in the guide's namespace (the Namespace itself is that namespace).
          const inside =
            object.kind === 'Namespace' ? object.metadata.name : object.metadata.namespace
          expect(inside, `${overlay} ${object.kind}/${object.metadata.name}`).toBe(
            namespace.metadata.name,
          )
          expect(await schemaProblems(object), `${overlay} ${object.kind}`).toEqual([])
        }
        const used = secretUses(objects)
        expect(used.length).toBeGreaterThan(0)
        for (const use of used) {
          if (use.secret === 'helpdesk-tls') {
            // Made by cert-manager or by hand from the operator's certificate: named in the guide.
            expect(kubernetesBlockText()).toContain('helpdesk-tls')
            continue
          }
          expect(made.has(use.secret), `${overlay}: ${use.where} uses Secret ${use.secret}`).toBe(
            true,
          )
          if (use.key !== undefined)
            expect(Object.keys(made.get(use.secret) ?? {}), `${overlay}: ${use.where}`).toContain(
              use.key,
            )
        }
      }
      expect(run.notRun.map((step) => step.name)).toEqual([
        'docker build',
        'docker push',
        'kubectl apply',
        'kubectl apply',
        'kubectl rollout status',
        'kubectl get secret',
      ])
    },
  )
})

/** The README text of the Kubernetes block, comments included. */
function kubernetesBlockText(): string {
  return [...readme.matchAll(/^```bash deployment-guide\n([\s\S]*?)^```$/gm)].at(-1)?.[1] ?? ''
}

/**
 * Every Secret (and key) the objects use: secretKeyRef in env, secret volumes (with the keys the
 * ConfigMap's `*_FILE` settings read from their mount path), Ingress TLS.
 */
function secretUses(objects: Manifest[]): Array<{ secret: string; key?: string; where: string }> {
  const uses: Array<{ secret: string; key?: string; where: string }> = []
  const settings = objects
    .filter((object) => object.kind === 'ConfigMap')
    .flatMap((object) => Object.values(object.data ?? {}) as string[])
  for (const object of objects) {
    const where = `${object.kind}/${object.metadata.name}`
    for (const tls of object.spec?.tls ?? []) uses.push({ secret: tls.secretName, where })
    const pod = object.spec?.template?.spec
    if (!pod) continue
    const secretVolumes = new Map<string, string>(
      (pod.volumes ?? [])
        .filter((volume: Manifest) => volume.secret)
        .map((volume: Manifest) => [volume.name, volume.secret.secretName]),
    )
    for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      for (const variable of container.env ?? []) {
        const reference = variable.valueFrom?.secretKeyRef
        if (reference) uses.push({ secret: reference.name, key: reference.key, where })
      }
      for (const mount of container.volumeMounts ?? []) {
        const secret = secretVolumes.get(mount.name)
        if (!secret) continue
        uses.push({ secret, where })
        for (const setting of settings) {
          if (setting.startsWith(`${mount.mountPath}/`))
            uses.push({ secret, key: setting.slice(mount.mountPath.length + 1), where })
        }
      }
    }
  }
  return uses
}
