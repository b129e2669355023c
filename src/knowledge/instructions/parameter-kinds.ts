/**
 * Typed parameter kinds. A runbook parameter names one of these; the kind decides how a value is
 * recognised in free text, how it is validated, and so what may ever reach a rendered script.
 * Free text never enters a script: every kind has a closed character set.
 * @module
 */

export const PARAMETER_KINDS = [
  'username',
  'group',
  'hostname',
  'unc_path',
  'email',
  'application',
  'printer',
  'package_name',
  'system',
  'platform',
  'enum',
  'error_code',
  'url',
  // Operations on machines and groups (docs/operations.md).
  'service',
  'process',
  'package',
  'path',
  // A file in the files directory (HELPDESK_FILES_DIRECTORY), named relative to it.
  'file_name',
  'port',
  'hours',
  'version',
] as const

export type ParameterKind = (typeof PARAMETER_KINDS)[number]

/** The target systems an account may live in. */
export const ACCOUNT_SYSTEMS = ['active_directory', 'aws_iam', 'local'] as const
export type AccountSystem = (typeof ACCOUNT_SYSTEMS)[number]

/** The operating systems a device may run; decides which script executor a step uses. */
export const PLATFORMS = ['windows', 'linux', 'macos'] as const
export type Platform = (typeof PLATFORMS)[number]
