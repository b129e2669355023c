/**
 * Conversation scripts for `helpdesk eval --conversations FILE`: JSON Lines, one conversation per
 * line, each a person (`as`) and their turns, each turn a message and what must hold after it.
 * The format is shared with people who write blind sets without reading this code, so it is
 * strict: an unknown key is refused (a misspelt expectation would otherwise check nothing).
 *
 * ```json
 * {"id": "conv-001", "as": {"username": "alice", "role": "requester"}, "note": "...",
 *  "turns": [{"message": "my laptop is really slow",
 *             "expect": {"tasks": ["laptop_running_slow"], "asks": true, "asksFor": "device"}}]}
 * ```
 * @module
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { parseJsonLines } from '../cli/json-lines.ts'
import { HelpdeskError } from '../errors/index.ts'
import { ROLES, USERNAME_PATTERN } from '../identity/user.ts'

const texts = z.array(z.string().min(1, 'must not be empty'))

/** What must hold after one turn; only the keys given are checked. */
export const turnExpectationSchema = z
  .object({
    /** The task types the turn is about, as a set; [] = none. */
    tasks: z.array(z.string().min(1)).optional(),
    /** The reply asks for a missing parameter. */
    asks: z.boolean().optional(),
    /** Which parameter the question is about (the first missing one). */
    asksFor: z.string().min(1).optional(),
    /** At least one plan was made this turn (false: none). */
    plan: z.boolean().optional(),
    /** Each appears, whole, among the values of this turn's plans' parameters. */
    values: texts.optional(),
    /** None appears among the values of this turn's plans' parameters. */
    notValues: texts.optional(),
    outOfScope: z.boolean().optional(),
    refused: z.boolean().optional(),
    answered: z.boolean().optional(),
    handoff: z.boolean().optional(),
    /** Case-insensitive substrings the reply must contain. */
    replyIncludes: texts.optional(),
    /** Case-insensitive substrings the reply must not contain. */
    replyExcludes: texts.optional(),
  })
  .strict()

export type TurnExpectation = z.infer<typeof turnExpectationSchema>

export const conversationSchema = z
  .object({
    id: z.string({ error: 'expected a string' }).min(1, 'must not be empty'),
    as: z
      .object({
        username: z.string().regex(USERNAME_PATTERN, 'expected a username such as jdoe'),
        role: z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` }),
      })
      .strict(),
    note: z.string().optional(),
    turns: z
      .array(
        z
          .object({
            message: z.string({ error: 'expected a string' }).min(1, 'must not be empty'),
            expect: turnExpectationSchema.default({}),
          })
          .strict(),
      )
      .min(1, 'expected at least one turn'),
  })
  .strict()

export type Conversation = z.infer<typeof conversationSchema>

/**
 * Parses a conversation file's text. Every line is checked before any is returned, so a bad file
 * plays nothing; ids must be unique (failures are reported by id).
 * @throws {HelpdeskError} INVALID_INPUT naming the file, each bad line and field.
 */
export function parseConversations(text: string, file: string): Conversation[] {
  const seen = new Map<string, number>()
  const { values: conversations, problems } = parseJsonLines(
    text,
    file,
    conversationSchema,
    (conversation, line) => {
      const earlier = seen.get(conversation.id)
      if (earlier !== undefined)
        return { problem: `id: "${conversation.id}" is already used on line ${earlier}` }
      seen.set(conversation.id, line)
      return { value: conversation }
    },
  )
  if (problems.length > 0) {
    const shown = problems.slice(0, 20)
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--conversations ${file}: ${problems.length} invalid line(s):\n  ${shown.join('\n  ')}${problems.length > shown.length ? '\n  ...' : ''}`,
      details: { problems: shown },
    })
  }
  if (conversations.length === 0) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--conversations ${file}: the file has no conversations`,
    })
  }
  return conversations
}

/** @throws {HelpdeskError} INVALID_INPUT when the file cannot be read or is invalid. */
export async function readConversations(file: string): Promise<Conversation[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new HelpdeskError({
      code: 'INVALID_INPUT',
      message: `--conversations ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    })
  }
  return parseConversations(text, file)
}
