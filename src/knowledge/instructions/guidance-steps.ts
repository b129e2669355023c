/**
 * Runbook guidance as an employee reads it. Guidance text is written for the technician ("Ask the
 * employee to save their work..."); the parts addressed to the employee are rewritten to direct
 * address and cut into numbered steps, the parts only a technician can do are left out: a text
 * that does not open by handing something to the employee, and whatever follows "Technician:".
 * @module
 */

/**
 * Openings that hand the rest of the text to the employee, and what each becomes. Tried in order;
 * the first that matches wins. Anything else is technician work.
 */
const OPENINGS: ReadonlyArray<[pattern: RegExp, replacement: (found: string[]) => string]> = [
  // "Ask the employee, signed in as themselves: (1) quit Teams" -> "Signed in as yourself: (1) ..."
  [/^ask the employee,\s*([^:]+):\s*/i, (found) => `${found[1]}: `],
  // "Ask the employee to: (1) ..." / "Ask the employee to save ..." / "Have the employee use ..."
  [/^(?:ask|have|get)\s+the\s+employee\s+(?:to\s*:?\s*)?/i, () => ''],
  [/^tell\s+the\s+employee\s+(?:to\s+|that\s+)?/i, () => ''],
  // "With the employee in Zoom: (1) ..." -> "In Zoom: (1) ..."
  [/^with\s+the\s+employee\s+(in\s+[^:,]+)[:,]\s*/i, (found) => `${found[1]}: `],
  [/^with\s+the\s+employee(?:,\s*([^:]+))?:\s*/i, (found) => (found[1] ? `${found[1]}: ` : '')],
]

/** Third person about the employee, as second person. Only words that always mean the person. */
const TO_SECOND_PERSON: ReadonlyArray<[RegExp, string]> = [
  [/\bthe employee's\b/gi, 'your'],
  [/\bthe employee\b/gi, 'you'],
  [/\bthemselves\b/gi, 'yourself'],
  [/\btheir\b/gi, 'your'],
]

/**
 * The employee's part of one guidance text as numbered steps in direct address, or undefined when
 * the text is for the technician only (it does not open by handing something to the employee).
 */
export function employeeSteps(guidance: string): string[] | undefined {
  // "Technician: ..." ends the employee's part: what follows is for the technician only.
  const text =
    guidance
      .replace(/\s+/g, ' ')
      .split(/(?:^|\s)Technician:\s/)[0]
      ?.trim() ?? ''
  for (const [pattern, replacement] of OPENINGS) {
    const found = pattern.exec(text)
    if (!found) continue
    const rest = `${replacement([...found])}${text.slice(found[0].length)}`
    return splitSteps(secondPerson(rest))
  }
  return undefined
}

function secondPerson(text: string): string {
  let result = text
  for (const [pattern, replacement] of TO_SECOND_PERSON)
    result = result.replace(pattern, replacement)
  // "to stop retrying and to update" reads as an instruction without the second "to".
  return result.replace(/\band to\b/g, 'and')
}

/** A step longer than this is cut at its semicolons (outside brackets) into several. */
const LONG_STEP = 200

function splitLongStep(step: string): string[] {
  if (step.length <= LONG_STEP) return [step]
  const pieces: string[] = []
  let depth = 0
  let start = 0
  for (let index = 0; index < step.length; index++) {
    const character = step[index]
    if (character === '(') depth++
    else if (character === ')') depth = Math.max(0, depth - 1)
    else if (character === ';' && depth === 0) {
      pieces.push(step.slice(start, index))
      start = index + 1
    }
  }
  pieces.push(step.slice(start))
  // "...; and a second laptop" reads as a step of its own without the "and".
  return pieces.map((piece) => piece.trim().replace(/^and\s+/i, ''))
}

/**
 * Cuts text into steps: at "(1) ... (2) ..." when the runbook numbered them, else at sentences.
 * Text before "(1)" ("In Zoom:") stays in front of the first step.
 */
export function splitSteps(text: string): string[] {
  const numbered = text.split(/\s*\(\d{1,2}\)\s+/)
  const parts =
    numbered.length > 2
      ? [`${numbered[0] ?? ''} ${numbered[1] ?? ''}`, ...numbered.slice(2)]
      : text.split(/(?<=[.!?])\s+(?=[A-Z])/)
  return parts
    .flatMap(splitLongStep)
    .map((part) =>
      part
        .trim()
        .replace(/[;,]?\s*(?:and|then)?$/i, '')
        .replace(/[;,]$/, '')
        .trim(),
    )
    .filter((part) => part.length > 0)
    .map((part) => {
      const capital = `${part.charAt(0).toUpperCase()}${part.slice(1)}`
      return /[.!?]$/.test(capital) ? capital : `${capital}.`
    })
}
