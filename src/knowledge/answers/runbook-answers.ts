import type { RouteDecision } from '../../retrieval/request-router.ts'
import type { Instruction } from '../instructions/instruction.ts'
import type { AnswerWriter, RunbookAnswer } from './answer-writer.ts'
import { ExtractiveAnswerWriter } from './extractive-answer-writer.ts'
import { type QuestionForm, questionFormOf } from './question-form.ts'
import { RunbookPassages, type ScoredPassage } from './runbook-passages.ts'

/**
 * What to do with a message that is a how-to or why question: `answer` it from the runbooks'
 * prose, or hand it off as `uncovered` (no runbook is about it).
 */
export type QuestionResponse =
  | { form: QuestionForm; kind: 'answer'; answer: RunbookAnswer }
  | { form: QuestionForm; kind: 'uncovered' }

/** The core's view of the answers: undefined means "not a question, take the request path". */
export interface QuestionAnswers {
  respond(message: string, decision: RouteDecision): Promise<QuestionResponse | undefined>
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
}

export const DEFAULT_ANSWER_TUNING: AnswerTuning = {
  // The router's scores are calibrated probabilities, its own threshold 0.3: a question is
  // answered, not planned, so it asks for a clearer match.
  routeScore: 0.4,
  passageScore: 0.12,
  keepFraction: 0.6,
  maximumPassages: 3,
}

/**
 * How much a section counts for each form of question: "how do I" is answered by the fix and
 * the steps, "why" by the symptoms and the diagnosis.
 */
const SECTION_WEIGHTS: Readonly<Record<QuestionForm, ReadonlyArray<[RegExp, number]>>> = {
  how_to: [
    [/^(?:fix|steps|install|after the reset|active directory|local accounts|aws)/i, 1.3],
    [/^(?:prevention|approval|before resetting|how .* organised)/i, 1.1],
    [/^(?:symptoms|stop codes|ndr codes|verif)/i, 0.8],
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
  private passageIndex: { key: string; passages: RunbookPassages } | undefined
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

  async respond(message: string, decision: RouteDecision): Promise<QuestionResponse | undefined> {
    const form = questionFormOf(message)
    if (!form) return undefined
    // Two requests in one message are the request path's to split.
    if (decision.tasks.length > 1) return undefined
    const runbook = decision.tasks[0]
    const instruction = runbook ? this.instructions.get(runbook) : undefined
    const routeScore = decision.ranked.find((each) => each.taskType === runbook)?.score ?? 0
    if (!instruction || routeScore < this.tuning.routeScore) return { form, kind: 'uncovered' }
    const chosen = this.bestPassages(message, form, instruction.id)
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
    const key = [...this.instructions.values()].map((each) => each.contentHash).join(',')
    if (this.passageIndex?.key !== key) {
      this.passageIndex = { key, passages: new RunbookPassages(this.instructions.values()) }
    }
    return this.passageIndex.passages
  }

  private bestPassages(message: string, form: QuestionForm, runbook: string): ScoredPassage[] {
    const weighted = this.passages
      .search(message, { runbooks: new Set([runbook]), limit: 50 })
      .map(({ passage, score }) => ({
        passage,
        score: score * sectionWeight(form, passage.section),
      }))
      .sort((left, right) => right.score - left.score)
    const best = weighted[0]?.score ?? 0
    if (best < this.tuning.passageScore) return []
    return weighted
      .filter((each) => each.score >= best * this.tuning.keepFraction)
      .slice(0, this.tuning.maximumPassages)
  }
}

function sectionWeight(form: QuestionForm, section: string): number {
  return SECTION_WEIGHTS[form].find(([pattern]) => pattern.test(section))?.[1] ?? 1
}
