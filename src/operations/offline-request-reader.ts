import type { OperationRequestReader } from './operation-request-reader.ts'
import { type ReadRequest, readOperationRequest } from './request-reader.ts'
import type { Fleet } from './request-targets.ts'

/** The deterministic reader (request-reader.ts) behind the reader interface: no model, no network. */
export class OfflineRequestReader implements OperationRequestReader {
  readonly description = 'the offline rules'

  async read(message: string, fleet: Fleet): Promise<ReadRequest> {
    return readOperationRequest(message, fleet)
  }
}
