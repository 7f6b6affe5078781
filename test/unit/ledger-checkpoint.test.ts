import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkpointBody,
  signCheckpoint,
  SignedCheckpoint,
  signNote,
  toSignedCheckpoint,
  verifyCheckpoint,
  verifyNote,
} from "../../src/ledger/checkpoint.ts";
import { emptyRoot, leafHash } from "../../src/ledger/merkle.ts";
import {
  computeKeyId,
  generateLedgerKey,
  loadLedgerPublicKey,
  loadLedgerSigningKey,
  publicKeyPem,
  writeLedgerKeyFiles,
  type LedgerSigningKey,
} from "../../src/ledger/signing-key.ts";

const dir = mkdtempSync(join(tmpdir(), "verity-ledger-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyNamed(name: string): LedgerSigningKey {
  const path = join(dir, `${name.replaceAll("/", "_")}-${Math.random().toString(36).slice(2)}`);
  writeLedgerKeyFiles(path, name);
  return loadLedgerSigningKey(path);
}

/** Go's sumdb/note test key "PeterNeumann" (golang.org/x/mod note_test.go): 0x01 || raw key. */
const PETER = {
  name: "PeterNeumann",
  seed: Buffer.from("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "base64").subarray(1),
  pub: Buffer.from("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "base64").subarray(1),
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  signature:
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
};
// The fixed DER prefixes that wrap a raw Ed25519 key as PKCS#8 / SPKI (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

describe("signed notes, against Go's sumdb/note", () => {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, PETER.seed]),
    format: "der",
    type: "pkcs8",
  });
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, PETER.pub]),
    format: "der",
    type: "spki",
  });
  const peter = { name: PETER.name, keyId: "c74f20a3", privateKey, publicKey };

  it("derive the same key id and the same signed note, byte for byte", () => {
    expect(computeKeyId(PETER.name, publicKey)).toBe("c74f20a3");
    expect(computeKeyId(PETER.name, createPublicKey(privateKey))).toBe("c74f20a3");
    expect(signNote(peter, PETER.text)).toBe(`${PETER.text}\n${PETER.signature}`);
    expect(verifyNote(peter, `${PETER.text}\n${PETER.signature}`)).toEqual({
      ok: true,
      text: PETER.text,
    });
  });
});

describe("checkpoints", () => {
  const key = keyNamed("verity.local/ledger");
  const root = leafHash("a leaf");
  const time = new Date("2025-03-04T05:06:07.000Z");
  const signed = signCheckpoint(key, 5, root, time);

  it("are a tlog-checkpoint body with a time line, signed as a note, and verify", () => {
    expect(signed.note).toBe(
      `${checkpointBody(key.name, 5, root, ["time 2025-03-04T05:06:07.000Z"])}\n— ${key.name} ` +
        `${Buffer.concat([Buffer.from(key.keyId, "hex"), Buffer.from(signed.signature, "base64")]).toString("base64")}\n`,
    );
    expect(checkpointBody(key.name, 5, root)).toBe(
      `verity.local/ledger\n5\n${root.toString("base64")}\n`,
    );
    expect(SignedCheckpoint.parse(signed)).toEqual(signed);
    expect(signed).toMatchObject({ origin: key.name, treeSize: 5, keyId: key.keyId });
    expect(signed.rootHash).toBe(root.toString("hex"));
    expect(verifyCheckpoint(key, signed.note)).toEqual({
      ok: true,
      origin: key.name,
      treeSize: 5,
      root,
      time: "2025-03-04T05:06:07.000Z",
    });
    const empty = signCheckpoint(key, 0, emptyRoot());
    expect(verifyCheckpoint(key, empty.note)).toMatchObject({ ok: true, treeSize: 0 });
  });

  it("read back from a stored note into the same JSON shape, without a key", () => {
    expect(toSignedCheckpoint(signed.note)).toEqual(signed);
    expect(() => toSignedCheckpoint(signed.note.replace("\n\n", "\n"))).toThrow(/not a checkpoint/);
    const foreign = signNote(keyNamed("other.example/log"), checkpointBody(key.name, 5, root));
    expect(() => toSignedCheckpoint(foreign)).toThrow(/no signature by its origin/);
  });

  it("ignore signatures by other keys, such as a witness's cosignature", () => {
    const witness = keyNamed("witness.example/w1");
    const body = signed.note.slice(0, signed.note.lastIndexOf("\n\n") + 1);
    const cosigned = signed.note + signNote(witness, body).slice(body.length + 1);
    expect(verifyCheckpoint(key, cosigned)).toMatchObject({ ok: true, treeSize: 5 });
    expect(verifyCheckpoint(witness, cosigned)).toMatchObject({ ok: false });
  });

  const rejects = (note: string, reason: RegExp, by = key) => {
    const result = verifyCheckpoint(by, note);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  };

  it("fail, with a reason, once the body, size, root or signature is changed", () => {
    rejects(signed.note.replace("time 2025", "time 2024"), /does not verify/);
    rejects(signed.note.replace("\n5\n", "\n6\n"), /does not verify/);
    const otherRoot = leafHash("another leaf").toString("base64");
    rejects(signed.note.replace(root.toString("base64"), otherRoot), /does not verify/);
    const line = signed.note.split("\n\n")[1]!;
    const bytes = Buffer.from(line.split(" ")[2]!, "base64");
    bytes[10]! ^= 1;
    rejects(
      signed.note.replace(line, `— ${key.name} ${bytes.toString("base64")}\n`),
      /does not verify/,
    );
  });

  it("fail for another key of the same name, or a key of another name", () => {
    rejects(
      signed.note,
      /not signed by verity\.local\/ledger\/[0-9a-f]{8} \(signed by verity/,
      keyNamed(key.name),
    );
    rejects(signed.note, /not signed by other\.example\/log/, keyNamed("other.example/log"));
  });

  it("fail when the signed body is not a checkpoint of this key's log", () => {
    rejects(
      signNote(key, checkpointBody("other.example/log", 5, root)),
      /origin "other.example\/log"/,
    );
    rejects(signNote(key, `${key.name}\n5\n`), /not 3\+ lines/);
    rejects(signNote(key, `${key.name}\n05\n${root.toString("base64")}\n`), /not a decimal count/);
    rejects(signNote(key, `${key.name}\n5\n${root.toString("hex")}\n`), /not a base64 SHA-256/);
    rejects(signNote(key, `${key.name}\n5\n${root.toString("base64")}\ntime soon\n`), /time/);
  });

  it("fail when the note itself is malformed", () => {
    rejects(signed.note.replace("\n\n", "\n"), /blank line|malformed/);
    rejects(signed.note.slice(0, -1), /blank line/);
    rejects(signed.note.replace("5\n", "5\r\n"), /control character/);
    rejects(`${signed.note}not a signature\n`, /malformed signature line/);
  });
});

describe("ledger key files", () => {
  it("write the private key 0600 beside a .pub, both naming the key, and load back", () => {
    const path = join(dir, "keys", "ledger.key");
    const written = writeLedgerKeyFiles(path, "verity.local/ledger");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${path}.pub`, "utf8")).toMatch(
      /^Ledger-Key-Name: verity.local\/ledger\n-----BEGIN PUBLIC KEY-----/,
    );
    const signing = loadLedgerSigningKey(path);
    const pub = loadLedgerPublicKey(`${path}.pub`);
    expect(signing).toMatchObject({ name: "verity.local/ledger", keyId: written.keyId });
    expect(pub).toMatchObject({ name: "verity.local/ledger", keyId: written.keyId });
    expect(verifyCheckpoint(pub, signCheckpoint(signing, 1, leafHash("x")).note).ok).toBe(true);
    // What the server publishes is the .pub file itself.
    expect(publicKeyPem(signing)).toBe(readFileSync(`${path}.pub`, "utf8"));
  });

  it("never overwrite an existing key, not even half of one", () => {
    const path = join(dir, "twice.key");
    writeLedgerKeyFiles(path, "verity.local/ledger");
    const before = readFileSync(path, "utf8");
    expect(() => writeLedgerKeyFiles(path, "verity.local/ledger")).toThrow(/already exists/);
    expect(readFileSync(path, "utf8")).toBe(before);
    const lonely = join(dir, "lonely.key");
    writeFileSync(`${lonely}.pub`, "placeholder");
    expect(() => writeLedgerKeyFiles(lonely, "verity.local/ledger")).toThrow(/already exists/);
    expect(existsSync(lonely)).toBe(false);
  });

  it("refuse names a signed note cannot carry", () => {
    for (const name of ["", "has space", "a+b", "tab\there"]) {
      expect(() => generateLedgerKey(name), JSON.stringify(name)).toThrow(/name/);
    }
  });

  it("say what is wrong with a missing, foreign or mismatched file", () => {
    expect(() => loadLedgerSigningKey(join(dir, "missing.key"))).toThrow(/no ledger key file at/);
    const ec = join(dir, "ec.key");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(
      ec,
      `Ledger-Key-Name: ec/key\n${privateKey.export({ type: "pkcs8", format: "pem" })}`,
    );
    expect(() => loadLedgerSigningKey(ec)).toThrow(/holds a key of type ec, not Ed25519/);
    const unnamed = join(dir, "unnamed.key");
    writeFileSync(unnamed, generateLedgerKey("x/y").privatePem.split("\n").slice(1).join("\n"));
    expect(() => loadLedgerSigningKey(unnamed)).toThrow(/no "Ledger-Key-Name:" line/);
    const pair = join(dir, "pair.key");
    writeLedgerKeyFiles(pair, "verity.local/ledger");
    expect(() => loadLedgerSigningKey(`${pair}.pub`)).toThrow(/no "PRIVATE KEY" PEM block/);
    expect(() => loadLedgerPublicKey(pair)).toThrow(/no "PUBLIC KEY" PEM block/);
  });
});
