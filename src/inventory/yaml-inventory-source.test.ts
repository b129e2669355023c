import { runInventorySourceContract } from './inventory-source-contract.case.test.ts'
import { YamlInventorySource } from './yaml-inventory-source.ts'

runInventorySourceContract({
  name: 'YAML file',
  create: async () => new YamlInventorySource('tests/fixtures/operations-inventory.yaml'),
  broken: async () => [
    {
      source: new YamlInventorySource('tests/fixtures/no-such-inventory.yaml'),
      setting: 'HELPDESK_INVENTORY',
    },
    { source: new YamlInventorySource('package.json'), setting: 'HELPDESK_INVENTORY' },
  ],
})
