import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createServerLogger, lineLog, maskSecrets, REDACTED, requestContext } from './logger.ts'

/** A logger writing into memory, and its lines parsed. */
function memoryLogger() {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  const logger = createServerLogger({ level: 'debug', destination })
  const text = () => chunks.join('')
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  return { logger, text, lines }
}

const TOKEN = `hd_${'A'.repeat(43)}`
const PASSWORD = 'S3cret!Passw0rd'

describe('server logger', () => {
  it('writes one JSON object a line with level, time and message', () => {
    const { logger, lines } = memoryLogger()
    logger.info('helpdesk chat is ready')
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'helpdesk chat is ready',
        service: 'helpdesk',
      }),
    ])
    expect(String(lines()[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('puts the request id on every line written while a request is handled, and none outside', async () => {
    const { logger, lines } = memoryLogger()
    await requestContext.run({ requestId: 'req-1' }, async () => {
      logger.info('first')
      await new Promise((resolve) => setTimeout(resolve, 5))
      logger.error({ code: 'INTERNAL' }, 'after an await')
    })
    logger.info('between requests')
    expect(lines().map((line) => [line.msg, line.requestId])).toEqual([
      ['first', 'req-1'],
      ['after an await', 'req-1'],
      ['between requests', undefined],
    ])
  })

  it('redacts authorization and cookie headers and credential fields by name', () => {
    const { logger, text } = memoryLogger()
    logger.info(
      {
        headers: { authorization: `Bearer ${TOKEN}`, cookie: 'helpdesk_session=abc123secret' },
        token: TOKEN,
        user: { password: PASSWORD, apiKey: 'sk-live-123456' },
        secret: 'top',
      },
      'incoming',
    )
    const written = text()
    for (const secret of [TOKEN, PASSWORD, 'abc123secret', 'sk-live-123456', '"top"'])
      expect(written).not.toContain(secret)
    expect(written).toContain(REDACTED)
  })

  it('masks secrets inside message text', () => {
    const { logger, text } = memoryLogger()
    logger.warn(`upstream refused Authorization: Bearer ${TOKEN}`)
    logger.error(`connect failed: password=${PASSWORD}; token: "${TOKEN}"`)
    logger.info('database postgresql://helpdesk:pa55word@db:5432/helpdesk is up')
    const written = text()
    for (const secret of [TOKEN, PASSWORD, 'pa55word']) expect(written).not.toContain(secret)
    expect(written).toContain('postgresql://helpdesk:[REDACTED]@db:5432/helpdesk')
  })

  it('maskSecrets leaves plain text alone', () => {
    const line = 'knowledge ingested: 3 added, 0 updated in 120 ms (token file at /run/secrets/x)'
    expect(maskSecrets(line)).toBe(line)
  })

  it('lineLog writes failures at level error and the rest at info', () => {
    const { logger, lines } = memoryLogger()
    const log = lineLog(logger)
    log('error INTERNAL on GET /api/x: boom')
    log('approval expiry sweep failed: disk full')
    log('knowledge ingested')
    expect(lines().map((line) => line.level)).toEqual(['error', 'error', 'info'])
  })

  it('writes nothing at level silent', () => {
    const chunks: string[] = []
    const logger = createServerLogger({
      level: 'silent',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk.toString())
          done()
        },
      }),
    })
    logger.error('nobody hears this')
    expect(chunks).toEqual([])
  })
})
