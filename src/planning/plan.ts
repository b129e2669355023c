import type { ExecutorKind, RiskLevel } from '../knowledge/instructions/instruction-schema.ts'
import type { ApprovalLevel } from '../policy/approval-policy.ts'

/** Exactly what a step runs: an API operation with arguments, a rendered script, or guidance. */
export type Invocation =
  | {
      type: 'operation'
      executor: 'active_directory' | 'aws_iam'
      operation: string
      description: string
      arguments: Readonly<Record<string, string | number | boolean>>
    }
  | {
      type: 'script'
      language: 'bash' | 'powershell'
      /** The full text sent to the interpreter, parameters already bound and quoted. */
      script: string
      /** The command that runs it on the target. */
      commandLine: string
    }
  | { type: 'guidance'; text: string }

/** A verification or rollback, rendered like the step it belongs to. */
export interface RenderedProbe {
  description: string
  expect?: string
  invocation?: Invocation
}

export interface PlanStep {
  /** `<taskType>.<actionId>`: stable, unique within a plan. */
  id: string
  actionId: string
  title: string
  executor: ExecutorKind
  risk: RiskLevel
  readOnly: boolean
  approvalLevel: ApprovalLevel
  /** The machine a script runs on (a validated hostname), when the step has one. */
  target?: string
  invocation: Invocation
  verification?: RenderedProbe
  rollback?: RenderedProbe
}

/** The ordered, fully rendered steps for one task, with the parameter values they were built from. */
export interface Plan {
  taskType: string
  title: string
  risk: RiskLevel
  parameters: Readonly<Record<string, string>>
  steps: PlanStep[]
}
