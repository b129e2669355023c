import type { InstructionFrontMatter } from './instruction-schema.ts'

/** A section of a runbook's Markdown body, split at its `##` headings. */
export interface InstructionSection {
  heading: string
  text: string
}

/** A runbook as loaded from disk: validated front matter plus its prose. */
export interface Instruction extends InstructionFrontMatter {
  /** Path of the source file, relative to the working directory when possible. */
  file: string
  /** The Markdown body after the front matter. */
  body: string
  sections: InstructionSection[]
  /** sha256 of the whole file; changes whenever anything in it changes. */
  contentHash: string
}

/** One problem found in one runbook file. */
export interface InstructionProblem {
  file: string
  /** Dotted path into the front matter (`actions.2.script`), or `(file)` for whole-file problems. */
  field: string
  reason: string
}
