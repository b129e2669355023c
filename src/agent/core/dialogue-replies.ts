/**
 * The words of the turns that are not a plan: small talk, "talk to a person", and help for
 * "I don't know". Plain, short and human; nothing here changes anything.
 * @module
 */

import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import type { SmallTalkTopic } from './dialogue-act.ts'

const SMALL_TALK_REPLIES: Readonly<Record<SmallTalkTopic, string>> = {
  greeting:
    "Hello! I'm the IT helpdesk assistant. Tell me what's wrong (a password, the VPN, Outlook, a printer...) and I'll help.",
  thanks: "You're welcome! Tell me if there's anything else.",
  bot: "Yes, I'm an automated assistant for the IT helpdesk. I can sort out common problems myself, and if you'd rather talk to a person, just say so.",
  how_are_you: "I'm fine, thanks for asking! What can I help you with?",
  acknowledgement: 'Okay.',
  pause: "Sure, take your time. I'll be here when you have it.",
  goodbye: 'Glad I could help. If anything else comes up, just write here. Bye for now!',
}

/** A short human answer to small talk; the open question, if any, follows once, briefly. */
export function smallTalkReply(topic: SmallTalkTopic, openQuestion?: string): string {
  const reply = SMALL_TALK_REPLIES[topic]
  return openQuestion ? `${reply} To carry on where we were: ${openQuestion}` : reply
}

export const RECORDS_REPLY =
  "I can't look up company records such as how many assets or licences there are; the IT " +
  "asset team can, through a request in the IT portal. I haven't done anything. If something " +
  "isn't working, tell me what and I'll help."

/**
 * "talk to a person", or a value nobody can give: how a person takes over. Until the technician
 * workspace opens tickets, the person reaches the service desk themselves.
 */
export function handoffReply(reason: 'requested' | 'needs_a_person', topic?: string): string {
  const opening =
    reason === 'requested'
      ? 'Of course, a person will take it from here.'
      : "No problem: then this needs a person, who can look it up for you, so I'll hand it over."
  const about = topic ? ` Mention "${topic}" and what you told me here.` : ''
  return (
    `${opening} I haven't changed anything. To reach the IT service desk, open a request in ` +
    `the IT portal or call the service desk.${about}`
  )
}

const HINTS: Partial<Record<ParameterSpec['kind'], string>> = {
  hostname:
    "On Windows the computer's name is under Settings > System > About > Device name; on a Mac or Linux computer, type `hostname` in a terminal. It is also on the asset label, usually underneath.",
  system:
    "If it's the password you use to sign in to your work computer or email, that's the Windows/network login. The AWS console login is only for Amazon's web console, and a local account exists on one machine only (a lab PC, for example).",
  platform:
    'A Windows computer has the Windows logo on its Start button; Linux usually shows Ubuntu or another name when it starts; a Mac has the Apple menu at the top left.',
  username:
    'The username is usually the part of the work email address before the @ (jdoe for jdoe@example.com).',
  email: 'It is the address the message was sent to, as shown in the email.',
  unc_path:
    'In File Explorer, right-click the drive and choose Properties: the path that starts with \\\\ is what I need.',
}

/** Help to find a value the person does not know, then the question again. */
export function dontKnowReply(spec: ParameterSpec, question: string, ownMachine?: string): string {
  const hint = helpWith(spec, ownMachine) ?? 'If you can find out, tell me and I will carry on.'
  return `No problem. ${hint}\n\n${question}`
}

/**
 * The answer to a question about the question ("where do I find that?", "what's the
 * difference?"): what the value is and where to find it, or the choices, then the question again.
 */
export function clarifyReply(
  spec: ParameterSpec,
  question: string,
  choices: readonly string[],
  ownMachine?: string,
): string {
  const listed =
    choices.length > 1
      ? `The choices are: ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}.`
      : undefined
  const hint =
    helpWith(spec, ownMachine) ?? listed ?? 'Tell me in your own words and I will work it out.'
  return `${hint}\n\n${question}`
}

function helpWith(spec: ParameterSpec, ownMachine?: string): string | undefined {
  const hint = HINTS[spec.kind]
  const offer =
    spec.kind === 'hostname' && ownMachine
      ? ` If it's the computer assigned to you, just say "my laptop" and I'll use ${ownMachine}.`
      : ''
  return hint ? `${hint}${offer}` : undefined
}

/**
 * Which machine was taken when the person named none: theirs, said so, so a wrong guess is one
 * reply away from being put right.
 */
export function ownMachineNote(name: string, machineClass: string): string {
  return `I'll do this on your ${machineClass} ${name}, the one assigned to you. If it's about another computer, tell me its name.`
}

/** Why a step was left out: the person did not know a value it needs. */
export function skippedNote(parameter: string, titles: readonly string[]): string {
  const left = titles.map((title) => `"${title}"`).join(', ')
  return `Since ${parameter} isn't known, I've left out ${left}; a technician can do that part once they know it.`
}

/** Steps planned later, if the person gives an optional value (the computer, say). */
export function deferredNote(
  left: ReadonlyArray<{ title: string }>,
  missing: ReadonlyArray<{ question: string }>,
  audience: 'requester' | 'technician' = 'technician',
): string {
  const questions = missing.map((each) => each.question).join(' ')
  // The employee reads no step titles (written for technicians): what to do, and that not
  // knowing is fine.
  if (audience === 'requester')
    return `One more thing, if you know it: ${questions} With it I can plan the rest too; if you don't know, just say so and a technician will find it.`
  const titles = left.map((action) => `"${action.title}"`).join(', ')
  return `I can also do ${titles}. For that I need to know: ${questions}`
}

const OPTION_NAMES: Readonly<Record<string, string>> = {
  active_directory: 'the Windows/network login',
  aws_iam: 'an AWS account',
  local: 'a local account',
  windows: 'Windows',
  linux: 'Linux',
  macos: 'macOS',
}

/** An option's name in a sentence: "an AWS account". */
export function optionLabel(value: string): string {
  return OPTION_NAMES[value] ?? value.replaceAll('_', ' ')
}

/** A correction to an option this task does not have: said plainly, then asked again. */
export function unsupportedReply(title: string, option: string, question: string): string {
  return `"${title}" doesn't cover ${option}, so I've changed nothing. ${question}`
}
