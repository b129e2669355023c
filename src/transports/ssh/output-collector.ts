/**
 * Keeps at most `limit` characters of a stream and remembers whether more came. Decoding is
 * streaming so a multi-byte character split across chunks is not mangled.
 */
export class OutputCollector {
  private readonly decoder = new TextDecoder('utf-8')
  private readonly limit: number
  private collected = ''
  truncated = false

  constructor(limit: number) {
    this.limit = limit
  }

  add(chunk: Buffer): void {
    if (this.truncated) return
    this.collected += this.decoder.decode(chunk, { stream: true })
    if (this.collected.length > this.limit) {
      this.collected = this.collected.slice(0, this.limit)
      this.truncated = true
    }
  }

  text(): string {
    if (!this.truncated) this.collected += this.decoder.decode()
    return this.collected
  }
}
