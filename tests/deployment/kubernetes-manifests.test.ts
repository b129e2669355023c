// k8s/: each overlay rendered with `kubectl kustomize` (offline; no cluster runs here), every
// object validated against the Kubernetes schemas (tests/support/kubernetes-schema.ts), and the
// policies an operator checks before accepting manifests: non-root, read-only root file systems,
// no capabilities, seccomp, probes, resources, secrets by reference, deny-by-default networking.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { schemaProblems } from '../support/kubernetes-schema.ts'

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked field by field; each check names what it reads
type Manifest = Record<string, any>

function kubectlMissing(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
    return undefined
  } catch {
    return 'kubectl is not installed (it renders the kustomize overlays offline)'
  }
}
const missing = kubectlMissing()

function render(overlay: string): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', `k8s/overlays/${overlay}`], {
    encoding: 'utf8',
  })
  return parseAllDocuments(text).map((document) => document.toJS() as Manifest)
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet'])

/** What an operator would refuse in one workload; empty when it passes. */
function policyProblems(workload: Manifest): string[] {
  const name = `${workload.kind}/${workload.metadata?.name}`
  const pod = workload.spec?.template?.spec ?? {}
  const problems: string[] = []
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${name}: ${what}`)
  }
  need(pod.securityContext?.runAsNonRoot === true, 'pod runAsNonRoot')
  need(pod.securityContext?.seccompProfile?.type === 'RuntimeDefault', 'seccomp RuntimeDefault')
  need(pod.automountServiceAccountToken === false, 'no service account token')
  for (const container of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    const where = `container ${container.name}`
    const security = container.securityContext ?? {}
    need(security.readOnlyRootFilesystem === true, `${where} readOnlyRootFilesystem`)
    need(security.allowPrivilegeEscalation === false, `${where} allowPrivilegeEscalation false`)
    need(security.privileged !== true, `${where} not privileged`)
    need(
      JSON.stringify(security.capabilities?.drop) === '["ALL"]' && !security.capabilities?.add,
      `${where} drops ALL capabilities`,
    )
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'])
      need(container[probe] !== undefined, `${where} ${probe}`)
    need(container.resources?.requests?.cpu !== undefined, `${where} cpu request`)
    need(container.resources?.requests?.memory !== undefined, `${where} memory request`)
    need(container.resources?.limits?.memory !== undefined, `${where} memory limit`)
    need(
      /:[\w.-]+$/.test(container.image ?? '') && !/:latest$/.test(container.image),
      `${where} a pinned image tag`,
    )
    for (const variable of container.env ?? [])
      need(
        variable.value === undefined || !/PASSWORD|TOKEN|SECRET|KEY$/.test(variable.name),
        `${where} ${variable.name} by reference, not a value`,
      )
  }
  return problems
}

/** Whether a network policy applies to the pods named `name` (by label or by expression). */
const selects = (policy: Manifest, name: string) =>
  policy.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === name ||
  (policy.spec.podSelector.matchExpressions ?? []).some((expression: Manifest) =>
    expression.values.includes(name),
  )
const byKind = (objects: Manifest[], kind: string) =>
  objects.filter((object) => object.kind === kind)
const named = (objects: Manifest[], kind: string, name: string) =>
  objects.find((object) => object.kind === kind && object.metadata?.name === name)

describe.skipIf(missing !== undefined)(
  `Kubernetes manifests${missing ? ` — skipped: ${missing}` : ''}`,
  () => {
    describe.each(['demo', 'production'])('overlay %s', (overlay) => {
      const objects = render(overlay)

      it('renders objects that all pass the Kubernetes schemas, unknown fields included', async () => {
        expect(objects.length).toBeGreaterThan(15)
        const problems = (await Promise.all(objects.map(schemaProblems))).flat()
        expect(problems).toEqual([])
        expect(
          objects.every(
            (object) => object.metadata?.namespace === 'helpdesk' || object.kind === 'Namespace',
          ),
        ).toBe(true)
      })

      it('has the API, Chroma, their Services, HPA, PDBs, Ingress and network policies', () => {
        for (const [kind, name] of [
          ['Deployment', 'helpdesk-api'],
          ['Deployment', 'helpdesk-worker'],
          ['PodDisruptionBudget', 'helpdesk-worker'],
          ['NetworkPolicy', 'worker-egress'],
          ['NetworkPolicy', 'worker-ingress'],
          ['StatefulSet', 'chroma'],
          ['Service', 'helpdesk-api'],
          ['Service', 'chroma'],
          ['HorizontalPodAutoscaler', 'helpdesk-api'],
          ['PodDisruptionBudget', 'helpdesk-api'],
          ['PodDisruptionBudget', 'chroma'],
          ['Ingress', 'helpdesk'],
          ['NetworkPolicy', 'default-deny'],
          ['ConfigMap', 'helpdesk-config'],
        ] as const)
          expect(named(objects, kind, name), `${kind}/${name}`).toBeDefined()
        const chroma = named(objects, 'StatefulSet', 'chroma')
        expect(chroma?.spec.volumeClaimTemplates[0].metadata.name).toBe('chroma-data')
      })

      it('every workload is non-root, read-only, without capabilities, probed and sized', () => {
        const workloads = objects.filter((object) => WORKLOADS.has(object.kind))
        expect(workloads.length).toBeGreaterThanOrEqual(2)
        expect(workloads.flatMap(policyProblems)).toEqual([])
      })

      it('keeps secrets by reference: no Secret object, only references to the two named Secrets', () => {
        expect(byKind(objects, 'Secret')).toEqual([])
        const referenced = new Set<string>()
        for (const workload of objects.filter((object) => WORKLOADS.has(object.kind))) {
          const pod = workload.spec.template.spec
          for (const volume of pod.volumes ?? [])
            if (volume.secret) referenced.add(volume.secret.secretName)
          for (const container of pod.containers)
            for (const variable of container.env ?? [])
              if (variable.valueFrom?.secretKeyRef)
                referenced.add(variable.valueFrom.secretKeyRef.name)
        }
        expect([...referenced].sort()).toEqual(['helpdesk-postgres', 'helpdesk-secrets'])
        const config = named(objects, 'ConfigMap', 'helpdesk-config')?.data ?? {}
        expect(config.LANGGRAPH_CHECKPOINT_URL).toMatch(/^postgresql:\/\/helpdesk@[^:/]+:5432\//)
        expect(config.DATABASE_URL).toBe(config.LANGGRAPH_CHECKPOINT_URL)
      })

      it('denies all traffic by default and allows DNS, Chroma, PostgreSQL and the targets', () => {
        const policies = byKind(objects, 'NetworkPolicy')
        const deny = named(objects, 'NetworkPolicy', 'default-deny')
        expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] })
        const apiEgress = policies
          .filter((policy) => selects(policy, 'helpdesk-api'))
          .flatMap((policy) => policy.spec.egress ?? [])
          .flatMap((rule: Manifest) => rule.ports ?? [])
          .map((port: Manifest) => `${port.port}${port.endPort ? `-${port.endPort}` : ''}`)
        expect(apiEgress).toEqual(expect.arrayContaining(['8000', '5432', '22', '5985-5986']))
        const dns = named(objects, 'NetworkPolicy', 'allow-dns')
        expect(dns?.spec.podSelector).toEqual({})
        expect(
          dns?.spec.egress[0].ports.map((port: Manifest) => `${port.protocol}/${port.port}`),
        ).toEqual(['UDP/53', 'TCP/53'])
        const chromaIngress = named(objects, 'NetworkPolicy', 'chroma-ingress')
        expect(chromaIngress?.spec.ingress[0].from).toEqual([
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'helpdesk-api' } } },
        ])
      })

      it('runs several stateless API replicas on PostgreSQL and the jobs in `helpdesk worker` replicas', () => {
        const api = named(objects, 'Deployment', 'helpdesk-api')
        expect(api?.spec.replicas).toBeGreaterThan(1)
        expect(api?.spec.strategy.type).toBe('RollingUpdate')
        const hpa = named(objects, 'HorizontalPodAutoscaler', 'helpdesk-api')
        expect(hpa?.spec.minReplicas).toBeGreaterThan(1)
        expect(hpa?.spec.maxReplicas).toBeGreaterThan(hpa?.spec.minReplicas)
        // One volume claim only, shared by every pod: the audit checkpoints (outside the database
        // by design); nothing else an API pod keeps outlives it.
        expect(
          byKind(objects, 'PersistentVolumeClaim').map((claim) => claim.metadata.name),
        ).toEqual(['helpdesk-audit-checkpoints'])
        const config = named(objects, 'ConfigMap', 'helpdesk-config')?.data ?? {}
        for (const name of ['helpdesk-api', 'helpdesk-worker']) {
          const pod = named(objects, 'Deployment', name)?.spec.template.spec
          const claims = pod.volumes.filter((volume: Manifest) => volume.persistentVolumeClaim)
          expect(claims.map((volume: Manifest) => volume.persistentVolumeClaim.claimName)).toEqual([
            'helpdesk-audit-checkpoints',
          ])
          const mount = pod.containers[0].volumeMounts.find(
            (volumeMount: Manifest) => volumeMount.name === claims[0].name,
          )
          expect(mount?.mountPath, name).toBe(config.HELPDESK_AUDIT_CHECKPOINT_DIR)
          expect(mount?.readOnly, name).toBeUndefined()
        }
        expect(config.HELPDESK_AUDIT_CHECKPOINT_FILE).toBeUndefined()
        expect(config.HELPDESK_EMBEDDED_WORKER).toBe('false')
        const worker = named(objects, 'Deployment', 'helpdesk-worker')
        expect(worker?.spec.replicas).toBeGreaterThan(1)
        const container = worker?.spec.template.spec.containers[0]
        expect(container.command).toEqual(['node', 'bin/helpdesk.js', 'worker'])
        expect(container.envFrom).toEqual([{ configMapRef: { name: 'helpdesk-config' } }])
        // No API: its one port is its own /metrics, reached from the monitoring namespace only.
        expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9464 }])
        const port = container.env.find(
          (variable: Manifest) => variable.name === 'HELPDESK_WORKER_METRICS_PORT',
        )
        expect(port?.value).toBe('9464')
        expect(config.HELPDESK_METRICS_TOKEN_FILE).toMatch(/^\/run\/secrets\/helpdesk\//)
        const workerIngress = named(objects, 'NetworkPolicy', 'worker-ingress')?.spec
        expect(workerIngress?.ingress).toEqual([
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              },
            ],
            ports: [{ protocol: 'TCP', port: 9464 }],
          },
        ])
        // Workers reach PostgreSQL and the managed machines' ports.
        const policies = byKind(objects, 'NetworkPolicy')
        const workerEgress = policies
          .filter((policy) => selects(policy, 'helpdesk-worker'))
          .flatMap((policy) => policy.spec.egress ?? [])
          .flatMap((rule: Manifest) => rule.ports ?? [])
          .map((port: Manifest) => `${port.port}${port.endPort ? `-${port.endPort}` : ''}`)
        expect(workerEgress).toEqual(expect.arrayContaining(['5432', '22', '5985-5986']))
        expect(workerEgress).not.toContain('8000')
      })
    })

    it('the checkpoint volume: ReadWriteMany for several nodes, ReadWriteOnce on the one-node demo', () => {
      const access = (overlay: string) =>
        named(render(overlay), 'PersistentVolumeClaim', 'helpdesk-audit-checkpoints')?.spec
          .accessModes
      expect(access('production')).toEqual(['ReadWriteMany'])
      expect(access('demo')).toEqual(['ReadWriteOnce'])
    })

    it('demo runs PostgreSQL in the cluster; production points at an external one', () => {
      const demo = render('demo')
      const production = render('production')
      expect(named(demo, 'StatefulSet', 'postgres')).toBeDefined()
      expect(named(demo, 'NetworkPolicy', 'postgres-ingress')).toBeDefined()
      expect(named(production, 'StatefulSet', 'postgres')).toBeUndefined()
      expect(
        named(production, 'NetworkPolicy', 'api-to-postgres')?.spec.egress[0].to[0].ipBlock.cidr,
      ).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
      expect(
        named(production, 'Deployment', 'helpdesk-api')?.spec.template.spec.containers[0].image,
      ).toBe('registry.example.com/helpdesk/helpdesk-agent:0.1.0')
    })

    it('the checks can fail: a misspelt field, a wrong type and a writable root are caught', async () => {
      const api = structuredClone(named(render('demo'), 'Deployment', 'helpdesk-api') as Manifest)
      const container = api.spec.template.spec.containers[0]
      container.securityContxt = container.securityContext
      delete container.securityContext
      api.spec.replicas = 'two'
      const problems = (await schemaProblems(api)).join('\n')
      expect(problems).toMatch(/replicas must be integer/)
      expect(problems).toMatch(/securityContxt \(not a field of V1Container\)/)
      expect(policyProblems(api)).toContain(
        'Deployment/helpdesk-api: container api readOnlyRootFilesystem',
      )
    })

    it('the Secret template validates and holds placeholders only', async () => {
      const secrets = parseAllDocuments(readFileSync('k8s/secrets.example.yaml', 'utf8')).map(
        (document) => document.toJS() as Manifest,
      )
      expect((await Promise.all(secrets.map(schemaProblems))).flat()).toEqual([])
      for (const secret of secrets)
        for (const value of Object.values(secret.stringData as Record<string, string>))
          expect(value).toMatch(/^REPLACE/)
    })
  },
)
