import { samAccountNameProblem } from './active-directory/directory-names.ts'

/**
 * Each account system's own rules for a user name, stricter than the `username` parameter kind
 * (which admits what any system might). Checked when a plan is filled, before anything is
 * rendered, so a name the system would refuse or read differently is asked for again, and
 * again by each executor right before it calls the system (defence in depth).
 * @module
 */

/** IAM user names: 1 to 64 of letters, digits and `+ = , . @ _ -` (the IAM API's own rule). */
export const IAM_USER_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/

const RULES: Readonly<
  Record<string, { system: string; rule: string; problem: (name: string) => string | undefined }>
> = {
  active_directory: {
    system: 'Active Directory',
    rule: 'a sAMAccountName has at most 20 characters, does not end with a dot and has none of " / \\ [ ] : ; | = , + * ? < > @',
    problem: samAccountNameProblem,
  },
  aws_iam: {
    system: 'AWS IAM',
    rule: 'an IAM user name is 1 to 64 of the letters, digits and + = , . @ _ -',
    problem: (name) =>
      IAM_USER_NAME.test(name)
        ? undefined
        : name.length > 64
          ? 'username is longer than 64 characters'
          : 'username has a character IAM does not allow',
  },
}

/**
 * Why `name` cannot be a user name in `system`, naming the system and its rule; undefined when
 * it can, or when the system has no rules beyond the parameter kind's.
 */
export function accountNameProblem(system: string, name: string): string | undefined {
  const rules = RULES[system]
  const problem = rules?.problem(name)
  if (!rules || problem === undefined) return undefined
  const shown = name.length > 60 ? `${name.slice(0, 57)}...` : name
  return `"${shown}" cannot be an ${rules.system} username (${problem}): ${rules.rule}`
}
