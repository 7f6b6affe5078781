import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectLanguage, foreignLanguage } from "../../src/text/language.ts";

const SECURITY = new URL("../../sources/acme/handbook/security.md", import.meta.url);
const english = new Set(["en"]);

describe("foreignLanguage", () => {
  it.each([
    ["¿Cuánto cuesta el plan Basic?", "es"],
    ["Wie lange bleiben gelöschte Dateien im Papierkorb?", "de"],
    ["パスワードリセットリンクはどのくらい有効ですか？", "ja"],
    ["Combien coûte le forfait Basic par mois ?", "fr"],
  ])("calls %j %j against an English corpus", (question, language) => {
    expect(foreignLanguage(question, english)).toBe(language);
  });

  it.each([
    // Short English questions: n-gram statistics alone may lean elsewhere by a hair.
    "Minimum password length?",
    "When did Augustus die?",
    "2FA?",
    "How many backup codes with 2FA?",
    "Trash retention on Team and Premium?",
    "How much does the Basic plan cost?",
    "Is my data encrypted at rest?",
  ])("lets the English %j through", (question) => {
    expect(foreignLanguage(question, english)).toBeNull();
  });

  it("lets a question through in any language the corpus has", () => {
    expect(foreignLanguage("¿Cuánto cuesta el plan Basic?", new Set(["en", "es"]))).toBeNull();
    expect(
      foreignLanguage("Wie lange bleiben gelöschte Dateien im Papierkorb?", new Set(["de"])),
    ).toBeNull();
  });

  it("names no language for a text with too few letters to carry one", () => {
    expect(foreignLanguage("¿Qué?", english)).toBeNull();
    expect(foreignLanguage("有効ですか？", english)).toBeNull();
  });
});

describe("detectLanguage", () => {
  it("detects a sample document as English", () => {
    expect(detectLanguage(readFileSync(SECURITY, "utf8"))).toBe("en");
  });

  it("names no language for text without words", () => {
    expect(detectLanguage("")).toBeNull();
    expect(detectLanguage("12 345 -- 67")).toBeNull();
  });
});
