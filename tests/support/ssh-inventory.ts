/**
 * An inventory entry (YAML) for a machine reached over the loopback test sshd: the facts are
 * what `startTestService('sshd')` answers; `port` overrides its port (a closed one: a machine
 * that is down); `class` and `assignedTo` say what the machine is and whose.
 */
export function sshInventoryTarget(
  facts: Readonly<Record<string, string>>,
  name: string,
  options: { port?: number; class?: string; assignedTo?: readonly string[] } = {},
): string {
  const owner = [
    options.class ? `    class: ${options.class}\n` : '',
    options.assignedTo ? `    assignedTo: [${options.assignedTo.join(', ')}]\n` : '',
  ].join('')
  return `  - name: ${name}
    host: 127.0.0.1
    port: ${options.port ?? facts.SSH_PORT}
    os: linux
    transport: ssh
    username: ${facts.SSH_USER}
    credential: file:${facts.SSH_CLIENT_KEY}
    hostKey: ${facts.SSH_HOST_KEY}
${owner}`
}
