import { describe, expect, it } from 'vitest'
import { loadConfig } from './load-config.ts'

// The sign-in settings: validated whole, refused with the variable's name.

describe('sign-in settings', () => {
  it('default to 90-day tokens, no trusted proxy and no given admin token', () => {
    const config = loadConfig({})
    expect(config.HELPDESK_TOKEN_TTL_DAYS).toBe(90)
    expect(config.HELPDESK_TRUST_PROXY).toBe(false)
    expect(config.HELPDESK_ADMIN_TOKEN_FILE).toBeUndefined()
    const set = loadConfig({
      HELPDESK_TOKEN_TTL_DAYS: '7',
      HELPDESK_TRUST_PROXY: 'true',
      HELPDESK_ADMIN_TOKEN_FILE: '/run/secrets/admin-token',
    })
    expect(set).toMatchObject({
      HELPDESK_TOKEN_TTL_DAYS: 7,
      HELPDESK_TRUST_PROXY: true,
      HELPDESK_ADMIN_TOKEN_FILE: '/run/secrets/admin-token',
    })
  })

  it.each([
    ['HELPDESK_TOKEN_TTL_DAYS', '0'],
    ['HELPDESK_TOKEN_TTL_DAYS', '1.5'],
    ['HELPDESK_TOKEN_TTL_DAYS', '3651'],
    ['HELPDESK_TOKEN_TTL_DAYS', 'ninety'],
    ['HELPDESK_TRUST_PROXY', 'maybe'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `))
  })
})
