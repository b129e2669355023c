#!/usr/bin/env node
// The helpdesk command. The sources are TypeScript run by Node's type stripping (Node >= 22.18
// does it by default; 22.12-22.17 need the flag, so we re-run ourselves with it).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `helpdesk needs Node.js >= 22.12; this is ${process.version}. Run it through npm ` +
      '(npx helpdesk ..., npm start), which uses the Node 24 the project installs, or install Node 24.',
  )
  process.exit(1)
}
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
if (process.features.typescript) {
  await import(main)
} else {
  const result = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', main, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  )
  process.exit(result.status ?? 1)
}
