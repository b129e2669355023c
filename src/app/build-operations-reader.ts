import { modelEndpointFromEnvironment } from '../models/model-endpoint.ts'
import { ModelRequestReader } from '../operations/model-request-reader.ts'
import { OfflineRequestReader } from '../operations/offline-request-reader.ts'
import type { OperationCatalog } from '../operations/operation-catalog.ts'
import type { OperationRequestReader } from '../operations/operation-request-reader.ts'

/**
 * The reader of operation requests the configuration asks for: with an LLM configured
 * (`LLM_BASE_URL`, `LLM_MODEL`), the model composes from the catalog, checked against it and the
 * inventory, the offline rules' reading kept when its answer is refused; without one, the rules.
 * The server, the chat evaluation and `helpdesk eval --operations` all choose here.
 * @throws {HelpdeskError} INVALID_CONFIGURATION naming the variable.
 */
export function operationsReaderFromEnvironment(
  catalog: OperationCatalog,
  log: (line: string) => void,
  environment: NodeJS.ProcessEnv = process.env,
): OperationRequestReader {
  const endpoint = modelEndpointFromEnvironment(environment)
  const offline = new OfflineRequestReader()
  return endpoint.offline ? offline : new ModelRequestReader({ endpoint, catalog, offline, log })
}
