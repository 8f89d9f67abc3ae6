// ssh2 is CommonJS: Node's ESM loader gives its exports only as the default import.
import ssh2, { type ParsedKey } from 'ssh2';

/** What a private key file holds, as far as logging in with it goes. */
export type PrivateKeyVerdict =
  | { readonly kind: 'usable'; readonly key: ParsedKey }
  /** Encrypted, and no passphrase was given. */
  | { readonly kind: 'encrypted' }
  /** Encrypted, and the passphrase given does not open it. */
  | { readonly kind: 'wrong-passphrase' }
  | { readonly kind: 'unusable'; readonly reason: string };

/**
 * Reads a private key the way ssh2 will when logging in, so that an encrypted key without a
 * passphrase, a wrong passphrase or a file that is no key is named as such. ssh2's messages say
 * what is wrong with the format, never the key or the passphrase.
 */
export function parsePrivateKeyText(
  text: Buffer | string,
  passphrase: string | undefined,
): PrivateKeyVerdict {
  const parsed = ssh2.utils.parseKey(text, passphrase);
  if (!(parsed instanceof Error)) {
    // ssh2 hands back a list for OpenSSH's newer format (one key in it, in practice).
    const key: ParsedKey | undefined = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
    return key?.isPrivateKey() === true
      ? { kind: 'usable', key }
      : { kind: 'unusable', reason: 'holds no private key' };
  }
  if (/no passphrase given/i.test(parsed.message)) return { kind: 'encrypted' };
  if (/passphrase/i.test(parsed.message)) return { kind: 'wrong-passphrase' };
  return { kind: 'unusable', reason: `is not a private key ssh can use (${parsed.message})` };
}

/**
 * Keys read once per run: opening an encrypted OpenSSH key costs a deliberately slow bcrypt
 * derivation, which every hop of every server would otherwise pay again. A file whose contents
 * changed (a rotated key) is read afresh.
 */
export class PrivateKeyCache {
  private readonly verdicts = new Map<
    string,
    { readonly text: Buffer; readonly verdict: PrivateKeyVerdict }
  >();

  verdict(file: string, text: Buffer, passphrase: string | undefined): PrivateKeyVerdict {
    const known = this.verdicts.get(file);
    if (known?.text.equals(text)) return known.verdict;
    const verdict = parsePrivateKeyText(text, passphrase);
    this.verdicts.set(file, { text, verdict });
    return verdict;
  }
}
