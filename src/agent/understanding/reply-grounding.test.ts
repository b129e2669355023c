import { describe, expect, it } from 'vitest'
import { checkGrounded, type ReplyFacts } from './reply-grounding.ts'

const FACTS: ReplyFacts = {
  reply:
    '**Unlock a locked-out account and find what keeps locking it** (username: maria.garcia, system: active_directory)\nThis is a dry run: nothing has been changed.',
  message: 'user maria.garcia is locked out since 9:30',
  planned: [
    {
      id: 'account_locked',
      title: 'Unlock a locked-out account and find what keeps locking it',
      values: ['maria.garcia', 'active_directory'],
    },
  ],
  runbooks: [
    { id: 'account_locked', title: 'Unlock a locked-out account and find what keeps locking it' },
    { id: 'password_reset', title: 'Reset a forgotten or expired password' },
  ],
  verbatim: [],
}

describe('checkGrounded: a written reply says only what the plan says', () => {
  it.each([
    'I have prepared the unlock of maria.garcia. It is a dry run, so nothing has changed yet.',
    'You have been locked out since 9:30; the unlock of maria.garcia is ready (dry run).',
  ])('accepts %j', (written) => {
    expect(checkGrounded(written, FACTS)).toEqual({ ok: true })
  })

  it.each([
    ['', 'the written reply is empty'],
    ['x'.repeat(4001), 'the written reply is longer than 4000 characters'],
    [
      'Unlocked maria.garcia and ran password_reset too.',
      'the written reply names "password_reset", which is not in the plan',
    ],
    [
      'I will Reset a forgotten or expired password for you.',
      'the written reply names "password_reset", which is not in the plan',
    ],
    ['Unlocked j.doe as asked.', 'the written reply mentions "j.doe", which is not in the plan'],
    ['Unlocked on LT-0423.', 'the written reply mentions "LT-0423", which is not in the plan'],
    [
      'Ran Unlock-ADAccount for you.',
      'the written reply mentions "Unlock-ADAccount", which is not in the plan',
    ],
    ['I tried 3 times.', 'the written reply mentions "3", which is not in the plan'],
  ])('rejects %j', (written, reason) => {
    expect(checkGrounded(written, FACTS)).toEqual({ ok: false, reason })
  })

  it('keeps the question and the approval ids word for word', () => {
    const facts = { ...FACTS, verbatim: ['Which account is locked?', 'apr-1234'] }
    expect(checkGrounded('Which account is locked? (request apr-1234)', facts)).toEqual({
      ok: true,
    })
    expect(checkGrounded('Which account? (request apr-1234)', facts)).toEqual({
      ok: false,
      reason: 'the written reply leaves out "Which account is locked?"',
    })
  })
})
