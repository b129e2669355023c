import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { loadInstructions } from '../src/knowledge/instructions/instruction-loader.ts'
import type { ParameterSpec } from '../src/knowledge/instructions/instruction-schema.ts'
import { renderBash } from '../src/rendering/script-renderer.ts'

const TASK_TYPES = [
  'password_reset',
  'account_locked',
  'jira_access_request',
  'access_jira',
  'shared_drive_access',
  'outlook_sync',
  'outlook_not_syncing',
  'teams_not_signing_in',
  'zoom_audio_not_working',
  'application_crashing',
  'software_install_request',
  'laptop_overheating',
  'monitor_not_detected',
  'printer_not_working',
  'no_sound_windows',
  'vpn_troubleshooting',
  'vpn_not_connecting',
  'wifi_not_working',
  'laptop_running_slow',
  'blue_screen_error',
  'excel_freezing',
  'onedrive_sync_issue',
  'email_delivery_failed',
]

const instructions = await loadInstructions('data/instructions')

/** A valid value of each kind, with a quote in it wherever the kind allows none... none do. */
function sample(spec: ParameterSpec): string {
  const samples: Partial<Record<ParameterSpec['kind'], string>> = {
    username: 'jdoe',
    group: 'jira-users',
    hostname: 'LT-0423',
    unc_path: '\\\\fs01\\finance',
    email: 'jane.doe@example.com',
    application: 'Adobe Acrobat',
    printer: 'PRN-3F-EAST',
    package_name: '7zip.7zip',
    error_code: '809',
    url: 'https://jira.example.com',
  }
  return (
    samples[spec.kind] ??
    Object.keys(spec.values ?? {})[0] ??
    spec.systems?.[0] ??
    spec.platforms?.[0] ??
    'x'
  )
}

describe('the runbook corpus', () => {
  it('has exactly one runbook for each of the 23 request types', () => {
    expect(instructions.map((each) => each.id).sort()).toEqual([...TASK_TYPES].sort())
  })

  it('has no example request shared by two runbooks', () => {
    const owners = new Map<string, string>()
    for (const instruction of instructions) {
      for (const example of instruction.examples) {
        const key = example.toLowerCase().trim()
        expect(
          owners.get(key),
          `"${example}" in ${instruction.id} and ${owners.get(key)}`,
        ).toBeUndefined()
        owners.set(key, instruction.id)
      }
    }
  })

  for (const instruction of instructions) {
    it(`${instruction.id}: every Bash script renders and passes bash -n`, () => {
      for (const action of instruction.actions) {
        const scripts = [action.executor === 'bash' ? action.script : undefined]
        if (action.executor === 'bash')
          scripts.push(action.verification?.script, action.rollback?.script)
        for (const script of scripts) {
          if (!script) continue
          const bindings = action.uses.map((name) => {
            const spec = instruction.parameters.find((each) => each.name === name)
            return { name, value: spec ? sample(spec) : 'x' }
          })
          const rendered = renderBash(script, bindings)
          const check = spawnSync('bash', ['-n'], { input: rendered.script, encoding: 'utf8' })
          expect(check.status, `${instruction.id}.${action.id}: ${check.stderr}`).toBe(0)
        }
      }
    })

    it(`${instruction.id}: scripts never evaluate text as code`, () => {
      for (const action of instruction.actions) {
        for (const script of [
          action.script,
          action.verification?.script,
          action.rollback?.script,
        ]) {
          if (!script) continue
          expect(script, `${instruction.id}.${action.id}`).not.toMatch(
            /\bInvoke-Expression\b|\biex\b|\beval\b|bash -c "\$|\[scriptblock\]::Create/i,
          )
        }
      }
    })
  }
})
