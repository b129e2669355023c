/**
 * MD4 (RFC 1320), needed only for the NT hash of NTLM: OpenSSL 3 moved MD4 to its legacy provider,
 * so `createHash('md4')` fails in Node 17+. Small, dependency-free, checked against the RFC's test
 * suite in ntlm.test.ts.
 * @module
 */

const rotateLeft = (value: number, bits: number) => (value << bits) | (value >>> (32 - bits))

export function md4(input: Uint8Array): Buffer {
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian number.
  const paddedLength = (((input.length + 8) >> 6) + 1) << 6
  const padded = Buffer.alloc(paddedLength)
  padded.set(input)
  padded[input.length] = 0x80
  padded.writeUInt32LE((input.length * 8) >>> 0, paddedLength - 8)
  padded.writeUInt32LE(Math.floor((input.length * 8) / 0x1_0000_0000), paddedLength - 4)

  let a = 0x67452301
  let b = 0xefcdab89
  let c = 0x98badcfe
  let d = 0x10325476
  const x = new Array<number>(16)
  const f = (p: number, q: number, r: number) => (p & q) | (~p & r)
  const g = (p: number, q: number, r: number) => (p & q) | (p & r) | (q & r)
  const h = (p: number, q: number, r: number) => p ^ q ^ r

  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let index = 0; index < 16; index++) x[index] = padded.readUInt32LE(offset + index * 4)
    const word = (index: number) => x[index] ?? 0
    const [aa, bb, cc, dd] = [a, b, c, d]

    // Round 1: [abcd k s] a = (a + F(b,c,d) + X[k]) <<< s
    for (const k of [0, 4, 8, 12]) {
      a = rotateLeft((a + f(b, c, d) + word(k)) | 0, 3)
      d = rotateLeft((d + f(a, b, c) + word(k + 1)) | 0, 7)
      c = rotateLeft((c + f(d, a, b) + word(k + 2)) | 0, 11)
      b = rotateLeft((b + f(c, d, a) + word(k + 3)) | 0, 19)
    }
    // Round 2: a = (a + G(b,c,d) + X[k] + 5A827999) <<< s
    for (const k of [0, 1, 2, 3]) {
      a = rotateLeft((a + g(b, c, d) + word(k) + 0x5a827999) | 0, 3)
      d = rotateLeft((d + g(a, b, c) + word(k + 4) + 0x5a827999) | 0, 5)
      c = rotateLeft((c + g(d, a, b) + word(k + 8) + 0x5a827999) | 0, 9)
      b = rotateLeft((b + g(c, d, a) + word(k + 12) + 0x5a827999) | 0, 13)
    }
    // Round 3: a = (a + H(b,c,d) + X[k] + 6ED9EBA1) <<< s
    for (const k of [0, 2, 1, 3]) {
      a = rotateLeft((a + h(b, c, d) + word(k) + 0x6ed9eba1) | 0, 3)
      d = rotateLeft((d + h(a, b, c) + word(k + 8) + 0x6ed9eba1) | 0, 9)
      c = rotateLeft((c + h(d, a, b) + word(k + 4) + 0x6ed9eba1) | 0, 11)
      b = rotateLeft((b + h(c, d, a) + word(k + 12) + 0x6ed9eba1) | 0, 15)
    }
    a = (a + aa) | 0
    b = (b + bb) | 0
    c = (c + cc) | 0
    d = (d + dd) | 0
  }
  const digest = Buffer.alloc(16)
  digest.writeInt32LE(a, 0)
  digest.writeInt32LE(b, 4)
  digest.writeInt32LE(c, 8)
  digest.writeInt32LE(d, 12)
  return digest
}
