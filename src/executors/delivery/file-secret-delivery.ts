import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SecretDelivery } from './secret-delivery.ts'

/**
 * The embedded default: each secret becomes a file readable only by the service account
 * (mode 0600) in a directory only it can list (0700), for a technician to pass on by phone or in
 * person. A real deployment swaps in a delivery to its password manager or SMS gateway.
 */
export class FileSecretDelivery implements SecretDelivery {
  readonly id = 'file'
  private readonly directory: string
  constructor(directory: string) {
    this.directory = directory
  }

  async deliver(delivery: Parameters<SecretDelivery['deliver']>[0]): Promise<{ receipt: string }> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 })
    const receipt = randomUUID()
    const file = join(this.directory, `${receipt}.json`)
    const body = JSON.stringify({
      account: delivery.account,
      system: delivery.system,
      requestId: delivery.requestId,
      secret: delivery.secret.reveal(),
      createdAt: new Date().toISOString(),
    })
    await writeFile(file, `${body}\n`, { mode: 0o600, flag: 'wx' })
    return { receipt: `delivery ${receipt} (technician pickup)` }
  }
}
