import type { Secret } from '../../inventory/secret.ts'

/**
 * Where a generated secret (a temporary password) goes. It never travels in a step result, an
 * audit record, a log line or a chat reply: the executor hands it to a delivery and shows the
 * receipt instead ("delivered to the technician queue as 3f2a…").
 *
 * Contract: `deliver` stores or sends the secret so that only its intended reader gets it, and
 * returns a receipt that is safe to show to anyone. It throws if the secret could not be
 * delivered; the caller must then report the step as failed, since nobody can use the password.
 */
export interface SecretDelivery {
  readonly id: string
  deliver(delivery: {
    /** The account the secret belongs to, e.g. `jdoe` in `active_directory`. */
    account: string
    system: string
    requestId: string
    secret: Secret
  }): Promise<{ receipt: string }>
}
