import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { quoteLdapFilterValue } from '../../rendering/ldap-quoting.ts'
import { groupNameProblem, samAccountNameProblem } from './directory-names.ts'
import { temporaryPassword } from './temporary-password.ts'

describe('samAccountNameProblem and groupNameProblem', () => {
  it('accept ordinary login and group names', () => {
    for (const name of ['jdoe', 'maria.garcia', 'svc_backup-01', 'a', 'x'.repeat(20)]) {
      expect(samAccountNameProblem(name), name).toBeUndefined()
    }
    for (const name of ['jira-users', 'Finance Share RW', 'g'.repeat(64)]) {
      expect(groupNameProblem(name), name).toBeUndefined()
    }
  })

  it.each([
    ['', /missing/],
    ['x'.repeat(21), /longer than 20/],
    ['*', /"\*"/],
    ['*)(sAMAccountName=*', /"\*"/],
    ['jdoe@corp.example.com', /not an email address/],
    ['CORP\\jdoe', /"\\"/],
    ['a,b', /","/],
    ['tab\there', /control character/],
    ['nul\0', /control character/],
    [' jdoe', /space/],
    ['jdoe.', /dot/],
    ['...', /dot/],
    ['ad\u200bministrator', /U\+200B ZERO WIDTH SPACE/],
    ['jdoe\u202e', /U\+202E RIGHT-TO-LEFT OVERRIDE/],
  ])('refuses the username %j', (name, message) => {
    expect(samAccountNameProblem(name)).toMatch(message)
  })

  it('refuses a value that is not text', () => {
    expect(samAccountNameProblem(42)).toMatch(/missing/)
    expect(groupNameProblem(undefined)).toMatch(/missing/)
  })

  it('lets through no wildcard, escape or NUL, whatever the input', () => {
    // Defence in depth: even unquoted, an accepted name could not widen a search. Parentheses
    // are legal in AD names; the filter quoting takes care of them.
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (name) => {
        if (samAccountNameProblem(name) === undefined) {
          expect(name).not.toMatch(/[*\\\0]/)
          expect(quoteLdapFilterValue(name)).not.toContain('\\2a')
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('temporaryPassword', () => {
  it('has 20 characters of all four classes, and differs every time', () => {
    const seen = new Set<string>()
    for (let round = 0; round < 200; round += 1) {
      const password = temporaryPassword(['alice'])
      expect(password).toHaveLength(20)
      expect(password).toMatch(/[A-Z]/)
      expect(password).toMatch(/[a-z]/)
      expect(password).toMatch(/[0-9]/)
      expect(password).toMatch(/[^A-Za-z0-9]/)
      expect(password).not.toMatch(/["'\s]/)
      seen.add(password)
    }
    expect(seen.size).toBe(200)
  })

  it('never contains a name part of three or more characters', () => {
    // A two-letter alphabet of the name's own letters would make a hit likely if it were allowed.
    for (let round = 0; round < 500; round += 1) {
      expect(temporaryPassword(['abc', 'Kim Lee']).toLowerCase()).not.toMatch(/abc|kim|lee/)
    }
  })
})
