import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/load-config.ts'
import { isHelpdeskError } from '../../errors/index.ts'
import { claimValues, parseRoleMap, roleFromClaims, usernameFromClaims } from './role-mapping.ts'

function thrown(work: () => unknown): { code: string; message: string } {
  try {
    work()
  } catch (error) {
    if (isHelpdeskError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected an error')
}

describe('OIDC_ROLE_MAP', () => {
  it('maps provider values to roles', () => {
    const map = parseRoleMap(
      'helpdesk-admins=admin, helpdesk-techs=technician,Staff Users=requester',
    )
    expect([...map]).toEqual([
      ['helpdesk-admins', 'admin'],
      ['helpdesk-techs', 'technician'],
      ['Staff Users', 'requester'],
    ])
  })

  it.each([
    ['helpdesk-admins=root', /entry "helpdesk-admins=root".*one of requester, technician, admin/],
    ['helpdesk-admins', /entry "helpdesk-admins": expected VALUE=ROLE/],
    ['a=admin,,b=technician', /entry "": expected VALUE=ROLE/],
    ['=admin', /entry "=admin"/],
    ['a=admin,a=technician', /names "a" twice/],
  ])('refuses %s whole, naming the entry', (text, message) => {
    const error = thrown(() => parseRoleMap(text))
    expect(error.code).toBe('INVALID_CONFIGURATION')
    expect(error.message).toMatch(message)
  })
})

describe('roles from claims', () => {
  const map = parseRoleMap('helpdesk-admins=admin,helpdesk-techs=technician')

  it('takes the highest mapped role; unmapped people are requesters', () => {
    expect(
      roleFromClaims({ groups: ['staff', 'helpdesk-techs', 'helpdesk-admins'] }, 'groups', map),
    ).toBe('admin')
    expect(roleFromClaims({ groups: ['helpdesk-techs'] }, 'groups', map)).toBe('technician')
    expect(roleFromClaims({ groups: 'helpdesk-techs' }, 'groups', map)).toBe('technician')
    expect(roleFromClaims({ groups: ['staff'] }, 'groups', map)).toBe('requester')
    expect(roleFromClaims({}, 'groups', map)).toBe('requester')
    // Without a map nobody is raised, whatever their groups are called.
    expect(roleFromClaims({ groups: ['admin'] }, 'groups', new Map())).toBe('requester')
  })

  it('reads a dotted claim (Keycloak realm roles) and ignores values that are not strings', () => {
    const claims = { realm_access: { roles: ['offline_access', 'helpdesk-admins'] } }
    expect(roleFromClaims(claims, 'realm_access.roles', map)).toBe('admin')
    expect(claimValues({ groups: [1, { name: 'x' }, 'a'] }, 'groups')).toEqual(['a'])
    expect(claimValues({ groups: { a: 1 } }, 'groups')).toEqual([])
    expect(claimValues({ realm_access: 'x' }, 'realm_access.roles')).toEqual([])
  })
})

describe('usernames from claims', () => {
  it('takes a valid username whole', () => {
    expect(usernameFromClaims({ preferred_username: 'maria.garcia' }, 'preferred_username')).toBe(
      'maria.garcia',
    )
  })

  it('removes exactly @OIDC_USERNAME_DOMAIN, and refuses other domains', () => {
    expect(usernameFromClaims({ upn: 'jdoe@Contoso.com' }, 'upn', 'contoso.com')).toBe('jdoe')
    const error = thrown(() =>
      usernameFromClaims({ upn: 'jdoe@evil.example' }, 'upn', 'contoso.com'),
    )
    expect(error.code).toBe('FORBIDDEN')
    expect(error.message).toMatch(/"upn" claim "jdoe@evil.example" is not a helpdesk username/)
  })

  it('refuses a missing claim, an invalid name and the reserved anonymous', () => {
    expect(thrown(() => usernameFromClaims({}, 'preferred_username')).message).toMatch(
      /no "preferred_username" claim.*OIDC_USERNAME_CLAIM/,
    )
    expect(
      thrown(() =>
        usernameFromClaims({ preferred_username: 'jdoe@contoso.com' }, 'preferred_username'),
      ).message,
    ).toMatch(/set OIDC_USERNAME_DOMAIN/)
    expect(
      thrown(() => usernameFromClaims({ preferred_username: 'anonymous' }, 'preferred_username'))
        .message,
    ).toMatch(/reserved/)
  })
})

describe('OIDC configuration', () => {
  const complete = {
    OIDC_ISSUER: 'https://login.example.com/tenant/v2.0',
    OIDC_CLIENT_ID: 'helpdesk',
    OIDC_REDIRECT_URL: 'https://helpdesk.example.com/auth/callback',
  }

  it('has defaults for the claims, scopes and session length', () => {
    const config = loadConfig(complete)
    expect(config).toMatchObject({
      OIDC_SCOPES: 'openid profile email',
      OIDC_ROLE_CLAIM: 'groups',
      OIDC_USERNAME_CLAIM: 'preferred_username',
      OIDC_SESSION_HOURS: 8,
    })
  })

  it.each([
    [{ OIDC_ISSUER: complete.OIDC_ISSUER }, /OIDC_CLIENT_ID: is required with OIDC_ISSUER/],
    [
      { ...complete, OIDC_REDIRECT_URL: 'https://helpdesk.example.com/callback' },
      /OIDC_REDIRECT_URL: must end in \/auth\/callback/,
    ],
    [{ ...complete, OIDC_CLIENT_SECRET: 'hunter2' }, /OIDC_CLIENT_SECRET: expected a reference/],
    [
      { ...complete, OIDC_ROLE_MAP: 'admins=boss' },
      /OIDC_ROLE_MAP: OIDC_ROLE_MAP entry "admins=boss"/,
    ],
    [{ ...complete, OIDC_SCOPES: 'profile email' }, /OIDC_SCOPES: must include openid/],
    [
      { ...complete, HELPDESK_AUTH: 'none' },
      /HELPDESK_AUTH: must be token when OIDC_ISSUER is set/,
    ],
  ])('refuses %o', (environment, message) => {
    const error = thrown(() => loadConfig(environment))
    expect(error.code).toBe('INVALID_CONFIGURATION')
    expect(error.message).toMatch(message)
    // The refused secret's value is never echoed.
    expect(error.message).not.toContain('hunter2')
  })
})
