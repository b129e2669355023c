// Tracing's settings: off unless the standard OpenTelemetry settings ask for it, anything it
// cannot do refused by name; and off, `inSpan` is a plain call with no span around it.
import { trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { isHelpdeskError } from '../errors/index.ts'
import { inSpan, tracingEnabled, tracingSettings } from './tracing.ts'

const settings = (environment: Record<string, string>) => tracingSettings(environment, 'helpdesk')

function refusal(environment: Record<string, string>): string {
  try {
    settings(environment)
  } catch (error) {
    if (isHelpdeskError(error) && error.code === 'INVALID_CONFIGURATION') return error.message
    throw error
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`)
}

describe('tracing settings', () => {
  it('is off without any OpenTelemetry setting, and with none or OTEL_SDK_DISABLED', () => {
    expect(settings({})).toEqual({ enabled: false })
    expect(settings({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toEqual({
      enabled: false,
    })
    expect(
      settings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toEqual({ enabled: false })
    expect(
      settings({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toEqual({ enabled: false })
  })

  it('is on with an endpoint or OTEL_TRACES_EXPORTER=otlp, naming the origin only', () => {
    expect(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:secret@collector.example:4318/' }),
    ).toEqual({
      enabled: true,
      serviceName: 'helpdesk',
      url: 'https://user:secret@collector.example:4318/v1/traces',
      endpoint: 'https://collector.example:4318',
      scheduleDelayMs: 5000,
    })
    expect(
      settings({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318',
        OTEL_SERVICE_NAME: 'helpdesk-eu',
        OTEL_BSP_SCHEDULE_DELAY: '250',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }),
    ).toEqual({
      enabled: true,
      serviceName: 'helpdesk-eu',
      url: 'http://traces:4318/v1/traces',
      endpoint: 'http://traces:4318',
      scheduleDelayMs: 250,
    })
    expect(settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'false' })).toMatchObject({
      enabled: true,
      url: 'http://localhost:4318/v1/traces',
      endpoint: 'http://localhost:4318',
    })
  })

  it('refuses what it cannot do, naming the setting', () => {
    expect(refusal({ OTEL_TRACES_EXPORTER: 'jaeger' })).toMatch(/^OTEL_TRACES_EXPORTER: .*otlp/)
    expect(refusal({ OTEL_SDK_DISABLED: 'yes' })).toMatch(
      /^OTEL_SDK_DISABLED: expected true or false/,
    )
    expect(
      refusal({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toMatch(/^OTEL_EXPORTER_OTLP_PROTOCOL: only http\/json/)
    expect(refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatch(
      /^OTEL_EXPORTER_OTLP_ENDPOINT: expected an http/,
    )
    expect(refusal({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://c' })).toMatch(
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /,
    )
    for (const delay of ['0', '-5', '1.5', '10000000', 'soon'])
      expect(
        refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_BSP_SCHEDULE_DELAY: delay }),
      ).toMatch(/^OTEL_BSP_SCHEDULE_DELAY: /)
  })
})

describe('inSpan with tracing off', () => {
  it('calls the function with no span, sync or async, errors passed through', async () => {
    expect(tracingEnabled()).toBe(false)
    expect(inSpan('x', {}, (span) => (span === undefined ? trace.getActiveSpan() : 'a span'))).toBe(
      undefined,
    )
    await expect(inSpan('x', {}, async () => 42)).resolves.toBe(42)
    expect(() =>
      inSpan('x', {}, () => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
  })
})
