import { describe, expect, it } from 'vitest'
import {
  splitClauses,
  splitMarkedClauses,
  statesNoProblem,
  withoutNoProblem,
} from './clause-splitter.ts'

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
    // Two subjects of one "are fine" stay one clause: neither is a request.
    [
      "I can't hear anyone in Zoom. Windows sounds and Teams calls are OK.",
      ["I can't hear anyone in Zoom.", 'Windows sounds and Teams calls are OK.'],
    ],
    ['Teams and Outlook work fine', ['Teams and Outlook work fine']],
    // ...but a request before a singular "is fine" is still its own clause.
    ['reset my password and the printer is fine', ['reset my password', 'the printer is fine']],
    [
      "my pc is crawling, and on top of that the vpn won't connect",
      ['my pc is crawling', "the vpn won't connect"],
    ],
    [
      'share access denied, and since you are at it reset my password',
      ['share access denied', 'reset my password'],
    ],
  ])('%j', (text, expected) => {
    expect(splitClauses(text).filter((part) => part.length > 3 || expected.includes(part))).toEqual(
      expected.filter((part) => part.length > 3),
    )
  })
})

describe('a clause that only says something works', () => {
  it.each([
    ['Windows sounds and Teams calls are OK.', true],
    ['Teams and Outlook work fine', true],
    ['Windows sounds', false],
    ['the printer is offline', false],
    ['Sound on my computer otherwise is normal.', true],
    ['(the internet works fine)', true],
    // A negated "works" is the problem itself.
    ['my printer is not working', false],
    ["the scanner isn't working", false],
    ['vpn stopped working', false],
  ])('%j states no problem: %s', (clause, expected) => {
    expect(statesNoProblem(clause)).toBe(expected)
  })
})

describe('clauses the writer set apart as requests', () => {
  it.each([
    [
      "wifi is flaky in the east wing, while you're at it the printer shows jobs stuck",
      [true, true],
    ],
    ['reset my password and I also need Jira access', [true, true]],
    ['1) outlook says disconnected 2) my second monitor is black', [true, true]],
    ['VPN error 809. Also, the printer is jammed. It is urgent.', [true, true, false]],
    ["excel freezing since this morning, it's month end close today", [false, false]],
    ['my laptop is slow and the fan is loud', [false, false]],
    // "and on top of that", "and since you're at it": the announcing words after "and" count.
    ["my pc is crawling, and on top of that the vpn won't connect", [true, true]],
    [
      "access denied on the legal share, and since you're at it, could you reset my password",
      [true, true],
    ],
    ['printer offline. On top of that, excel freezes', [true, true]],
  ])('%j', (text, expected) => {
    expect(splitMarkedClauses(text).map((clause) => clause.announced)).toEqual(expected)
  })
})

describe('a clause without its asides that say something works', () => {
  it.each([
    ['locked out of my account, password is right.', 'locked out of my account'],
    ["I'm locked out (password is right, it's just locked)", "I'm locked out, it's just locked"],
    ['Outlook shows Disconnected but my internet is fine', 'Outlook shows Disconnected'],
    ['Windows sounds and Teams calls are OK.', ''],
    ['Teams, Outlook are fine', ''],
    ['my printer is offline', 'my printer is offline'],
  ])('%j -> %j', (clause, expected) => {
    expect(withoutNoProblem(clause)).toBe(expected)
  })
})

describe('fine clauses for the clause gate', () => {
  it.each([
    [
      'laptop gets very hot then bluescreens with CRITICAL_PROCESS_DIED',
      ['laptop gets very hot', 'bluescreens with CRITICAL_PROCESS_DIED'],
      ['start', 'then'],
    ],
    [
      'acrobat keeps crashing on launch, can you install the newest version instead',
      ['acrobat keeps crashing on launch', 'can you install the newest version instead'],
      ['start', 'comma'],
    ],
    [
      'cant sign into teams since my password change, code caa70004',
      ['cant sign into teams', 'my password change, code caa70004'],
      ['start', 'cause'],
    ],
    [
      'outlook says disconnected. also my P: drive vanished',
      ['outlook says disconnected.', 'my P: drive vanished'],
      ['start', 'announce'],
    ],
    [
      'my printer shows offline. restarted it twice',
      ['my printer shows offline.', 'restarted it twice'],
      ['start', 'sentence'],
    ],
    // A consequence is a clause of its own: the cause may be one request, the effect another.
    [
      'my account is locked, so the vpn fails',
      ['my account is locked', 'the vpn fails'],
      ['start', 'cause'],
    ],
    [
      "I got locked out of windows so now teams won't sign me in",
      ['I got locked out of windows', "teams won't sign me in"],
      ['start', 'cause'],
    ],
    [
      'password expired which means outlook keeps asking for it',
      ['password expired', 'outlook keeps asking for it'],
      ['start', 'cause'],
    ],
    [
      'my pc keeps blue screening, now outlook is not updating',
      ['my pc keeps blue screening', 'outlook is not updating'],
      ['start', 'comma'],
    ],
    // "so" as an intensifier ("so slow", "so hot that") is not a joiner.
    ['my laptop is so slow I cannot work', ['my laptop is so slow I cannot work'], ['start']],
    ['it gets so hot that it shuts off', ['it gets so hot that it shuts off'], ['start']],
    // Without `commas`, a comma before no request keeps the clause whole.
    [
      'excel extremely slow on one workbook, typing a number takes 10 seconds',
      ['excel extremely slow on one workbook, typing a number takes 10 seconds'],
      ['start'],
    ],
  ])('%j', (text, texts, joiners) => {
    const clauses = splitMarkedClauses(text, { fine: true })
    expect(clauses.map((clause) => clause.text)).toEqual(texts)
    expect(clauses.map((clause) => clause.joiner)).toEqual(joiners)
  })

  it('passes an announcing joiner on across a piece too short to keep', () => {
    // ", and since you're at it, could you": the empty piece between the joiner and the comma
    // before the request must not swallow the announcement.
    const clauses = splitMarkedClauses(
      "access denied on the legal share, and since you're at it, could you reset my password",
      { fine: true },
    )
    expect(clauses.map((clause) => [clause.text, clause.joiner, clause.announced])).toEqual([
      ['access denied on the legal share', 'start', true],
      ['could you reset my password', 'announce', true],
    ])
  })

  it('cuts at every comma when asked', () => {
    expect(
      splitMarkedClauses('teams wont sign in, outlook says trying to connect', {
        fine: true,
        commas: true,
      }).map((clause) => [clause.text, clause.joiner]),
    ).toEqual([
      ['teams wont sign in', 'start'],
      ['outlook says trying to connect', 'comma'],
    ])
  })

  it('leaves the coarse clauses of other callers as they were', () => {
    expect(splitClauses('laptop gets very hot then bluescreens')).toEqual([
      'laptop gets very hot then bluescreens',
    ])
  })
})
