import { z } from 'zod'
import { CREDENTIAL_REFERENCE } from './credential-reference.ts'

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, . _ - (up to 63)')

/**
 * What kind of machine a target is. Requesters may act only on their own workstations and
 * laptops; servers (and anything else) are for technicians and admins.
 */
export const MACHINE_CLASSES = ['workstation', 'laptop', 'server', 'network', 'other'] as const
export type MachineClass = (typeof MACHINE_CLASSES)[number]

/** One assignee: a helpdesk username (`jdoe`) or a user group (`group:finance`). */
const assignee = z
  .string()
  .regex(
    /^(group:)?[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'a username (jdoe) or a user group (group:finance)',
  )

export const targetSchema = z
  .object({
    name,
    host: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'a host name or IP address'),
    os: z.enum(['windows', 'linux', 'macos']),
    transport: z.enum(['ssh', 'winrm']),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\\@-]{0,63}$/, 'an account name'),
    credential: z
      .string()
      .regex(
        CREDENTIAL_REFERENCE,
        'a reference: env:NAME, file:/path or encrypted:BASE64, never the secret itself',
      ),
    /** OpenSSH public key line (`ssh-ed25519 AAAA...`) the host must present; required for ssh. */
    hostKey: z
      .string()
      .regex(
        /^(ssh-ed25519|ecdsa-sha2-nistp\d+|ssh-rsa) [A-Za-z0-9+/=]+$/,
        'an OpenSSH public key line',
      )
      .optional(),
    /**
     * The machine's class. Unset means `server`, the most restrictive: an inventory written before
     * classes existed gives requesters nothing they did not explicitly get.
     */
    class: z.enum(MACHINE_CLASSES).optional(),
    /** Who the machine is assigned to: usernames and/or `group:NAME`. Unset or empty: nobody's own machine. */
    assignedTo: z.array(assignee).optional(),
    /** Shown in a machine's details; from AD's `description` for computers read from the directory. */
    description: z
      .string()
      .max(200)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: shown text has no control characters
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'text without control characters')
      .optional(),
    /** Where the computer object sits in AD, outermost first: `Servers/Data Processing`. */
    organizationalUnit: z.string().max(300).optional(),
  })
  .strict()
  .superRefine((target, context) => {
    if (target.transport === 'ssh' && !target.hostKey) {
      context.addIssue({
        code: 'custom',
        path: ['hostKey'],
        message: 'ssh targets pin their host key (ssh-keyscan HOST)',
      })
    }
  })

export const inventorySchema = z
  .object({
    targets: z.array(targetSchema).default([]),
    groups: z.record(name, z.array(name).min(1)).default({}),
  })
  .strict()
  .superRefine((inventory, context) => {
    const names = new Set<string>()
    inventory.targets.forEach((target, index) => {
      if (names.has(target.name))
        context.addIssue({
          code: 'custom',
          path: ['targets', index, 'name'],
          message: `duplicate target "${target.name}"`,
        })
      names.add(target.name)
    })
    for (const [group, members] of Object.entries(inventory.groups)) {
      members.forEach((member, index) => {
        if (!names.has(member))
          context.addIssue({
            code: 'custom',
            path: ['groups', group, index],
            message: `unknown target "${member}"`,
          })
      })
    }
  })

export type Target = z.infer<typeof targetSchema>
export type InventoryData = z.infer<typeof inventorySchema>

/** A target's class, `server` when the inventory does not say (see `targetSchema.class`). */
export function machineClassOf(target: Pick<Target, 'class'>): MachineClass {
  return target.class ?? 'server'
}
