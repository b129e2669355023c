/**
 * Whether two usernames name the same person. Usernames compare without case everywhere
 * (directory accounts do): `ALICE` is `alice`, so she can neither confirm nor approve as someone
 * else, and nobody can be created as her twin.
 */
export function samePerson(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase()
}
