// Starts an embedded Chroma on the directory given and reports it, then waits to be killed: the
// parent process of a leftover-server test.
import { EmbeddedChromaServer } from '../../src/knowledge/chroma/embedded-chroma-server.ts'

const [dataDirectory = '', runtimeCacheDirectory = ''] = process.argv.slice(2)
const server = new EmbeddedChromaServer({ dataDirectory, runtimeCacheDirectory })
const address = await server.start()
process.stdout.write(`${JSON.stringify({ url: address.url, pid: server.pid })}\n`)
setInterval(() => {}, 60_000)
