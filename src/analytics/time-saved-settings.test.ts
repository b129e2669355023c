import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { csvCell, tableCsv } from './analytics-csv.ts'
import { loadTimeSavedSettings, minutesFor } from './time-saved-settings.ts'

function file(name: string, text: string): string {
  const where = path.join(mkdtempSync(path.join(tmpdir(), 'time-saved-')), name)
  writeFileSync(where, text)
  return where
}

describe('time-saved settings', () => {
  it('reads the shipped file, YAML and JSON alike', async () => {
    const shipped = await loadTimeSavedSettings('data/analytics/time-saved.yaml')
    expect(minutesFor(shipped, 'password_reset')).toBe(15)
    expect(minutesFor(shipped, 'something_else')).toBe(shipped.default)
    const json = await loadTimeSavedSettings(
      file('t.json', '{"default": 5, "minutes": {"vpn_not_connecting": 12.5}}'),
    )
    expect(json).toEqual({ default: 5, minutes: { vpn_not_connecting: 12.5 } })
    expect(await loadTimeSavedSettings(file('empty.yaml', ''))).toEqual({ default: 0, minutes: {} })
  })

  it.each([
    [
      'minutes:\n  password_reset: -3\n',
      'minutes.password_reset: expected a number of minutes from 0 to 1440',
    ],
    ['minutes:\n  password_reset: "15"\n', 'minutes.password_reset: expected a number of minutes'],
    [
      'minutes:\n  password_reset: 2000\n',
      'minutes.password_reset: expected a number of minutes from 0 to 1440',
    ],
    ['default: lots\n', 'default: expected a number of minutes'],
    [
      'minutes:\n  "Password Reset": 3\n',
      'minutes.Password Reset: expected a task type such as password_reset',
    ],
    ['minute:\n  password_reset: 3\n', 'Unrecognized key'],
    ['minutes:\n  a: 1\n  a: 2\n', 'Map keys must be unique'],
  ])('refuses %j naming the file and the field', async (text, message) => {
    const where = file('bad.yaml', text)
    await expect(loadTimeSavedSettings(where)).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringContaining(where),
    })
    await expect(loadTimeSavedSettings(where)).rejects.toThrow(message)
  })
})

describe('CSV', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a, b')).toBe('"a, b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell(-2)).toBe('-2')
    expect(csvCell(null)).toBe('')
    expect(
      tableCsv({
        title: 't',
        columns: ['a', 'b'],
        rows: [
          ['x', 1],
          ['-y', null],
        ],
      }),
    ).toBe("a,b\r\nx,1\r\n'-y,\r\n")
  })
})
