import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeWinRmEndpoint } from '../../tests/support/fake-winrm-endpoint.ts'
import { SqliteAuditLog } from '../audit/sqlite-audit-log.ts'
import { EmbeddedJobEngine } from '../jobs/embedded-job-engine.ts'
import { SqliteJobStore } from '../jobs/sqlite-job-store.ts'
import { WorkflowScriptRunner } from '../jobs/workflow-script-runner.ts'
import { OperationCatalog } from '../operations/operation-catalog.ts'
import { OperationsDesk } from '../operations/operations-desk.ts'
import { AccessPolicy } from '../policy/access-policy.ts'
import { AccountMap } from '../policy/account-map.ts'
import { WinRmRemoteShell } from '../transports/winrm/winrm-remote-shell.ts'
import { openInventory } from './inventory-loading.ts'
import { openSambaFleet, type SambaFleet } from './testing/samba-computers.ts'

/**
 * An operation on a group read from Active Directory (the real Samba AD DC on loopback, computers
 * and group made by the test), planned by the chat's operations desk and run by the job engine
 * over the real WinRM client to the WS-Management test endpoint. NOT REAL WINDOWS: the endpoint
 * records the PowerShell it receives and answers from a script.
 */

let fleet: SambaFleet
const fleet$ = openSambaFleet([])

beforeAll(async () => {
  fleet = await fleet$
})

afterAll(async () => {
  await (await fleet$).remove()
})

describe('NOT REAL WINDOWS: an operation on an AD group, run through the job engine over WinRM', () => {
  it("stops a service on the AD group's computers, each script as planned, at the WS-Management test endpoint", async () => {
    const password = 'Ad-Group-Winrm-Pa55!'
    const received: string[] = []
    // The WS-Management test endpoint (tests/support/fake-winrm-endpoint.ts) decodes and records
    // each script and answers as a service that is running and then stops; it runs no PowerShell.
    const endpoint = await startFakeWinRmEndpoint({
      authentication: 'ntlm',
      username: 'CORP\\svc-helpdesk',
      password,
      run(commandLine) {
        const encoded = /-EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(commandLine)?.[1] ?? ''
        received.push(Buffer.from(encoded, 'base64').toString('utf16le'))
        return { rounds: [{ stdout: 'ok\r\n' }], exitCode: 0 }
      },
    })
    for (const name of ['BATCH01', 'BATCH02'])
      await fleet.addComputer({
        name,
        ou: ['Batch'],
        operatingSystem: 'Windows Server 2022 Standard',
        dnsHostName: '127.0.0.1',
      })
    await fleet.addGroup('Batch Servers', ['BATCH01', 'BATCH02'])
    const opened = await openInventory({
      environment: fleet.environment({
        HELPDESK_INVENTORY_AD_BASE_DN: `OU=Batch,${fleet.baseDn}`,
        HELPDESK_INVENTORY_AD_WINRM_PORT: String(endpoint.port),
      }),
    })
    if (!opened) throw new Error('expected an inventory')
    const { inventory } = opened
    const access = new AccessPolicy({ accounts: new AccountMap(), machines: inventory })
    const desk = new OperationsDesk({ catalog: await OperationCatalog.load(), inventory, access })
    const turn = await desk.answer('stop the batchjob service on the Batch Servers group', {
      username: 'tom',
      role: 'technician',
    })
    const plan = turn?.plan
    if (!plan) throw new Error(`no plan: ${turn?.reply}`)
    expect(plan.workflow.targets).toEqual(['BATCH01', 'BATCH02'])
    const audit = new SqliteAuditLog({ file: ':memory:' })
    const store = new SqliteJobStore({ file: ':memory:' })
    const shell = new WinRmRemoteShell({
      config: { caFile: endpoint.caFile, allowHttp: false, authentication: 'ntlm' },
      environment: { TEST_WINRM_PASSWORD: password },
      receiveWaitSeconds: 1,
    })
    const engine = new EmbeddedJobEngine({
      store,
      audit,
      inventory,
      runner: new WorkflowScriptRunner({ shells: { winrm: shell }, audit }),
    })
    try {
      const id = await engine.start(plan.workflow, {
        requester: 'tom',
        approval: {
          id: 'ad-group-approval',
          approver: 'tom',
          approvedAt: new Date().toISOString(),
          level: 1,
          scope: 'plan',
          via: 'test',
        },
      })
      for await (const _event of engine.follow(id, 0)) {
        // until the job ends
      }
      const view = await engine.view(id)
      expect(view?.status).toBe('succeeded')
      expect(view?.progress).toMatchObject({ done: 2, failed: 0, pending: 0 })
      const step = plan.workflow.steps[0]
      // Per computer of the AD group: the stop, then its verification, byte for byte.
      expect(received.sort()).toEqual(
        [
          step?.scripts.windows,
          step?.verify?.windows,
          step?.scripts.windows,
          step?.verify?.windows,
        ].sort(),
      )
      expect(received.join('')).toContain("} -service 'batchjob'")
      expect(endpoint.violations).toEqual([])
    } finally {
      await engine.close()
      await shell.close()
      await store.close()
      await audit.close()
      await endpoint.close()
      opened.close()
    }
  })
})
