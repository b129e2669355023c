/**
 * An inventory entry for a Windows machine over WinRM on loopback, as the dialogue tests write
 * them: only the name and what the test is about (class, owner, description) change.
 */
export function windowsMachine(name: string, extra: Record<string, unknown>) {
  return {
    name,
    host: '127.0.0.1',
    os: 'windows' as const,
    transport: 'winrm' as const,
    username: 'helpdesk',
    credential: 'env:WINRM_PASSWORD',
    ...extra,
  }
}
