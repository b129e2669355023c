import { modelFailureIn } from '../models/guarded-model-fetch.ts'

/**
 * Runs a framework's model-driven step and, when it failed because of the model (unreachable,
 * too slow, an unusable tool call), throws our clear MODEL_FAILED error instead of the
 * framework's wrapping of it.
 */
export async function rethrowModelFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw modelFailureIn(error) ?? error
  }
}
