import type { SessionStore } from '../agent/core/session.ts'
import type { HelpdeskAgent } from '../agent/helpdesk-agent.ts'
import type { HelpdeskConfig } from '../config/config-schema.ts'
import { Inventory } from '../inventory/inventory.ts'
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { assembleHelpdesk } from './assemble-helpdesk.ts'
import { buildAgents } from './build-agents.ts'
import { dryRunSteps } from './chat-step-runner.ts'

/**
 * The helpdesk as `helpdesk eval --conversations` plays it: the real runbooks, router and core
 * over a knowledge base, conversations in memory, and every step a dry run. The inventory and the
 * account map are read only for what they tell the conversation (whose machine, which operating
 * system, which groups, whose account), so an evaluation never runs anything on a machine, even
 * one with a reachable address in the inventory.
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
  /** The adapter of that framework, built over the same core (the previous one is closed). */
  agent(framework: string): Promise<HelpdeskAgent>
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
  return {
    sessions,
    agent: (framework) => built.agents.switchTo(framework),
    close: async () => {
      await built.agents.agent.close()
      await built.close()
    },
  }
}
