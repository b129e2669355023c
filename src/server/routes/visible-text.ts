import type { z } from 'zod'
import { findInvisibleCharacter } from '../../rendering/invisible-characters.ts'

/**
 * Free text a person writes for others to read (a decision's reason, a ticket's answer): like a
 * chat message, refused whole when it holds an invisible or format character, since a bidi
 * control or a zero width character can reorder or hide what the employee, the approver or the
 * audit reader sees ("checked \u202Egnp.exe" shows as "checked exe.png").
 */
export function visibleText(schema: z.ZodString): z.ZodString {
  return schema.superRefine((text, context) => {
    const invisible = findInvisibleCharacter(text, { allowEmojiJoiner: true })
    if (invisible) {
      context.addIssue({
        code: 'custom',
        message: `contains ${invisible.description} (character ${invisible.index + 1}), an invisible character that can hide or reorder what it says; type it again without it`,
      })
    }
  })
}
