import { AGENT_FRAMEWORKS } from '../agent/helpdesk-agent.ts'
import { buildEvaluationAgents } from '../app/build-evaluation-agents.ts'
import { buildRuntime } from '../app/build-runtime.ts'
import { loadConfig } from '../config/load-config.ts'
import { HelpdeskError } from '../errors/index.ts'
import {
  type ConversationOutcome,
  formatConversationReport,
  playConversation,
  summariseConversations,
} from '../evaluation/conversation-evaluation.ts'
import { readConversations } from '../evaluation/conversation-script.ts'
import { log } from './commands.ts'

export interface EvalConversationsOptions {
  conversations: string
  framework?: string
  inventory?: string
  accountMap?: string
  json?: boolean
  errors?: boolean
}

/**
 * `helpdesk eval --conversations FILE [--framework NAME|all] [--inventory FILE] [--account-map
 * FILE] [--json] [--errors]`: plays every conversation on each adapter and prints the pass rates.
 * The file and the framework are checked before anything starts, so a typo costs nothing.
 */
export async function evalConversationsCommand(options: EvalConversationsOptions): Promise<void> {
  const frameworks = selectedFrameworks(options.framework ?? 'all')
  const conversations = await readConversations(options.conversations)
  const config = loadConfig()
  const runtime = await buildRuntime(config, { log, ingest: true })
  try {
    const evaluation = await buildEvaluationAgents(runtime.knowledge, config, {
      ...(options.inventory ? { inventoryFile: options.inventory } : {}),
      ...(options.accountMap ? { accountMapFile: options.accountMap } : {}),
      log,
    })
    try {
      const outcomes: ConversationOutcome[] = []
      for (const framework of frameworks) {
        const agent = await evaluation.agent(framework)
        for (const conversation of conversations)
          outcomes.push(await playConversation(conversation, agent, evaluation.sessions))
        const passed = outcomes.filter((each) => each.framework === framework && each.passed)
        log(`${framework}: ${passed.length}/${conversations.length} conversations passed`)
      }
      const report = summariseConversations(outcomes)
      process.stdout.write(
        options.json
          ? `${JSON.stringify(
              options.errors
                ? report
                : {
                    ...report,
                    adapters: report.adapters.map(({ failures, ...adapter }) => ({
                      ...adapter,
                      failures: failures.length,
                    })),
                  },
            )}\n`
          : formatConversationReport(report, { errors: options.errors === true }),
      )
    } finally {
      await evaluation.close()
    }
  } finally {
    await runtime.close()
  }
}

/** @throws {HelpdeskError} INVALID_INPUT naming the valid frameworks. */
function selectedFrameworks(name: string): string[] {
  if (name === 'all') return [...AGENT_FRAMEWORKS]
  const found = AGENT_FRAMEWORKS.find((each) => each === name)
  if (found === undefined) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--framework: unknown agent framework "${name.slice(0, 40)}"; valid: ${AGENT_FRAMEWORKS.join(', ')} or all`,
    })
  }
  return [found]
}
