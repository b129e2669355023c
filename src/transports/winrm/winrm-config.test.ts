import { describe, expect, it } from 'vitest'
import { endpointScheme, loadWinRmConfig } from './winrm-config.ts'

describe('WinRM configuration', () => {
  it('defaults to NTLM over HTTPS with the public roots', () => {
    expect(loadWinRmConfig({})).toEqual({ allowHttp: false, authentication: 'ntlm' })
    expect(endpointScheme(5986, loadWinRmConfig({}))).toBe('https')
    expect(endpointScheme(44_123, loadWinRmConfig({}))).toBe('https')
  })

  it('reads WINRM_CA_FILE, WINRM_ALLOW_HTTP and WINRM_AUTH, naming a bad value', () => {
    expect(
      loadWinRmConfig({
        WINRM_CA_FILE: '/etc/helpdesk/ca.pem',
        WINRM_ALLOW_HTTP: 'true',
        WINRM_AUTH: 'basic',
      }),
    ).toEqual({ caFile: '/etc/helpdesk/ca.pem', allowHttp: true, authentication: 'basic' })
    expect(() => loadWinRmConfig({ WINRM_ALLOW_HTTP: 'yes' })).toThrow(
      /WINRM_ALLOW_HTTP: expected true or false/,
    )
    expect(() => loadWinRmConfig({ WINRM_AUTH: 'kerberos' })).toThrow(
      /WINRM_AUTH: expected ntlm or basic/,
    )
    expect(() => loadWinRmConfig({ WINRM_CA_FILE: 'ca.pem' })).toThrow(
      /WINRM_CA_FILE: expected an absolute path/,
    )
  })

  it('uses plain HTTP only on port 5985, only when allowed, and never with Basic', () => {
    expect(() => endpointScheme(5985, loadWinRmConfig({}))).toThrow(/WINRM_ALLOW_HTTP=true/)
    expect(endpointScheme(5985, loadWinRmConfig({ WINRM_ALLOW_HTTP: 'true' }))).toBe('http')
    expect(() =>
      endpointScheme(5985, loadWinRmConfig({ WINRM_ALLOW_HTTP: 'true', WINRM_AUTH: 'basic' })),
    ).toThrow(/password in clear/)
  })
})
