import { describe, expect, it } from 'vitest'
import { HashingEmbeddingFunction } from '../embeddings/hashing-embedding-function.ts'
import { KnowledgeBase, loadKnowledgeSources } from '../knowledge/knowledge-base.ts'
import { MemoryVectorStore } from '../knowledge/memory-vector-store.ts'
import { includingDecided, RetrievalRouter, taskEvidence } from './retrieval-router.ts'
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

  it.each([
    [
      "access denied on \\\\nas02\\legal since this morning, and since you're at it, could you reset my AWS password",
      ['shared_drive_access', 'password_reset'],
    ],
    [
      'my laptop is crawling, and on top of that the printer queue is stuck',
      ['laptop_running_slow', 'printer_not_working'],
    ],
  ])('takes the part after an announcing joiner behind "and": %j', async (text, tasks) => {
    expect((await router.route(text)).tasks).toEqual(tasks)
  })

  it('keeps a part sure of its own task although the whole message gives that task almost nothing', async () => {
    const text =
      'please add me to the SALES project in jira and give me write access to the \\\\fs02\\sales share'
    const decision = await router.route(text)
    expect(decision.tasks).toEqual(['jira_access_request', 'shared_drive_access'])
    for (const task of decision.tasks)
      expect(decision.ranked.map((each) => each.taskType)).toContain(task)
    // A gate that takes no clause as a request of its own leaves the whole message's one task.
    const gated = new RetrievalRouter({
      store: new MemoryVectorStore(),
      embedding: new HashingEmbeddingFunction(),
      model,
      tuning: { gate: { ...router.tuning.gate, threshold: 1.01 } },
    })
    expect((await gated.route(text)).tasks).toHaveLength(1)
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
      evidence: 0,
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

  // A known miss of the clause gate (fitted on the runbooks' examples, whose side clauses are
  // few): a consequence told as a problem ("I've lost unsaved work") is taken as a crash. The old
  // hand-set evidence rule dropped it; this test fails the day the gate gets it right.
  it.fails('does not make a request of a consequence the writer tells', async () => {
    const text =
      "it switches off without warning when it gets hot during long video calls. I've lost unsaved work twice"
    expect((await router.route(text)).tasks).toEqual(['laptop_overheating'])
  })

  it.each([
    [
      "ugh. PC has been sluggish as hell since the last update, I've restarted it 3 times, I have a deadline at 5",
      'laptop_running_slow',
    ],
    [
      "I can't hear the other participants in my Zoom calls. Windows sounds and Teams calls are OK.",
      'zoom_audio_not_working',
    ],
  ])('does not make a request of a side clause of generic words: %j', async (text, taskType) => {
    expect((await router.route(text)).tasks).toEqual([taskType])
  })

  it('takes a request after "while you\'re at it" even when its words are weak evidence', async () => {
    const decision = await router.route(
      "wifi is flaky in the east wing, while you're at it the printer there shows jobs stuck too",
    )
    expect(decision.tasks).toEqual(['wifi_not_working', 'printer_not_working'])
  })

  it('takes "X is not working" as a request, not as a clause saying something works', async () => {
    const decision = await router.route('I forgot my password and my printer is not working')
    expect(decision.tasks).toEqual(['password_reset', 'printer_not_working'])
  })

  it('reads the problem beside an aside that says something is right', async () => {
    const decision = await router.route(
      "I'm locked out of my account (password is right, it's just locked) and I need to be added to the Jira DATA project",
    )
    expect(decision.tasks).toEqual(['account_locked', 'jira_access_request'])
  })

  it('still takes a short, telling clause as a second request', async () => {
    const decision = await router.route(
      'my account is locked out. also outlook stopped getting new mail',
    )
    expect(decision.tasks).toEqual(['account_locked', 'outlook_not_syncing'])
  })

  // The clause gate (clause-gate.ts): a request after a comma or a sentence break is taken, a
  // clause of background (what the writer did, who approved) is not.
  it.each([
    [
      'acrobat keeps crashing on launch, can you install the newest version instead',
      ['application_crashing', 'software_install_request'],
    ],
    [
      "forgot my password. oh and once I'm back in could you put 7-zip on my laptop",
      ['password_reset', 'software_install_request'],
    ],
    [
      'emails not coming into outlook, but OWA shows them. restarted twice',
      ['outlook_not_syncing'],
    ],
    ['can you add me to the FIN project in Jira? my manager approved it', ['jira_access_request']],
  ])('decides with the clause gate: %j', async (text, tasks) => {
    expect((await router.route(text)).tasks).toEqual(tasks)
  })

  it("gives each clause the gate's probability of being a request of its own", () => {
    const text = 'emails not coming into outlook, but OWA shows them. restarted twice'
    const clauses = router.clauses(text, router.classify(text, []))
    const background = clauses.find((clause) => clause.text.startsWith('restarted'))
    expect(background?.signals.joiner).toBe('sentence')
    expect(background?.probability ?? 1).toBeLessThan(router.tuning.gate.threshold)
    expect(router.clauses('my laptop is slow', router.classify('my laptop is slow', []))).toEqual(
      [],
    )
  })

  it("lets each clause's nearest runbook examples vote, asked beside the whole message's query", async () => {
    const embedding = new HashingEmbeddingFunction()
    const store = new MemoryVectorStore()
    await new KnowledgeBase({ ...sources, store, embedding }).ingest()
    const queried: number[] = []
    const counting = Object.assign(Object.create(store) as MemoryVectorStore, {
      query: (vectors: readonly number[][], options: Parameters<MemoryVectorStore['query']>[1]) => {
        queried.push(vectors.length)
        return store.query(vectors, options)
      },
    })
    const text = 'i need a Tableau licence and jira access for project BI'
    const voting = new RetrievalRouter({ store: counting, embedding, model })
    const silent = new RetrievalRouter({
      store,
      embedding,
      model,
      tuning: { clauseDenseWeight: 0 },
    })
    expect((await voting.route(text)).tasks).toEqual([
      'software_install_request',
      'jira_access_request',
    ])
    // The whole message and the clause that points at another task than the whole's, side by
    // side; a message whose clauses all point at one task asks once.
    expect(queried).toEqual([1, 1])
    queried.length = 0
    await voting.route('my laptop is really slow and it takes ages to boot')
    expect(queried).toEqual([1])
    expect((await silent.route(text)).tasks).toEqual(['jira_access_request'])
  })

  it('measures evidence as the best task logit above the mean of all classes', () => {
    const labels = ['a', 'b', 'out_of_scope:chit_chat']
    expect(taskEvidence(Float64Array.from([3, 0, 6]), labels)).toBe(0)
    expect(taskEvidence(Float64Array.from([1, 4, -2]), labels)).toBe(3)
    const generic = router.classify('tried three times', [])
    const telling = router.classify('outlook stopped getting new mail', [])
    expect(telling.evidence).toBeGreaterThan(6)
    expect(generic.evidence).toBeLessThan(telling.evidence)
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
