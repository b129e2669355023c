import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { Instruction } from '../instructions/instruction.ts'
import type { AnswerWriter, RunbookAnswer } from './answer-writer.ts'
import { ExtractiveAnswerWriter } from './extractive-answer-writer.ts'
import { type QuestionForm, questionFormOf } from './question-form.ts'
import {
  EMPLOYEE_SECTION,
  type Passage,
  RunbookPassages,
  type ScoredPassage,
} from './runbook-passages.ts'

/**
 * What to do with a message that is a how-to or why question: `answer` it from the runbooks'
 * prose, or hand it off as `uncovered` (no runbook is about it).
 */
export type QuestionResponse =
  | { form: QuestionForm; kind: 'answer'; answer: RunbookAnswer }
  | { form: QuestionForm; kind: 'uncovered' }

/** The core's view of the answers: undefined means "not a question, take the request path". */
export interface QuestionAnswers {
  /**
   * `topic`: the runbook the conversation is about, for a question that only points back to it
   * ("why does it get like that anyway?" after a slow-laptop plan).
   */
  respond(
    message: string,
    decision: RouteDecision,
    topic?: ConversationTopic,
  ): Promise<QuestionResponse | undefined>
}

/** What the conversation is about: its runbook, and what the person said of it. */
export interface ConversationTopic {
  taskType: string
  said: string
}

export interface AnswerTuning {
  /**
   * The router must place the question on one runbook with at least this score, or the runbooks
   * do not cover it. Above the router's own threshold: a question is answered, not planned, so a
   * weak match ("why is the canteen closed" brushing application_crashing) is not enough.
   */
  routeScore: number
  /** The best passage of that runbook must reach this similarity, or the request path runs. */
  passageScore: number
  /** Passages within this fraction of the best join the answer, up to `maximumPassages`. */
  keepFraction: number
  maximumPassages: number
  /**
   * A how-to no runbook is about may still be answered by the help a runbook's question gives
   * ("where do I find my computer's name"), when that help matches at least this well.
   */
  guidanceScore: number
  /** A how-to passage covering this share of the question's words is the whole answer. */
  answeredCoverage: number
}

export const DEFAULT_ANSWER_TUNING: AnswerTuning = {
  // The router's scores are calibrated probabilities, its own threshold 0.3: a question is
  // answered, not planned, so it asks for a clearer match.
  routeScore: 0.4,
  passageScore: 0.12,
  keepFraction: 0.6,
  maximumPassages: 3,
  guidanceScore: 0.21,
  answeredCoverage: 0.5,
}

/**
 * How much a section counts for each form of question: "how do I" is answered by the fix and
 * the steps, "why" by the symptoms and the diagnosis.
 */
const SECTION_WEIGHTS: Readonly<Record<QuestionForm, ReadonlyArray<[RegExp, number]>>> = {
  how_to: [
    [
      /^(?:what you can do|fix|steps|install|after the reset|active directory|local accounts|aws)/i,
      1.3,
    ],
    [/^(?:prevention|approval|before resetting|how .* organised)/i, 1.1],
    [/^(?:symptoms|stop codes|ndr codes|verif)/i, 0.8],
    // A technician's diagnosis (event ids, cmdlets) answers no employee's "how do I".
    [/^diagnosis/i, 0.6],
  ],
  why: [
    [/^(?:symptoms|diagnosis|stop codes|ndr codes|how .* organised)/i, 1.3],
    [/^(?:prevention)/i, 1.1],
    [/^(?:verif|steps|install)/i, 0.8],
  ],
}

/**
 * Answers how-to and why questions from the runbooks' prose, with the runbook and section
 * cited and no plan. The router (Chroma and the lexical stage) picks the runbook the question is
 * about; the passages of that runbook are scored against the question and the best ones are
 * written into an answer by the writer (extractive offline, a model when one is configured).
 */
export class RunbookAnswers implements QuestionAnswers {
  private readonly instructions: ReadonlyMap<string, Instruction>
  private passageIndex:
    | { key: string; passages: RunbookPassages; guidance: RunbookPassages }
    | undefined
  private readonly writer: AnswerWriter
  private readonly tuning: AnswerTuning

  constructor(options: {
    instructions: ReadonlyMap<string, Instruction>
    writer?: AnswerWriter
    tuning?: Partial<AnswerTuning>
  }) {
    this.instructions = options.instructions
    this.writer = options.writer ?? new ExtractiveAnswerWriter()
    this.tuning = { ...DEFAULT_ANSWER_TUNING, ...options.tuning }
  }

  async respond(
    message: string,
    decision: RouteDecision,
    topic?: ConversationTopic,
  ): Promise<QuestionResponse | undefined> {
    const form = questionFormOf(message)
    if (!form) return undefined
    // Two requests in one message are the request path's to split.
    if (decision.tasks.length > 1) return undefined
    const routed = decision.tasks[0]
    const routeScore = decision.ranked.find((each) => each.taskType === routed)?.score ?? 0
    const placed = routed !== undefined && routeScore >= this.tuning.routeScore
    // Placed nowhere, but pointing back at what the conversation is about: that runbook.
    const pointsBack = POINTS_BACK.test(message.replace(/^\W*is it\b/i, ''))
    const back = !placed && pointsBack ? topic : undefined
    const runbook = placed ? routed : back?.taskType
    const instruction = runbook ? this.instructions.get(runbook) : undefined
    // "where do I find my computer's name": what the runbooks' questions say of finding it,
    // whichever runbook the words brush against ("laptop" is not the VPN's).
    const guidance = form === 'how_to' ? this.bestGuidance(message) : undefined
    if (!instruction || guidance) {
      if (!guidance) return { form, kind: 'uncovered' }
      const answer = await this.writer.write({
        question: message,
        form,
        runbookTitle: guidance.runbookTitle,
        passages: [guidance],
      })
      return { form, kind: 'answer', answer }
    }
    // "why does it get like that?": "it" is what they said before ("100% disk").
    const chosen = this.bestPassages(
      back ? `${message} ${back.said}` : message,
      form,
      instruction.id,
    )
    // The runbook is about it but its prose does not answer this: the request path plans it.
    if (chosen.length === 0) return undefined
    const answer = await this.writer.write({
      question: message,
      form,
      runbookTitle: instruction.title,
      passages: chosen.map(({ passage }) => passage),
    })
    return { form, kind: 'answer', answer }
  }

  /**
   * The passage index of the runbooks as they are now: the instruction manager changes them
   * without a restart, so the index is rebuilt when their content hashes change.
   */
  private get passages(): RunbookPassages {
    return this.index().passages
  }

  private index(): { key: string; passages: RunbookPassages; guidance: RunbookPassages } {
    const key = [...this.instructions.values()].map((each) => each.contentHash).join(',')
    if (this.passageIndex?.key !== key) {
      const instructions = [...this.instructions.values()]
      this.passageIndex = {
        key,
        passages: new RunbookPassages(instructions),
        guidance: new RunbookPassages(instructions, 'guidance'),
      }
    }
    return this.passageIndex
  }

  /** The one help text of the runbooks' questions that answers a how-to, if one does clearly. */
  private bestGuidance(message: string): Passage | undefined {
    if (!NAMES_A_VALUE.test(message)) return undefined
    // The question, without an aside after it ("... name? IT keeps asking me for it").
    const question = /^[^?]*\?/.exec(message)?.[0] ?? message
    const [best, next] = this.index().guidance.search(question, { limit: 2 })
    // Clearly one value's help: "where do I find the name" alone could be any of them.
    const clear = !next || best === undefined || best.score >= next.score * GUIDANCE_MARGIN
    return best && clear && best.score >= this.tuning.guidanceScore ? best.passage : undefined
  }

  private bestPassages(message: string, form: QuestionForm, runbook: string): ScoredPassage[] {
    const weighted = this.passages
      .search(message, { runbooks: new Set([runbook]), limit: 50 })
      // The employee's advice says what to do, not why something happens.
      .filter((each) => form === 'how_to' || each.passage.section !== EMPLOYEE_SECTION)
      .map((each) => {
        const similarity =
          each.score * sectionWeight(form, each.passage.section) * plainness(form, each.passage)
        // A how-to is ranked by how much of what was asked a passage has, not by how often it
        // repeats one of its words: "calendar to my phone" is the phone passage, not
        // "Calendars". A why question is answered by the causes, each naming few of its words.
        return {
          ...each,
          similarity,
          score: form === 'how_to' ? similarity * each.coverage : similarity,
        }
      })
      .sort((left, right) => right.score - left.score)
    const best = weighted[0]?.score ?? 0
    // Whether the runbook's prose answers at all is the similarity's to say, as before.
    const closest = Math.max(0, ...weighted.map((each) => each.similarity))
    if (closest < this.tuning.passageScore || best <= 0) return []
    const close = weighted.filter((each) => each.score >= best * this.tuning.keepFraction)
    if (form !== 'how_to') return close.slice(0, this.tuning.maximumPassages)
    // A how-to is answered by the passage about it, when one covers most of the question: no
    // neighbour that shares a word ("Calendars" under "add my work calendar to my phone",
    // which "Phone" answers). Otherwise the few that come closest, as before.
    const [first] = close
    if (first && first.coverage >= this.tuning.answeredCoverage) return [first]
    return close.slice(0, this.tuning.maximumPassages)
  }
}

/** "it", "that", "this": the question is about what was just said. */
const POINTS_BACK = /\b(?:it|that|this|they|these|those)\b/i

/** How much better the best help must match than the next. */
const GUIDANCE_MARGIN = 1.25

/** A question about finding a value names it: a name, path, address, label or id. */
const NAMES_A_VALUE = /\b(?:name|called|hostname|path|address|label|id)\b/i

/**
 * "Why does it say X", "what does X mean": the cause in plain words counts fully, a passage
 * with commands or paths in code spans (a technician's diagnosis or fix) half. A how-to keeps
 * its commands: "net stop spooler" is what clears stuck print jobs.
 */
function plainness(form: QuestionForm, passage: Passage): number {
  return form === 'why' && /`[^`]+`/.test(passage.text) ? CODE_WEIGHT : 1
}

/** How much a passage with code spans counts in the answer to a why question. */
const CODE_WEIGHT = 0.5

function sectionWeight(form: QuestionForm, section: string): number {
  return SECTION_WEIGHTS[form].find(([pattern]) => pattern.test(section))?.[1] ?? 1
}
