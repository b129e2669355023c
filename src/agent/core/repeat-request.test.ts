import { describe, expect, it } from 'vitest'
import { alsoForOf, repeatOf, repeatSubject } from './repeat-request.ts'
import type { Session } from './session.ts'

const session = (lastTasks?: string[]): Session => ({
  id: 's',
  createdAt: '',
  updatedAt: '',
  history: [],
  known: {},
  queue: [],
  ...(lastTasks ? { lastTasks } : {}),
})

describe('repeatOf ("same for maria.garcia")', () => {
  it.each([
    'same for maria.garcia',
    'Same for LT-0424 please',
    'and the same for bob',
    'ok, do the same for maria.garcia',
    'same thing for jdoe',
    'and for bob too',
    'now for maria.garcia as well',
    'likewise for LT-0424',
  ])('repeats the last tasks for %j', (message) => {
    expect(repeatOf(message, session(['password_reset', 'account_locked']))).toEqual({
      tasks: ['password_reset', 'account_locked'],
      ranked: [
        { taskType: 'password_reset', score: 1 },
        { taskType: 'account_locked', score: 1 },
      ],
    })
  })

  it.each([
    'my outlook is the same for days now',
    'the same error for everyone on the VPN',
    'for two days my laptop is slow',
    'reset the password for maria.garcia',
  ])('is not a repeat: %j', (message) => {
    expect(repeatOf(message, session(['password_reset']))).toBeUndefined()
  })

  it('needs something to repeat', () => {
    expect(repeatOf('same for maria.garcia', session())).toBeUndefined()
  })
})

describe('repeatSubject: the X of "same for X", whole', () => {
  it.each([
    ['same for maria.garcia', 'maria.garcia'],
    ['and the same for bob', 'bob'],
    ['and for bob too', 'bob'],
    ['now for maria.garcia as well', 'maria.garcia'],
    ['same for Finance Team please', 'Finance Team'],
    ["same for 'Finance Team'", 'Finance Team'],
    ['same for jdoe;rm -rf /', 'jdoe;rm -rf /'],
    ['likewise for LT-0424.', 'LT-0424'],
  ])('%j -> %j', (message, subject) => {
    expect(repeatSubject(message)).toBe(subject)
  })

  it.each(['same for the finance laptops', 'same for me', 'reset the password for maria.garcia'])(
    '%j has no subject',
    (message) => {
      expect(repeatSubject(message)).toBeUndefined()
    },
  )
})

describe('alsoForOf ("... and bob\'s too")', () => {
  it('splits one request for two people into the request and the second name', () => {
    expect(alsoForOf("reset my windows password and bob's too")).toEqual({
      main: 'reset my windows password',
      subject: 'bob',
    })
    expect(alsoForOf('unlock jdoe in active directory, and kwong as well')).toEqual({
      main: 'unlock jdoe in active directory',
      subject: 'kwong',
    })
    expect(alsoForOf('reset jdoe, and for maria.garcia too')).toEqual({
      main: 'reset jdoe',
      subject: 'maria.garcia',
    })
  })

  it('leaves "mine too", "me as well" and plain requests alone', () => {
    for (const message of [
      'my vpn is down and mine too',
      'reset the password for jdoe and me as well',
      'my laptop is slow',
      "and bob's too",
    ]) {
      expect(alsoForOf(message), message).toBeUndefined()
    }
  })
})
