import { describe, expect, it } from 'vitest'
import type { ParameterSpec } from '../../knowledge/instructions/instruction-schema.ts'
import { machineOfClassNamed, onlyMachineWords } from './machine-class-words.ts'
import { extractParameter } from './parameter-extraction.ts'

const dana = [
  { name: 'LT-0431', class: 'laptop' },
  { name: 'WS-OPS-03', class: 'workstation' },
]

describe("a class word among a person's machines", () => {
  it('picks the one machine of that class', () => {
    expect(machineOfClassNamed('the laptop', dana)?.name).toBe('LT-0431')
    expect(machineOfClassNamed('my work desktop is slow', dana)?.name).toBe('WS-OPS-03')
    expect(machineOfClassNamed('on my workstation', dana)?.name).toBe('WS-OPS-03')
  })

  it('picks none when the word fits several, none, or no phrase names a machine', () => {
    expect(machineOfClassNamed('my computer', dana)).toBeUndefined()
    expect(
      machineOfClassNamed('the laptop', [...dana, { name: 'LT-0432', class: 'laptop' }]),
    ).toBeUndefined()
    expect(
      machineOfClassNamed('the laptop', [{ name: 'WS-OPS-03', class: 'workstation' }]),
    ).toBeUndefined()
    expect(machineOfClassNamed('laptop stickers', dana)).toBeUndefined()
  })

  it('is never read as a machine called LAPTOP', () => {
    expect(onlyMachineWords('the laptop')).toBe(true)
    expect(onlyMachineWords('my work PC')).toBe(true)
    expect(onlyMachineWords('LT-0431')).toBe(false)
    const device: ParameterSpec = {
      name: 'device',
      kind: 'hostname',
      question: 'Which computer?',
      description: 'The computer.',
      required: true,
      defaultFromRequester: false,
    }
    expect(extractParameter(device, 'the laptop', 'answer')).toBeUndefined()
    expect(extractParameter(device, 'lt-0431', 'answer')).toBe('lt-0431')
  })
})
