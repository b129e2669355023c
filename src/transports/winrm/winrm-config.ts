import { HelpdeskError } from '../../errors/index.ts'

/**
 * WinRM settings from the environment:
 * - `WINRM_CA_FILE`: PEM file with the CA certificate(s) that signed the WinRM HTTPS listeners'
 *   certificates. When set, only these are trusted (an internal CA, not the public ones); unset,
 *   Node's bundled public roots are used. Certificates are always verified, host name included.
 * - `WINRM_ALLOW_HTTP`: `true` lets targets on port 5985 (WinRM's HTTP listener, the convention
 *   Ansible also follows) be reached without TLS. Off by default: NTLM sealing of messages is not
 *   implemented, so over HTTP the Windows side must also allow unencrypted traffic.
 * - `WINRM_AUTH`: `ntlm` (default; the password never crosses the wire) or `basic` (local accounts
 *   only on Windows, and refused over plain HTTP since it would send the password in clear).
 * @module
 */

export interface WinRmConfig {
  caFile?: string
  allowHttp: boolean
  authentication: 'ntlm' | 'basic'
}

const HTTP_PORT = 5985
export const HTTPS_PORT = 5986

export function loadWinRmConfig(environment: NodeJS.ProcessEnv = process.env): WinRmConfig {
  const allowHttp = environment.WINRM_ALLOW_HTTP ?? 'false'
  if (allowHttp !== 'true' && allowHttp !== 'false') {
    throw invalid('WINRM_ALLOW_HTTP', 'expected true or false')
  }
  const authentication = environment.WINRM_AUTH ?? 'ntlm'
  if (authentication !== 'ntlm' && authentication !== 'basic') {
    throw invalid('WINRM_AUTH', 'expected ntlm or basic')
  }
  const caFile = environment.WINRM_CA_FILE
  if (caFile !== undefined && caFile !== '' && !caFile.startsWith('/')) {
    throw invalid('WINRM_CA_FILE', 'expected an absolute path to a PEM file')
  }
  return { ...(caFile ? { caFile } : {}), allowHttp: allowHttp === 'true', authentication }
}

/** https, or http only for port 5985 and only when allowed; refuses Basic over plain HTTP. */
export function endpointScheme(port: number, config: WinRmConfig): 'https' | 'http' {
  if (port !== HTTP_PORT) return 'https'
  if (!config.allowHttp) {
    throw invalid(
      'WINRM_ALLOW_HTTP',
      'port 5985 is WinRM over plain HTTP; use the HTTPS listener on 5986, or set WINRM_ALLOW_HTTP=true',
    )
  }
  if (config.authentication === 'basic') {
    throw invalid(
      'WINRM_AUTH',
      'Basic authentication over plain HTTP would send the password in clear',
    )
  }
  return 'http'
}

function invalid(name: string, reason: string): HelpdeskError {
  return new HelpdeskError({
    code: 'INVALID_CONFIGURATION',
    message: `${name}: ${reason}`,
    details: { variable: name },
  })
}
