/**
 * A workflow: ordered steps over targets, the shape shared by the operations catalog (which
 * renders it from a request), the preview in the chat reply, and the job engine (which runs it).
 * Every script here is already rendered with validated parameters and quoted for its language:
 * nothing downstream concatenates text into a script.
 * @module
 */

/** An operating system a step has a script for. */
export type WorkflowPlatform = 'linux' | 'windows'

/** One rendered script per operating system; a missing one means the step cannot run there. */
export type PlatformScripts = Partial<Record<WorkflowPlatform, string>>

export type WorkflowRisk = 'low' | 'medium' | 'high' | 'critical'

/** Conditions that limit a changing step per target (docs/operations.md). */
export type WorkflowCondition =
  | 'only-where-running'
  | 'only-where-stopped'
  | 'only-where-installed'
  | 'only-where-missing'

export interface WorkflowStep {
  /** Stable within the workflow (`step-1`, ...). */
  id: string
  /** Catalog id (`service.stop`). */
  operation: string
  /** Validated parameters, by name. */
  parameters: Readonly<Record<string, string | number>>
  /** Plain words: "Stop the service dataprocessor". */
  title: string
  risk: WorkflowRisk
  /** Whether the step changes anything on a target (read-only steps need no approval). */
  changes: boolean
  scripts: PlatformScripts
  /**
   * Run per target first; exit status 0 means the step runs on that target, anything else that it
   * is skipped there (recorded as skipped with the reason).
   */
  condition?: { kind: WorkflowCondition; scripts: PlatformScripts }
  /** Run before the change (e.g. back up the file about to be overwritten). */
  backup?: PlatformScripts
  /** Run after the change; non-zero exit fails the step on that target. */
  verify?: PlatformScripts
  /** Undoes the step on a target where a later step failed; absent where nothing can undo it. */
  rollback?: PlatformScripts
  /**
   * For `file.copy`: after `backup` and before `scripts` run on a target, the engine uploads the
   * file `source` (relative to the server's files directory, HELPDESK_FILES_DIRECTORY) to
   * `<destination>.helpdesk-upload` there (SFTP on Linux; base64 chunks over the machine's shell
   * on Windows), refusing a file whose size or SHA-256 is not the pinned one, and checks both on
   * the target; after `verify` it checks the SHA-256 the verification printed.
   */
  transfer?: FileTransfer
  /** Time limit per target, seconds. */
  timeoutSeconds: number
}

/** The file a `file.copy` step sends, pinned by size and SHA-256 when the workflow was built. */
export interface FileTransfer {
  /** Relative to the files directory (`motd.txt`). */
  source: string
  /** The absolute destination on the targets. */
  destination: string
  size: number
  /** Lower-case hex. */
  sha256: string
}

export interface Workflow {
  steps: readonly WorkflowStep[]
  /** Inventory machine names, resolved from the request's machines, groups or "all". */
  targets: readonly string[]
  /** A failure on one target does not stop the others (default true). */
  continueOnFailure: boolean
}
