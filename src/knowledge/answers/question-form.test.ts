import { describe, expect, it } from 'vitest'
import { questionFormOf } from './question-form.ts'

describe('questionFormOf', () => {
  it.each([
    'how do I map a network drive',
    'How can I add a shared mailbox to Outlook?',
    'how should I set up outlook on my second laptop',
    'how to turn on cached exchange mode',
    'what should I do when excel freezes',
    'what do I do if the printer says offline',
    "what's the best way to keep my laptop from overheating",
    'what is the procedure for adding a calendar in outlook',
    'where do I find my computer name',
    'is there a way to make outlook keep all my mail offline',
    'Hi, how do I force a send and receive in outlook?',
    'hello team, quick question: how can we show the room calendar in outlook',
    'how do i get my work calendar on my iphone',
    'How do I stop my wifi dropping after sleep',
    'quick q - how do i add a printer at home?',
    'random question, how do I change my desktop background',
    // A short aside after the question is no second request.
    "where do I find my computer's name? IT keeps asking me for it",
    // What the employee can try themselves, and a question that goes on from the last one.
    'what can I try myself when excel freezes on big workbooks?',
    'is there anything I can do first while I wait?',
    'and how do I get it on my phone as well?',
    'thanks! also, how do I show the room calendar?',
  ])('"%s" is a how-to question', (message) => {
    expect(questionFormOf(message)).toBe('how_to')
  })

  it.each([
    'why does my account keep locking',
    'Why is my laptop so slow after a few weeks?',
    "why won't my second monitor show up",
    "why doesn't teams let me sign in",
    'how come my mapped drive has a red X every morning',
    'is it normal that the G drive shows as disconnected every time I start the laptop?',
    'what does system error 1219 mean',
    'What does the stop code WHEA_UNCORRECTABLE_ERROR mean?',
    'what causes a laptop to overheat',
    'how does jira access work',
    'why does outlook say disconnected',
    'why do I have to change my password every few months? seems pointless',
  ])('"%s" is a why question', (message) => {
    expect(questionFormOf(message)).toBe('why')
  })

  it.each([
    // Requests to act, asked as questions.
    'how do I get my password reset',
    'how can I get my account unlocked',
    'how do I get access to the finance share',
    'how do I request jira access',
    'how do I get admin rights on my laptop',
    'how do I get my S drive back',
    'how can I have zoom installed',
    'how do I reset my password',
    'how do I unlock my account',
    'how do I install zoom on my laptop',
    'why is my laptop slow, can you check',
    'why does my vpn fail with error 809? please fix it on LT-0423',
    'how do I add the shared mailbox to my outlook please',
    'how do I map the S drive for me',
    'could you tell me why my account keeps locking',
    'can you explain how to map a drive',
    'why is my laptop slow, I need it fixed today',
    // Reports and requests, not questions.
    'my account keeps locking, please fix it',
    'my printer is not working',
    'outlook says working offline since this morning on LT-0423 windows',
    'I need access to Jira, username maria.garcia',
    'reset my password',
    'my vpn fails with error 809. how do I fix it?',
    // A question with a report after it, not a short aside.
    'how do I fix outlook? it keeps crashing every time I open the calendar since the update',
    'how do I fix outlook? it crashes. and teams too',
    'can I get a new laptop?',
    'what is the weather tomorrow',
    // A story with a question in it is the request path's.
    'how do I get outlook to download everything because I am travelling for two weeks with bad internet and need to read my old mail on the plane and right now it only keeps a few months',
    '',
  ])('"%s" is not an answerable question', (message) => {
    expect(questionFormOf(message)).toBeUndefined()
  })
})
