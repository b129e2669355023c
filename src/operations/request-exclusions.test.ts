import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { InventoryData } from '../inventory/inventory-schema.ts'
import { buildWorkflow, type WorkflowPlan } from './build-workflow.ts'
import { answerInventoryQuestion } from './inventory-answers.ts'
import { OperationCatalog } from './operation-catalog.ts'
import { evaluationRecord, readOperationRequest } from './request-reader.ts'
import { fleetOf } from './request-targets.ts'
import { previewWorkflow } from './workflow-preview.ts'

/**
 * Exclusions (src/operations/request-exclusions.ts): the targets minus machines and groups, by
 * the marker and the list of targets after it, never by a marker alone. These failed on the
 * reader before exclusions were read (the excluded machine was read as one more target), except
 * the test of conditions and other clauses, which guards what must stay as it was.
 */

const inventory = parse(
  readFileSync('tests/fixtures/operations-inventory.yaml', 'utf8'),
) as InventoryData
const fleet = fleetOf(inventory)
const read = (text: string) => evaluationRecord(readOperationRequest(text, fleet))
let catalog: OperationCatalog
beforeAll(async () => {
  catalog = await OperationCatalog.load()
})

function plan(text: string): WorkflowPlan {
  const built = buildWorkflow(readOperationRequest(text, fleet), catalog, inventory)
  if (!built.ok) throw new Error(built.reason)
  return built.plan
}

describe('targets with exclusions', () => {
  it('takes machines out of a group, by any of the markers', () => {
    for (const text of [
      'restart nginx on all web servers except web04',
      'restart nginx on the web servers excluding web04',
      'restart nginx on the web servers but not web04',
      'restart nginx on the web servers (not web04)',
      'restart nginx on the web servers other than web04',
      'restart nginx on the web servers, leave out web04',
      'restart nginx on the web-servers group minus web04',
    ]) {
      expect(read(text).targets, text).toEqual({
        machines: [],
        groups: ['web-servers'],
        all: false,
        os: null,
        except: { machines: ['web04'], groups: [] },
      })
    }
    expect(read('restart nginx on the web servers except web02 and web03').targets.except).toEqual({
      machines: ['web02', 'web03'],
      groups: [],
    })
  })

  it('takes machines and groups out of every machine ("everything but", "apart from the X ones")', () => {
    expect(read('check disk space on everything but db02')).toEqual({
      kind: 'operation',
      operations: [{ operation: 'disk.usage', parameters: {} }],
      targets: {
        machines: [],
        groups: [],
        all: true,
        os: null,
        except: { machines: ['db02'], groups: [] },
      },
      condition: null,
    })
    expect(read('check uptime on all linux boxes apart from the build ones').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'linux',
      except: { machines: [], groups: ['build-agents'] },
    })
    expect(read('reboot all servers except the databases').targets.except).toEqual({
      machines: [],
      groups: ['databases'],
    })
    expect(
      read('install jq on all linux boxes except db01, db02 and mon01').targets.except,
    ).toEqual({ machines: ['db01', 'db02', 'mon01'], groups: [] })
  })

  it('reads an operating system left out as the other one', () => {
    expect(read('update curl everywhere except the windows boxes').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'linux',
    })
    expect(read('restart nginx on all web servers besides web04').targets.except).toEqual({
      machines: ['web04'],
      groups: [],
    })
    expect(read('restart nginx on web servers excl. web04').targets.except).toEqual({
      machines: ['web04'],
      groups: [],
    })
  })

  it('drops a machine listed and left out from the list ("web01-web04 but not web03")', () => {
    expect(read('restart nginx on web01-web04 but not web03').targets).toEqual({
      machines: ['web01', 'web02', 'web04'],
      groups: [],
      all: false,
      os: null,
      except: { machines: ['web03'], groups: [] },
    })
  })

  it('keeps conditions and other clauses that follow a marker as they were', () => {
    expect(read("restart nginx on web01, web02 but only where it's running")).toEqual({
      kind: 'operation',
      operations: [{ operation: 'service.restart', parameters: { service: 'nginx' } }],
      targets: { machines: ['web01', 'web02'], groups: [], all: false, os: null },
      condition: 'only-where-running',
    })
    expect(read('stop nginx on all web servers except where it is stopped').targets).toEqual({
      machines: [],
      groups: ['web-servers'],
      all: false,
      os: null,
    })
    // A bare "but" excludes only a list that ends its clause.
    expect(read('restart nginx on web01 but db02 needs it too').targets.except).toBeUndefined()
  })

  it('resolves the targets without the excluded machines and lists them in the preview', () => {
    const webs = plan('restart nginx on all web servers except web04')
    expect(webs.workflow.targets).toEqual(['web01', 'web02', 'web03'])
    expect(webs.excluded).toEqual(['web04'])
    const preview = previewWorkflow(webs)
    expect(preview).toContain('Linux 3 (web01, web02, web03)')
    expect(preview).toContain('- Left out as you asked: web04')
    const linux = plan('check uptime on all linux boxes apart from the build ones')
    expect(linux.workflow.targets).not.toContain('build01')
    expect(linux.workflow.targets).toContain('web01')
    // The Windows build agent was never a target of "all linux boxes": not said to be left out.
    expect(linux.excluded).toEqual(['build01', 'build02'])
  })

  it('answers inventory questions without the excluded machines', () => {
    expect(read('how many linux servers are there apart from the build agents').targets).toEqual({
      machines: [],
      groups: [],
      all: true,
      os: 'linux',
      except: { machines: [], groups: ['build-agents'] },
    })
    expect(
      answerInventoryQuestion(
        readOperationRequest('how many linux servers are there apart from the build agents', fleet),
        inventory,
      ),
    ).toBe(
      'In the inventory, Linux servers only, without group build-agents: 11 machines (11 Linux; 11 server).',
    )
  })
})
