import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The Ed25519 key that signs ledger checkpoints, named by the checkpoint origin
 * (e.g. `verity.local/ledger`). Files are ordinary PEM (PKCS#8 private, SPKI public) preceded by
 * one line `Ledger-Key-Name: <name>`. RFC 7468 lets text sit before the BEGIN line and OpenSSL
 * (so `openssl pkey`) skips it, so the name travels inside the same file as the key it names.
 */
export type LedgerPublicKey = { name: string; keyId: string; publicKey: KeyObject };
export type LedgerSigningKey = LedgerPublicKey & { privateKey: KeyObject };

const NAME_HEADER = "Ledger-Key-Name";
/** signed-note's identifier byte for Ed25519 signatures, hashed into the key id. */
const ED25519_SIGNATURE_TYPE = 0x01;

export class LedgerKeyError extends Error {
  override name = "LedgerKeyError";
}

/** signed-note key names: non-empty, no Unicode spaces, no "+", no control characters. */
export function assertKeyName(name: string): void {
  if (!/^[^\s+\p{Cc}]+$/u.test(name)) {
    throw new LedgerKeyError(
      `ledger key name ${JSON.stringify(name)} must be non-empty, without spaces or "+"`,
    );
  }
}

/** The 32 raw bytes RFC 8032 calls the public key (the SPKI wrapping stripped). */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== "ed25519") {
    throw new LedgerKeyError(`a key of type ${publicKey.asymmetricKeyType} is not Ed25519`);
  }
  return Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
}

/** C2SP signed-note key id: SHA-256(name || 0x0A || 0x01 || raw key)[:4], as 8 hex digits. */
export function computeKeyId(name: string, publicKey: KeyObject): string {
  return createHash("sha256")
    .update(name, "utf8")
    .update(Buffer.from([0x0a, ED25519_SIGNATURE_TYPE]))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4)
    .toString("hex");
}

/** The text of a `.pub` file: what a reviewer saves and hands to loadLedgerPublicKey. */
export function publicKeyPem(key: Pick<LedgerPublicKey, "name" | "publicKey">): string {
  const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
  return `${NAME_HEADER}: ${key.name}\n${pem}`;
}

/** A fresh key pair as the text of its two files (see the header-line format above). */
export function generateLedgerKey(name: string) {
  assertKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    name,
    keyId: computeKeyId(name, publicKey),
    privatePem: `${NAME_HEADER}: ${name}\n${pkcs8}`,
    publicPem: publicKeyPem({ name, publicKey }),
  };
}

/** Writes `path` (mode 0600) and `path.pub`; never replaces a key, which would orphan the log. */
export function writeLedgerKeyFiles(path: string, name: string) {
  const publicPath = `${path}.pub`;
  for (const file of [path, publicPath]) {
    if (existsSync(file)) throw new LedgerKeyError(`${file} already exists; not overwriting it`);
  }
  const key = generateLedgerKey(name);
  mkdirSync(dirname(path), { recursive: true });
  // "wx" fails rather than overwrites, closing the gap between the check above and the write.
  writeFileSync(path, key.privatePem, { mode: 0o600, flag: "wx" });
  try {
    writeFileSync(publicPath, key.publicPem, { mode: 0o644, flag: "wx" });
  } catch (error) {
    rmSync(path);
    throw error;
  }
  return { name: key.name, keyId: key.keyId, privatePath: path, publicPath };
}

function readKeyFile(path: string, label: "PRIVATE KEY" | "PUBLIC KEY") {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new LedgerKeyError(
      missing ? `no ledger key file at ${path}` : `cannot read ledger key ${path}: ${error}`,
    );
  }
  const name = new RegExp(`^${NAME_HEADER}: (.*)$`, "m").exec(text)?.[1]?.trim();
  if (!name) throw new LedgerKeyError(`${path} has no "${NAME_HEADER}:" line naming the key`);
  assertKeyName(name);
  const block = new RegExp(`-----BEGIN ${label}-----[^-]+-----END ${label}-----`).exec(text);
  if (!block) throw new LedgerKeyError(`${path} holds no "${label}" PEM block`);
  return { name, pem: block[0] };
}

function assertEd25519(key: KeyObject, path: string): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new LedgerKeyError(`${path} holds a key of type ${key.asymmetricKeyType}, not Ed25519`);
  }
}

export function loadLedgerSigningKey(path: string): LedgerSigningKey {
  const { name, pem } = readKeyFile(path, "PRIVATE KEY");
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new LedgerKeyError(`${path} is not a readable private key: ${(error as Error).message}`);
  }
  assertEd25519(privateKey, path);
  const publicKey = createPublicKey(privateKey);
  return { name, keyId: computeKeyId(name, publicKey), privateKey, publicKey };
}

/** Reads the `.pub` file a reviewer is given; a private key file is refused, not unwrapped. */
export function loadLedgerPublicKey(path: string): LedgerPublicKey {
  const { name, pem } = readKeyFile(path, "PUBLIC KEY");
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (error) {
    throw new LedgerKeyError(`${path} is not a readable public key: ${(error as Error).message}`);
  }
  assertEd25519(publicKey, path);
  return { name, keyId: computeKeyId(name, publicKey), publicKey };
}
