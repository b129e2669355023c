/**
 * The network checks of the operation finder (request-operations.ts): "can web01 reach db01 on
 * port 5432", "dp03 -> redis.internal 6379 reachable?", "does web01 resolve db01". The host's and
 * port's spans are reported so the target finder does not take the host for a target.
 * @module
 */

const HOST = '([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)'

type Add = (
  match: RegExpMatchArray,
  operation: string,
  parameters: Record<string, string | number>,
  valueSpans?: Array<[number, number]>,
) => void

/** Adds the port and name checks the text asks for. */
export function findNetworkChecks(text: string, add: Add): void {
  const talks =
    /\b(?:reach|reachable|connect|connectivity|port|tcp|udp|talk\s+to|access|hit|see|get\s+to|open\s+(?:a\s+)?(?:connection|socket)|open(?=\s*\?)|listening)\b/i.test(
      text,
    )
  const port =
    /\bport\s+(?:check\s+)?(?:on\s+|for\s+)?(\d{1,5})\b/i.exec(text) ??
    /\b(?:tcp|udp)[\s/:]+(\d{1,5})\b/i.exec(text) ??
    /\b[A-Za-z0-9.-]+:(\d{1,5})\b/.exec(text) ??
    (talks ? /\b(?:on|at)\s+(\d{2,5})\b/i.exec(text) : null) ??
    // "dp03 -> redis.internal 6379 reachable?": a bare number right after a dotted name.
    (talks
      ? /\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\s+(\d{2,5})\b(?!\s*(?:h\b|hours?|days?|min|%))/i.exec(
          text,
        )
      : null)
  if (port && talks) {
    const host =
      new RegExp(String.raw`\b${HOST}:\d{1,5}\b`).exec(text) ??
      new RegExp(String.raw`\b(?:is|are)\s+(?:the\s+)?${HOST}\s+reachable\s+from\b`, 'i').exec(
        text,
      ) ??
      new RegExp(String.raw`\bport\s+\d{1,5}\s+on\s+${HOST}`, 'i').exec(text) ??
      // "cannot reach the file server. Could you check whether app-win01 can reach fs01 on
      // port 445": the reach that the port follows.
      new RegExp(
        String.raw`\b(?:reach|hit)\s+(?:the\s+)?${HOST}\s+(?:on\s+|at\s+|via\s+)?(?:port|tcp)\b`,
        'i',
      ).exec(text) ??
      new RegExp(String.raw`\b(?:reach|hit)\s+(?:the\s+)?${HOST}`, 'i').exec(text) ??
      new RegExp(
        String.raw`\bport\s+\d{1,5}\s+(?:is\s+)?(?:open|reachable|listening)\s+on\s+${HOST}(?=\s+from\b)`,
        'i',
      ).exec(text) ??
      new RegExp(String.raw`\b(?:talk|connect|get\s+through)\s+to\s+(?:the\s+)?${HOST}`, 'i').exec(
        text,
      ) ??
      new RegExp(String.raw`\bport\s+\d{1,5}\s+(?:to|of)\s+${HOST}`, 'i').exec(text) ??
      // "can dp01 see kafka on 9092"
      new RegExp(
        String.raw`\bsee\s+(?!(?:if|whether|that|the\s+port|port)\b)(?:the\s+)?${HOST}\s+(?:on|at)\b`,
        'i',
      ).exec(text) ??
      // "is smtp.corp.local port 25 open": a dotted name or a machine before its port.
      /\b([A-Za-z0-9-]*[.\d][A-Za-z0-9.-]*[A-Za-z0-9])\s+(?:on\s+)?port\s+\d{1,5}/i.exec(text) ??
      /\b([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\s+\d{2,5}\b/.exec(text) ??
      // "dp03 -> redis.internal": an arrow says "to".
      new RegExp(String.raw`(?:\bto|->|\u2192)\s*${HOST}`, 'i').exec(text)
    if (host?.[1]) {
      const hostStart = (host.index ?? 0) + host[0].lastIndexOf(host[1])
      add(port, 'network.port-check', { host: host[1], port: Number(port[1]) }, [
        [hostStart, hostStart + host[1].length],
        [port.index ?? 0, (port.index ?? 0) + port[0].length],
      ])
    }
  }
  const resolveWord =
    /\bresol(?:ve|ves|ving|ution)\b|\bdns\s+(?:lookup|resolution|check|query|test)\b|\b(?:check|test|verify|query|lookup)\s+(?:the\s+)?dns\b|\bdns\s+(?:for|of|on)\b|\bnslookup\b|\blook\s*up\b|\bdig\b/i.exec(
      text,
    )
  if (resolveWord) {
    const host =
      /\b([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b/.exec(text) ??
      // "does web01 resolve db01": the name after the verb; "does db01 resolve on web03": the
      // name before it.
      new RegExp(
        String.raw`\bresolve\s+(?!(?:on|from|at|in|for|to|names?|hostnames?|dns|anything|it|them|properly|correctly|ok|fine)\b)${HOST}`,
        'i',
      ).exec(text) ??
      new RegExp(String.raw`\b(?:does|do|can|will|did)\s+${HOST}\s+resolve`, 'i').exec(text)
    if (host?.[1]) {
      const hostStart = (host.index ?? 0) + host[0].lastIndexOf(host[1])
      add(resolveWord, 'network.name-check', { host: host[1] }, [
        [hostStart, hostStart + host[1].length],
      ])
    }
  }
}
