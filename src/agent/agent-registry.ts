import { HelpdeskError } from '../errors/index.ts'
import type { AgentToolbox } from './agent-toolbox.ts'
import type { AgentFramework, HelpdeskAgent } from './helpdesk-agent.ts'

export type AgentFactory = (toolbox: AgentToolbox) => HelpdeskAgent | Promise<HelpdeskAgent>

/**
 * Adapters by framework name. Filled in the composition root; an unknown name fails with the
 * list of the registered ones.
 */
export class AgentRegistry {
  private readonly factories = new Map<string, AgentFactory>()

  register(framework: AgentFramework, factory: AgentFactory): this {
    this.factories.set(framework, factory)
    return this
  }

  get names(): string[] {
    return [...this.factories.keys()]
  }

  /** @throws {HelpdeskError} NO_SUCH_IMPLEMENTATION naming the valid frameworks. */
  async create(framework: string, toolbox: AgentToolbox): Promise<HelpdeskAgent> {
    const factory = this.factories.get(framework)
    if (!factory) {
      throw new HelpdeskError({
        code: 'NO_SUCH_IMPLEMENTATION',
        message: `unknown agent framework "${framework.slice(0, 40)}"; valid: ${this.names.join(', ')}`,
        details: { valid: this.names },
      })
    }
    return factory(toolbox)
  }
}

/**
 * The agent the server talks to: delegates to the current adapter, which an admin can switch at
 * run time. A turn already running finishes on the adapter it started with.
 */
export class SwitchableAgent {
  private current: HelpdeskAgent
  private readonly registry: AgentRegistry
  private readonly toolbox: AgentToolbox

  constructor(registry: AgentRegistry, toolbox: AgentToolbox, initial: HelpdeskAgent) {
    this.registry = registry
    this.toolbox = toolbox
    this.current = initial
  }

  get agent(): HelpdeskAgent {
    return this.current
  }

  /** @throws {HelpdeskError} NO_SUCH_IMPLEMENTATION; the current adapter stays on. */
  async switchTo(framework: string): Promise<HelpdeskAgent> {
    if (framework === this.current.framework) return this.current
    const next = await this.registry.create(framework, this.toolbox)
    const previous = this.current
    this.current = next
    await previous.close()
    return next
  }
}
