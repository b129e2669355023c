import { describe, expect, it } from 'vitest'
import { withoutDismissal } from './dismissal.ts'

describe('a dismissed topic before a new one', () => {
  it.each([
    [
      "actually forget the printer, my vpn gives error 809 and that's more urgent",
      "my vpn gives error 809 and that's more urgent",
    ],
    ['never mind the printer. outlook is not syncing', 'outlook is not syncing'],
    ['ok scratch that, I need Visio installed', 'I need Visio installed'],
    ['nevermind, my wifi keeps dropping instead', 'my wifi keeps dropping instead'],
    ['forget about the jira thing; teams shows caa20002', 'teams shows caa20002'],
  ])('%j -> %j', (message, rest) => {
    expect(withoutDismissal(message)).toBe(rest)
  })

  it.each([
    'I forgot my password',
    'forget the printer',
    'never mind',
    'my laptop keeps forgetting the wifi password, can you help',
  ])('%j has no dismissal with a new topic after it', (message) => {
    expect(withoutDismissal(message)).toBeUndefined()
  })
})
