/**
 * Kubernetes objects checked offline, as an API server would on `kubectl apply --validate=strict`:
 * against the schemas of `kubernetes-models` (types, required fields, formats, enums), and for
 * unknown fields (a typo such as `securityContxt`, which those schemas let through) against the
 * field lists of the official client's models (`@kubernetes/client-node`).
 * @module
 */
import * as client from '@kubernetes/client-node'

interface KubernetesObject {
  apiVersion?: string
  kind?: string
  [field: string]: unknown
}

interface ModelClass {
  new (data: unknown): { validate(): void }
}

interface AttributeMap {
  getAttributeTypeMap(): Array<{ name: string; baseName: string; type: string }>
}

/** The kubernetes-models class of an object: `apps/v1` Deployment -> kubernetes-models/apps/v1/Deployment. */
async function modelOf(object: KubernetesObject): Promise<ModelClass> {
  const { apiVersion = '', kind = '' } = object
  if (!/^[a-z0-9.]+(\/v[0-9a-z]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind))
    throw new Error(`not a Kubernetes object: apiVersion ${apiVersion}, kind ${kind}`)
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<
    string,
    ModelClass
  >
  const model = module[kind]
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`)
  return model
}

/** `apps/v1` + Deployment -> V1Deployment; `autoscaling/v2` + HorizontalPodAutoscaler -> V2HorizontalPodAutoscaler. */
function clientTypeOf(object: KubernetesObject): string {
  const version = (object.apiVersion ?? '').split('/').at(-1) ?? ''
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind ?? ''}`
}

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString', 'object', 'any'])

/** Fields of `value` that the model `type` does not define, as paths. */
function unknownFields(value: unknown, type: string, where: string): string[] {
  if (value === null || value === undefined || PRIMITIVES.has(type)) return []
  const array = /^Array<(.+)>$/.exec(type)
  if (array?.[1]) {
    const inner = array[1]
    return Array.isArray(value)
      ? value.flatMap((item, index) => unknownFields(item, inner, `${where}[${index}]`))
      : []
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (map?.[1]) {
    const inner = map[1]
    return typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
          unknownFields(item, inner, `${where}.${key}`),
        )
      : []
  }
  const model = (client as unknown as Record<string, AttributeMap | undefined>)[type]
  if (!model?.getAttributeTypeMap || typeof value !== 'object') return []
  const fields = new Map(
    model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]),
  )
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const fieldType = fields.get(key)
    if (fieldType === undefined) return [`${where}.${key} (not a field of ${type})`]
    return unknownFields(item, fieldType, `${where}.${key}`)
  })
}

/** Every problem of one object: schema errors and unknown fields; empty when it is valid. */
export async function schemaProblems(object: KubernetesObject): Promise<string[]> {
  const name = `${object.kind}/${(object.metadata as { name?: string } | undefined)?.name}`
  const problems: string[] = []
  try {
    const model = await modelOf(object)
    new model(object).validate()
  } catch (error) {
    problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const type = clientTypeOf(object)
  if (!(client as unknown as Record<string, unknown>)[type])
    problems.push(`${name}: no field list for ${type}`)
  else problems.push(...unknownFields(object, type, name))
  return problems
}
