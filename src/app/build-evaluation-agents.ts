import type { SessionStore } from '../agent/core/session.ts'
import type { AgentEvent } from '../agent/helpdesk-agent.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import type { ConversationAgent } from '../evaluation/conversation-evaluation.ts'
import { Inventory } from '../inventory/inventory.ts'
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts'
import { OperationCatalog } from '../operations/operation-catalog.ts'
import { OperationsDesk } from '../operations/operations-desk.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { chatTurns } from '../server/chat-turns.ts'
import { assembleHelpdesk } from './assemble-helpdesk.ts'
import { buildAgents } from './build-agents.ts'
import { operationsReaderFromEnvironment } from './build-operations-reader.ts'
import { dryRunSteps } from './chat-step-runner.ts'

/**
 * The helpdesk as `helpdesk eval --conversations` plays it: the real runbooks, router and core
 * over a knowledge base, conversations in memory, and every step a dry run. The inventory and the
 * account map are read only for what they tell the conversation (whose machine, which operating
 * system, which groups, whose account), so an evaluation never runs anything on a machine, even
 * one with a reachable address in the inventory.
 *
 * Turns go the way `/api/chat` sends them (`chatTurns`): with an inventory, a technician's work on
 * machines and questions about the inventory reach the operations desk first (previewed, never
 * started), a requester's request for a server is refused there, and a requester reads the
 * requester's view of the result; the rest goes to the adapter.
 */
export async function buildEvaluationAgents(
  knowledge: KnowledgeBase,
  config: HelpdeskConfig,
  options: {
    /** Inventory YAML (machines, their class, owner and OS, and groups); none by default. */
    inventoryFile?: string
    /** Account map YAML (whose account on each system, user groups); default names by default. */
    accountMapFile?: string
    log: (line: string) => void
  },
): Promise<{
  sessions: SessionStore
  /**
   * That framework's adapter behind the chat turns, built over the same core (the previous one
   * is closed).
   */
  agent(framework: string): Promise<ConversationAgent>
  close(): Promise<void>
}> {
  const inventory = options.inventoryFile ? await Inventory.load(options.inventoryFile) : undefined
  const accounts = options.accountMapFile
    ? await AccountMap.load(options.accountMapFile)
    : new AccountMap()
  const access = new AccessPolicy({ accounts, ...(inventory ? { machines: inventory } : {}) })
  const runStep = dryRunSteps()
  const { router, core, sessions } = assembleHelpdesk(knowledge, {
    runStep,
    access,
    maxMessageCharacters: config.MAX_MESSAGE_CHARS,
    ...(inventory ? { machineGroups: (name: string) => inventory.members(name) } : {}),
    ...(config.ROUTE_THRESHOLD !== undefined
      ? { tuning: { threshold: config.ROUTE_THRESHOLD } }
      : {}),
  })
  const built = await buildAgents({
    framework: 'core',
    core,
    router,
    instructions: knowledge.instructions,
    runStep,
    log: options.log,
  })
  const catalog = inventory ? await OperationCatalog.load(config.OPERATIONS_DIR) : undefined
  const operations =
    inventory && catalog
      ? new OperationsDesk({
          catalog,
          inventory,
          access,
          runbooks: router,
          reader: operationsReaderFromEnvironment(catalog, options.log),
        })
      : undefined
  const turns = chatTurns({
    core,
    sessions,
    agents: built.agents,
    ...(operations ? { operations } : {}),
  })
  return {
    sessions,
    agent: async (framework) => {
      const agent = await built.agents.switchTo(framework)
      return {
        framework: agent.framework,
        async *handleTurn(input) {
          const events: AgentEvent[] = []
          await turns.run(input, (event) => events.push(event))
          yield* events
        },
      }
    },
    close: async () => {
      await built.agents.agent.close()
      await built.close()
    },
  }
}
