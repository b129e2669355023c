/**
 * An employee's steps for the operating system of their machine. Much runbook guidance is one
 * text written for Windows ("Task Manager > Startup apps", "Storage Sense"); read out to someone
 * whose laptop runs Linux it is advice they cannot follow. The steps that only make sense on
 * Windows are left out for a Linux machine, and the reply says so.
 * @module
 */

/**
 * Names of things that exist only on Windows. A step naming one of them (and not Linux) is a
 * Windows step. Whole names, not single words: "Settings" alone is on every desktop.
 */
const WINDOWS_ONLY =
  /\b(?:task manager|storage sense|msmpeng|antimalware service|control panel|credential manager|device manager|action center|event viewer|group policy|gpupdate|netsh|ipconfig|regedit|powershell|net use|start menu|file explorer|windows (?:credentials|security|update|key|defender)|of windows|settings > (?:system|network & internet|bluetooth|apps|accounts|update)|dell command update|lenovo system update|commercial vantage|hp image assistant|dynamic tuning)\b/i

/** A step that names Linux is kept for Linux whatever else it names ("... (on Linux: nmcli ...)"). */
const NAMES_LINUX = /\b(?:linux|ubuntu|gnome|kde|nmcli|systemctl|fwupd)\b/i

/**
 * What a step says to do on Linux, in the runbooks' way of writing it beside the Windows way:
 * "(on Linux: nmcli connection delete ...)", "; on Linux `top`".
 */
const LINUX_PART = /(?:\(|[;,.]\s*|\s)on\s+linux[:,]?\s+([^();]+?)\s*(?:\)|;|$)/i

/**
 * The step as a Linux user reads it: a step that names a Windows-only thing but says what to do
 * on Linux becomes that Linux part alone ("forget the network: Settings > ... or netsh ... (on
 * Linux: nmcli ...)" is "Nmcli ..."); other steps stay as written.
 */
function linuxStep(step: string): string {
  const part = LINUX_PART.exec(step)?.[1]?.trim()
  if (!part || !WINDOWS_ONLY.test(step) || WINDOWS_ONLY.test(part)) return step
  const sentence = `On Linux: ${part}`
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`
}

/** The steps of one guidance text that apply to the platform, and how many were left out. */
export interface PlatformSteps {
  steps: string[]
  /** Steps left out because they only apply to Windows. */
  leftOut: number
}

/**
 * Keeps the steps that apply to `platform`. Only Linux filters: the runbooks' guidance is
 * written for Windows first, so on Windows (or an unknown platform) every step stays.
 */
export function stepsForPlatform(
  steps: readonly string[],
  platform: string | undefined,
): PlatformSteps {
  if (platform !== 'linux') return { steps: [...steps], leftOut: 0 }
  const kept = steps
    .filter((step) => NAMES_LINUX.test(step) || !WINDOWS_ONLY.test(step))
    .map(linuxStep)
  return { steps: kept, leftOut: steps.length - kept.length }
}

/** What the employee is told about steps left out for their Linux machine. */
export function leftOutNote(kept: number, leftOut: number): string | undefined {
  if (leftOut === 0) return undefined
  if (kept === 0) {
    return (
      'The runbook only has steps for Windows, and your computer runs Linux, so I have not listed ' +
      'them. Say "talk to a person" and I hand this to a technician.'
    )
  }
  return `I left out ${leftOut === 1 ? 'a step' : `${leftOut} steps`} that only apply to Windows; your computer runs Linux.`
}
