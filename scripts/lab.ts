// npm run lab: a local lab the chat acts on for real. A Samba AD domain controller with a few
// users and groups, and an SSH Linux target, both on loopback; writes .helpdesk/lab/lab.env and
// .helpdesk/lab/inventory.yaml for `npm run start:lab`. Needs root (Samba) and the packages of
// scripts/install-test-deps.sh.
//   node scripts/lab.ts up | down | lock USER | status
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Client } from 'ldapts'
import { serviceControl } from './test-services/service-control.ts'

const labDirectory = path.resolve('.helpdesk/lab')

async function up(): Promise<void> {
  const [directory, ssh] = await Promise.all([
    serviceControl('samba-dc', 'start'),
    serviceControl('sshd', 'start'),
  ])
  await mkdir(labDirectory, { recursive: true, mode: 0o700 })
  const inventory = path.join(labDirectory, 'inventory.yaml')
  const machine = (name: string) => `  - name: ${name}
    host: 127.0.0.1
    port: ${ssh.SSH_PORT}
    os: linux
    transport: ssh
    username: ${ssh.SSH_USER}
    credential: file:${ssh.SSH_CLIENT_KEY}
    hostKey: ${ssh.SSH_HOST_KEY}
`
  await writeFile(
    inventory,
    `# Written by npm run lab. Both machines are the loopback sshd under two names.\ntargets:\n${machine('LAB-LINUX-01')}${machine('LAB-LINUX-02')}groups:\n  lab-linux: [LAB-LINUX-01, LAB-LINUX-02]\n`,
  )
  const environment = [
    '# Written by npm run lab: the settings that make the helpdesk act on the lab.',
    `HELPDESK_INVENTORY=${inventory}`,
    `AD_URL=${directory.LDAP_URL}`,
    `AD_BASE_DN=${directory.LDAP_BASE_DN}`,
    `AD_BIND_DN=${directory.LDAP_BIND_DN}`,
    `AD_BIND_CREDENTIAL=file:${directory.LDAP_BIND_PASSWORD_FILE}`,
    `AD_CA_FILE=${directory.LDAP_CA_FILE}`,
    `AD_TLS_SERVERNAME=${directory.LDAP_TLS_SERVERNAME}`,
    '',
  ].join('\n')
  await writeFile(path.join(labDirectory, 'lab.env'), environment, { mode: 0o600 })
  process.stdout.write(
    [
      'Lab is up.',
      `  Active Directory: ${directory.LDAP_URL} (${directory.LDAP_REALM}); users ${directory.LDAP_USERS}; groups ${directory.LDAP_GROUPS}`,
      `  Lab users' password: ${directory.LDAP_USER_PASSWORD}`,
      `  Linux targets LAB-LINUX-01, LAB-LINUX-02 (group lab-linux): ssh ${ssh.SSH_USER}@127.0.0.1 -p ${ssh.SSH_PORT}`,
      `  Settings: ${path.join(labDirectory, 'lab.env')}`,
      '',
      'Next:',
      '  npm run start:lab                      # the chat at http://127.0.0.1:8080/, acting on the lab',
      '  npm run lab:lock -- alice              # lock alice out with three wrong passwords',
      '  npm run helpdesk:lab -- run account_locked --param username=alice --yes',
      '  npm run lab:down                       # stop and remove the lab',
      '',
    ].join('\n'),
  )
}

async function down(): Promise<void> {
  await Promise.allSettled([
    serviceControl('samba-dc', 'teardown'),
    serviceControl('sshd', 'teardown'),
  ])
  await rm(labDirectory, { recursive: true, force: true })
  process.stdout.write('Lab removed (domain controller, SSH target, users and settings).\n')
}

/** Three wrong passwords: the domain's lockout threshold in the lab. */
async function lock(username: string): Promise<void> {
  if (!/^[a-z][a-z0-9._-]{0,19}$/.test(username))
    throw new Error(`lab:lock: "${username}" is not a lab user name`)
  const directory = await serviceControl('samba-dc', 'start')
  const tlsOptions = {
    ca: [await readFile(directory.LDAP_CA_FILE ?? '')],
    servername: directory.LDAP_TLS_SERVERNAME,
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    const client = new Client({ url: directory.LDAP_URL ?? '', tlsOptions, timeout: 5000 })
    const outcome = await client
      .bind(`${username}@${directory.LDAP_REALM}`, `wrong-password-${attempt}`)
      .then(
        () => 'accepted (!)',
        (error: Error) => error.message.match(/data [0-9a-f]+/)?.[0] ?? error.message,
      )
    await client.unbind().catch(() => undefined)
    process.stdout.write(`wrong password ${attempt}: ${outcome}\n`)
  }
  process.stdout.write(`${username} is now locked out (a correct password gives "data 775").\n`)
}

const [command, argument] = process.argv.slice(2)
if (command === 'up') await up()
else if (command === 'down') await down()
else if (command === 'lock' && argument) await lock(argument)
else if (command === 'status')
  process.stdout.write(`${JSON.stringify(await serviceControl('samba-dc', 'start'), null, 2)}\n`)
else {
  process.stderr.write('usage: node scripts/lab.ts up | down | lock USER | status\n')
  process.exit(2)
}
