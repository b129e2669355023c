/**
 * How many minutes of a technician's time one request of each task type saves when the helpdesk
 * resolves it alone: the figure behind "time saved". Read from a YAML or JSON file
 * (`HELPDESK_TIME_SAVED_FILE`, default `data/analytics/time-saved.yaml`):
 *
 * ```yaml
 * default: 10          # task types not listed
 * minutes:
 *   password_reset: 15
 * ```
 *
 * Values are taken whole or refused: a bad value stops start-up naming the file and the field.
 * @module
 */
import { z } from 'zod'
import { loadYamlSettings } from '../config/yaml-settings-file.ts'

/** A day: more than that for one request is a typing mistake, not an estimate. */
const MOST_MINUTES = 1440
const minutes = z
  .number({ error: `expected a number of minutes from 0 to ${MOST_MINUTES}` })
  .min(0, `expected a number of minutes from 0 to ${MOST_MINUTES}`)
  .max(MOST_MINUTES, `expected a number of minutes from 0 to ${MOST_MINUTES}`)

/** The same closed set as runbook ids (`data/instructions/<id>.md`). */
export const TASK_TYPE_PATTERN = /^[a-z0-9][a-z0-9_]{0,79}$/

export const timeSavedSchema = z
  .object({
    default: minutes.default(0),
    minutes: z
      .record(
        z.string().regex(TASK_TYPE_PATTERN, 'expected a task type such as password_reset'),
        minutes,
        {
          // zod reports a bad key as "Invalid key in record": say what a key must be.
          error: (issue) =>
            issue.code === 'invalid_key'
              ? 'expected a task type such as password_reset'
              : undefined,
        },
      )
      .default({}),
  })
  .strict()

export type TimeSavedSettings = z.infer<typeof timeSavedSchema>

export const NO_TIME_SAVED: TimeSavedSettings = { default: 0, minutes: {} }

/** @throws {HelpdeskError} INVALID_CONFIGURATION naming the file and each bad field. */
export async function loadTimeSavedSettings(file: string): Promise<TimeSavedSettings> {
  return loadYamlSettings(file, timeSavedSchema)
}

/** Minutes one resolved request of `taskType` saves. */
export function minutesFor(settings: TimeSavedSettings, taskType: string): number {
  return settings.minutes[taskType] ?? settings.default
}
