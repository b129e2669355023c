/**
 * The tools every model-driven adapter offers its model, in the order a turn needs them. Each
 * runs one phase of the core on the turn at hand and answers a small JSON result; none takes
 * arguments from the model, so a model can choose *when* to act but never *what* runs (the
 * core decides that from the runbooks and validated parameters).
 * @module
 */

export const HELPDESK_TOOLS = [
  {
    name: 'route_request',
    description:
      "Find which helpdesk runbooks the employee's message asks for, or whether it is an answer to the open question, or out of scope.",
  },
  {
    name: 'plan_tasks',
    description:
      'Fill the parameters of the routed runbooks from the conversation and plan their steps; asks for anything missing.',
  },
  {
    name: 'execute_steps',
    description:
      'Run the planned steps through the execution service: read-only checks run, changes wait for approval.',
  },
  {
    name: 'write_reply',
    description:
      'Write the reply to the employee from the plans, results and questions. Call it last.',
  },
] as const

export type HelpdeskToolName = (typeof HELPDESK_TOOLS)[number]['name']

export const HELPDESK_SYSTEM_PROMPT = [
  'You are an IT helpdesk agent. Work only through the tools, in this order:',
  'route_request; then, unless it answered {"route":"out_of_scope"}, plan_tasks and execute_steps;',
  'then write_reply. Finally answer with exactly the "reply" text write_reply returned.',
  'Never invent commands, accounts or results. Refuse anything a tool did not produce.',
].join(' ')

/**
 * Offered besides the four: a script for a request no runbook covers. It never runs from the
 * tool: the policy checks it, then it waits for a technician's approval of that very script.
 */
export const PROPOSE_SCRIPT_TOOL = {
  name: 'propose_script',
  description:
    'Only when no runbook covers the request: propose a short bash or powershell script for one machine. A technician must approve it; deleting accounts, privileged groups, downloads and shutdowns are refused.',
} as const

/**
 * Offered by adapters whose framework can pause a run for a human (LangChain's human-in-the-loop
 * middleware, the OpenAI Agents SDK's `needsApproval`): the run stops at this call until a
 * technician decides, maybe after a restart. Approved, it carries out that approval request
 * through the approval service (each step exactly once); denied, nothing runs.
 */
/** Added to the system prompt of agents offered `await_approval`. */
export const AWAIT_APPROVAL_PROMPT =
  'If write_reply answered a non-empty "waiting" list, call await_approval with its first approvalId; after each answer, call it again for the next id in its "waiting" list, and when none is left answer with its "summary".'

export const AWAIT_APPROVAL_TOOL = {
  name: 'await_approval',
  description:
    'After write_reply, when its "waiting" list is not empty: wait for the decision on one approval request (give its approvalId). Approved, its steps run; the answer says what ran and which requests are still waiting.',
} as const
