import { checkBashSyntax } from '../rendering/bash-syntax.ts'
import { findInvisibleCharacter } from '../rendering/invisible-characters.ts'
import { checkPowerShellSyntax, loadPowerShellGrammar } from '../rendering/powershell-syntax.ts'

/**
 * What a script a model proposes (for a request no runbook covers) must pass before a technician
 * even sees it: a size limit, no control characters, a clean parse, and a deny-list of actions a
 * helpdesk never takes on its own, whatever it was asked. Passing does not make a script safe:
 * every proposal still needs a technician's per-step approval, and shows the script in full.
 * @module
 */

export type ScriptLanguage = 'bash' | 'powershell'

export const PROPOSED_SCRIPT_LIMIT = 8000

/** Each rule names what it refuses, so the refusal says why. Matched case-insensitively. */
const DENY_LIST: ReadonlyArray<{
  reason: string
  pattern: RegExp
  languages?: readonly ScriptLanguage[]
}> = [
  {
    reason: 'deletes the root file system',
    pattern:
      /\brm\s+(-[a-z]*\s+)*-[a-z]*[rf][a-z]*\s+(-[a-z]*\s+)*(--no-preserve-root\s+)?\/(\*|\s|$)/i,
  },
  {
    reason: 'formats or overwrites a disk',
    pattern:
      /\b(mkfs(\.\w+)?|wipefs|format-volume|clear-disk|format\s+[a-z]:)|\bdd\b[^\n]*\bof=\/dev\//i,
  },
  {
    reason: 'deletes user accounts',
    pattern:
      /\b(userdel|deluser|remove-aduser|remove-localuser|remove-mguser)\b|\bnet\s+user\s+\S+\s+\/del(ete)?\b/i,
  },
  {
    reason: 'touches privileged groups (Domain, Enterprise or Schema Admins, Administrators)',
    pattern:
      /(domain|enterprise|schema)\s+admins|\bbuiltin\\administrators\b|\badd-localgroupmember\b[^\n]*\badministrators\b|\busermod\b[^\n]*-a?G\s*(sudo|wheel|root)\b/i,
  },
  {
    reason: 'downloads and runs code',
    pattern:
      /\b(curl|wget)\b[^\n|]*\|\s*(sudo\s+)?(ba|z|k)?sh\b|downloadstring|downloadfile|invoke-webrequest[^\n]*\|\s*(iex|invoke-expression)|\b(iex|invoke-expression)\b/i,
  },
  {
    reason: 'weakens security settings',
    pattern:
      /set-executionpolicy\s+(unrestricted|bypass)|set-mppreference[^\n]*-disable|\bsetenforce\s+0\b|\bufw\s+disable\b|netsh\s+advfirewall\s+set\s+\w+\s+state\s+off/i,
  },
  {
    reason: 'reads or changes stored credentials',
    pattern:
      /\/etc\/shadow|\bsam\b.*\bsystem\b|mimikatz|sekurlsa|convertfrom-securestring|\bchpasswd\b|\bpasswd\s+root\b/i,
  },
  { reason: 'a fork bomb', pattern: /:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/ },
  {
    reason: 'stops or restarts the machine',
    pattern: /\b(shutdown|poweroff|halt|reboot|init\s+[06]|stop-computer|restart-computer)\b/i,
  },
]

export type ScriptVerdict = { ok: true } | { ok: false; problems: string[] }

/** Every reason the script is refused; `ok` only when there is none. */
export async function checkProposedScript(
  language: ScriptLanguage,
  script: string,
): Promise<ScriptVerdict> {
  const problems: string[] = []
  if (script.trim().length === 0) problems.push('the script is empty')
  if (script.length > PROPOSED_SCRIPT_LIMIT)
    problems.push(`the script is longer than ${PROPOSED_SCRIPT_LIMIT} characters`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(script))
    problems.push('the script contains control characters')
  // Trojan Source: a bidi override or zero-width character makes the script an approver reads
  // differently from the one that runs.
  const invisible = findInvisibleCharacter(script)
  if (invisible) {
    problems.push(
      `the script contains ${invisible.description} (character ${invisible.index + 1}), an invisible character an approver cannot see`,
    )
  }
  for (const rule of DENY_LIST) {
    if ((!rule.languages || rule.languages.includes(language)) && rule.pattern.test(script)) {
      problems.push(`refused by policy: it ${rule.reason}`)
    }
  }
  if (language === 'bash') {
    const syntax = checkBashSyntax(script)
    if (!syntax.ok)
      problems.push(`bash -n: line ${syntax.errors[0]?.line}: ${syntax.errors[0]?.message}`)
  } else {
    await loadPowerShellGrammar()
    const syntax = checkPowerShellSyntax(script)
    if (!syntax.ok)
      problems.push(
        `PowerShell syntax: line ${syntax.errors[0]?.line}: ${syntax.errors[0]?.message}`,
      )
  }
  return problems.length ? { ok: false, problems } : { ok: true }
}
