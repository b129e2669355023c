import { describe, expect, it } from 'vitest'
import { HashingEmbeddingFunction } from '../embeddings/hashing-embedding-function.ts'
import { loadKnowledgeSources } from '../knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../knowledge/memory-vector-store.ts'
import { includingDecided, RetrievalRouter } from './retrieval-router.ts'
import { RoutingModel } from './routing-model.ts'

const sources = await loadKnowledgeSources({
  instructionsDirectory: 'data/instructions',
  outOfScopeFile: 'data/routing/out-of-scope.yaml',
})
const model = RoutingModel.fromKnowledge(sources.instructions, sources.outOfScope)
const router = new RetrievalRouter({
  store: new MemoryVectorStore(),
  embedding: new HashingEmbeddingFunction(),
  model,
})

describe('the learned router', () => {
  it('trains from the runbooks at start in well under a few seconds', () => {
    expect(model.trainingMilliseconds).toBeLessThan(5000)
    expect(model.classifier.labels).toContain('vpn_not_connecting')
    expect(model.classifier.labels).toContain('out_of_scope:chit_chat')
  })

  it.each([
    ['vpn error 809 when I connect from home', 'vpn_not_connecting'],
    ['my outlok stoped syncing, new mail is in webmail but not in outlook', 'outlook_not_syncing'],
    ['can i get visio installed on my laptop', 'software_install_request'],
    // Words the runbooks' examples do not use (with or without the installed word vectors).
    ['my speakers are mute', 'no_sound_windows'],
    ['my notebook is roasting', 'laptop_overheating'],
    ['the application keeps terminating abruptly', 'application_crashing'],
  ])('%j goes to %s', async (text, taskType) => {
    expect((await router.route(text)).tasks).toEqual([taskType])
  })

  it.each([
    ['what time does the cafeteria open', 'facilities'],
    ['our CI build fails on the lint step, can you look', 'devops_and_code'],
    ['hello, how are you today?', 'chit_chat'],
  ])('%j is out of scope as a class of its own (%s)', async (text, topic) => {
    const decision = await router.route(text)
    expect(decision.tasks).toEqual([])
    expect(decision.outOfScopeTopic).toBe(topic)
    expect(decision.ranked.length).toBeGreaterThan(0)
  })

  it('does not hand off a text of no telling words as a recognised out-of-scope request', async () => {
    const decision = await router.route('$(reboot)')
    expect(decision.tasks).toEqual([])
    expect(decision.outOfScopeTopic).toBeUndefined()
  })

  it('splits a compound request joined with "and while you are at it", in the order asked', async () => {
    const decision = await router.route(
      "my account is locked out after too many attempts, and while you're at it the printer on floor 2 is offline",
    )
    expect(decision.tasks).toEqual(['account_locked', 'printer_not_working'])
  })

  it('keeps a part sure of its own task although the whole message gives that task almost nothing', async () => {
    const text =
      'please add me to the SALES project in jira and give me write access to the \\\\fs02\\sales share'
    const decision = await router.route(text)
    expect(decision.tasks).toEqual(['jira_access_request', 'shared_drive_access'])
    for (const task of decision.tasks)
      expect(decision.ranked.map((each) => each.taskType)).toContain(task)
    // Without the sure-part rule the whole message's peaked probabilities drop the Jira request.
    const gated = new RetrievalRouter({
      store: new MemoryVectorStore(),
      embedding: new HashingEmbeddingFunction(),
      model,
      tuning: { strongPart: 1.01 },
    })
    expect((await gated.route(text)).tasks).toEqual(['shared_drive_access'])
  })

  it('puts every decided task among the ranked candidates, best first, at most five', () => {
    const ranked = ['a', 'b', 'c', 'd', 'e'].map((taskType, index) => ({
      taskType,
      score: 0.5 - index * 0.1,
    }))
    const scores = {
      tasks: new Map([['f', 0.0004]]),
      outOfScope: 0,
      topic: undefined,
      topicProbability: 0,
      knownWords: 5,
    }
    const result = includingDecided(ranked, ['a', 'f'], scores)
    expect(result.map((each) => each.taskType)).toEqual(['a', 'b', 'c', 'd', 'f'])
    expect(result.at(-1)?.score).toBe(0)
    expect(includingDecided(ranked, ['a', 'b'], scores)).toBe(ranked)
  })

  it('does not take a clause saying something works as a second request', async () => {
    const decision = await router.route(
      "Outlook status bar has said 'Disconnected' all day but my internet is fine and Teams works.",
    )
    expect(decision.tasks).toEqual(['outlook_not_syncing'])
  })

  it('retrains from changed runbooks: a task type without its runbook is never decided', async () => {
    const without = RoutingModel.fromKnowledge(
      sources.instructions.filter((each) => each.id !== 'vpn_not_connecting'),
      sources.outOfScope,
    )
    expect(without.classifier.labels).not.toContain('vpn_not_connecting')
    const other = new RetrievalRouter({
      store: new MemoryVectorStore(),
      embedding: new HashingEmbeddingFunction(),
      model: without,
    })
    expect((await other.route('vpn error 809 when I connect from home')).tasks).not.toContain(
      'vpn_not_connecting',
    )
  })
})
