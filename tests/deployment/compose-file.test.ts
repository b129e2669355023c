// docker/compose.yaml against the Compose Specification's JSON schema (the copy dclint ships and
// keeps in step with compose-spec), validated with ajv: no Docker engine runs on these machines,
// so `docker compose config` is not available. Plus what an operator relies on: health checks,
// volumes, a read-only API, secrets by file, API replicas on PostgreSQL and a worker service.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

interface ComposeService {
  image?: string
  read_only?: boolean
  healthcheck?: { test?: string[] }
  volumes?: string[]
  secrets?: string[]
  environment?: Record<string, string>
  cap_drop?: string[]
  depends_on?: Record<string, { condition: string }>
  deploy?: { replicas?: number }
  command?: string[]
}
interface ComposeFile {
  services: Record<string, ComposeService>
  volumes: Record<string, unknown>
  secrets: Record<string, { file: string }>
}

// The package exports only its code: find its folder from package.json, then the schema in it.
const dclintPackage = createRequire(import.meta.url).resolve('dclint/package.json')
const schema = JSON.parse(
  readFileSync(path.join(path.dirname(dclintPackage), 'schemas/compose.schema.json'), 'utf8'),
) as Record<string, unknown>

function validator() {
  // The schema is draft-07, ajv's own draft; its `$schema` spells the draft's address with
  // https, which ajv does not know by that name, so it is left out. strict off: the schema uses
  // the `deprecated` annotation, which draft-07 does not define.
  const { $schema: _draft, ...body } = schema
  return new Ajv({ allErrors: true, strict: false }).compile(body)
}

const compose = parse(readFileSync('docker/compose.yaml', 'utf8')) as ComposeFile

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = validator()
    const valid = validate(compose)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
  })

  it('the schema check fails on a bad field (it can fail)', () => {
    const validate = validator()
    const broken = structuredClone(compose)
    ;(broken.services.api as Record<string, unknown>).healthcheck = { interval: 15 }
    ;(broken.services.api as Record<string, unknown>).restart_policy = 'always'
    expect(validate(broken)).toBe(false)
    expect(JSON.stringify(validate.errors)).toMatch(/restart_policy|interval/)
  })

  it('has the API, the job worker, Chroma and PostgreSQL, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'chroma', 'postgres', 'worker'])
    for (const [name, service] of Object.entries(compose.services))
      expect(service.healthcheck?.test?.length, name).toBeGreaterThan(0)
    expect(compose.services.api?.depends_on).toEqual({
      chroma: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    })
  })

  it('keeps data on named volumes and runs the API read-only, without capabilities', () => {
    const api = compose.services.api
    expect(api?.read_only).toBe(true)
    expect(api?.cap_drop).toEqual(['ALL'])
    expect(api?.volumes).toContain('helpdesk-data:/var/lib/helpdesk')
    expect(compose.services.chroma?.volumes).toContain('chroma-data:/data')
    expect(compose.services.postgres?.volumes).toContain('postgres-data:/var/lib/postgresql/data')
    expect(Object.keys(compose.volumes).sort()).toEqual([
      'audit-checkpoints',
      'chroma-data',
      'helpdesk-data',
      'postgres-data',
      'worker-data',
    ])
  })

  it('runs two API replicas on PostgreSQL and the jobs in two `helpdesk worker` replicas', () => {
    const api = compose.services.api
    const worker = compose.services.worker
    expect(api?.deploy?.replicas).toBeGreaterThan(1)
    expect(api?.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/helpdesk@postgres:5432\//)
    expect(api?.environment?.HELPDESK_EMBEDDED_WORKER).toBe('false')
    expect(worker?.command).toEqual(['node', 'bin/helpdesk.js', 'worker'])
    expect(worker?.deploy?.replicas).toBeGreaterThan(1)
    expect(worker?.environment?.DATABASE_URL).toBe(api?.environment?.DATABASE_URL)
    // One audit chain: the same key for every writer.
    expect(worker?.environment?.HELPDESK_AUDIT_KEY_FILE).toBe(
      api?.environment?.HELPDESK_AUDIT_KEY_FILE,
    )
    expect(worker?.read_only).toBe(true)
    expect(worker?.cap_drop).toEqual(['ALL'])
  })

  it('gives every writer of the audit chain one shared checkpoint directory', () => {
    for (const name of ['api', 'worker']) {
      const service = compose.services[name]
      expect(service?.environment?.HELPDESK_AUDIT_CHECKPOINT_DIR, name).toBe(
        '/var/lib/helpdesk-audit',
      )
      expect(service?.environment?.HELPDESK_AUDIT_CHECKPOINT_FILE, name).toBeUndefined()
      expect(service?.volumes, name).toContain('audit-checkpoints:/var/lib/helpdesk-audit')
    }
  })

  it('passes secrets by file or by a required variable, never a literal', () => {
    const api = compose.services.api
    expect(api?.environment?.HELPDESK_ADMIN_TOKEN_FILE).toBe('/run/secrets/admin_token')
    expect(api?.environment?.HELPDESK_METRICS_TOKEN_FILE).toBe('/run/secrets/metrics_token')
    expect(api?.secrets).toEqual(['admin_token', 'metrics_token', 'audit_key'])
    expect(api?.environment?.PGPASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/)
    expect(api?.environment?.LANGGRAPH_CHECKPOINT_URL).not.toMatch(/:[^/@]+@/)
    expect(compose.secrets.admin_token?.file).toBe('./secrets/admin-token')
  })
})
