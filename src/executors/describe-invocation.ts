import type { Invocation } from '../planning/plan.ts'

/** One text for "what runs": the script with its command line, or the call with its arguments. */
export function describeInvocation(invocation: Invocation): string {
  switch (invocation.type) {
    case 'operation': {
      const argumentsText = Object.entries(invocation.arguments)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(', ')
      return `${invocation.executor}.${invocation.operation}(${argumentsText})`
    }
    case 'script':
      return `${invocation.commandLine}\n${invocation.script}`
    case 'guidance':
      return invocation.text
  }
}
