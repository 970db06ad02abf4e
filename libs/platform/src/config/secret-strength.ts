/** Entropy a secret needs at least: 32 random bytes. */
export const SECRET_BITS = 256;

/** What a secret must be, for the README and for start-up errors. */
export const SECRET_ALLOWS = 'at least 32 random bytes, e.g. 43 base64 or 64 hex characters (openssl rand -base64 32)';

/** The alphabets a secret is usually written in, smallest first, with the bits of each character. */
const ALPHABETS: readonly { readonly characters: RegExp; readonly bits: number }[] = [
  { characters: /^[0-9]*$/, bits: Math.log2(10) },
  { characters: /^[0-9a-fA-F]*$/, bits: 4 },
  // base64 and base64url; the padding carries nothing and is not counted.
  { characters: /^[A-Za-z0-9+/_-]*$/, bits: 6 },
  { characters: /^[\x20-\x7e]*$/, bits: Math.log2(95) },
];

/**
 * Why `secret` is too weak to sign tokens or guard a database, or `undefined` when it is
 * not. A string does not show how random it is; what it shows is a bound: its length times
 * the bits of a character of the smallest usual alphabet it is written in (digits, hex,
 * base64, printable ASCII, else bytes). Below 256 bits, or with one character making more
 * than a quarter of it (`xxxx…`, `abab…`), it is refused.
 */
export function weakSecret(secret: string): string | undefined {
  if (secret === '') return 'is empty';
  const unpadded = secret.replace(/=+$/, '');
  const alphabet = ALPHABETS.find(({ characters }) => characters.test(unpadded));
  const bits = alphabet ? unpadded.length * alphabet.bits : Buffer.byteLength(secret) * 8;
  if (bits < SECRET_BITS) return `is too short: at most ${Math.floor(bits)} bits of entropy, ${SECRET_BITS} needed`;
  const counts = new Map<string, number>();
  for (const character of secret) counts.set(character, (counts.get(character) ?? 0) + 1);
  if (Math.max(...counts.values()) * 4 > [...secret].length) return 'repeats one character too often to be random';
  return undefined;
}
