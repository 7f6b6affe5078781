import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyseText, debugText, stemEnglish } from "../../src/text/analyse.ts";

// The in-process analysis must give what PostgreSQL's `english` configuration gives, token for
// token and position for position: the index is built with one and questions were analysed with
// the other until now, and the sentence scorer compares their lexemes.

let pg: PGlite;
beforeAll(async () => {
  pg = await PGlite.create();
});
afterAll(() => pg.close());

async function tsvector(text: string): Promise<Record<string, number[]>> {
  const { rows } = await pg.query<{ lexeme: string; positions: number[] }>(
    "select lexeme, positions from unnest(to_tsvector('english', $1))",
    [text],
  );
  return Object.fromEntries(rows.map((r) => [r.lexeme, r.positions.map(Number)]));
}

async function tsDebug(text: string) {
  const { rows } = await pg.query<{ alias: string; token: string; lexemes: string[] | null }>(
    "select alias, token, lexemes from ts_debug('english', $1)",
    [text],
  );
  return rows.map((r) => ({
    alias: r.alias,
    token: r.token,
    lexeme: r.lexemes?.[0] ?? (r.lexemes ? "" : null),
  }));
}

const TRICKY = [
  "The Basic plan costs $8.50 per user per month, billed annually.",
  "Per-seat pricing; two-factor authentication (2FA) and re-enter-your-password flows.",
  "Mail support@acme.example or visit https://acme.example/help/reset?x=1#top today.",
  "Version v1.2.3, 1.2.3.4 and 3.14 and -5 and +7 and 1e-5 and 10,000 on 2023-01-02.",
  "Files live in /usr/local/bin/verity, ~/notes.txt and ../up/one.md; ./here too.",
  '<p class="x">Bold &amp; <b>brave</b></p> <!-- a comment --> &#169; &#x00A9;',
  "<script>ignored words here</script> but these count <style>a{}</style> again",
  "Don’t won't can't O'Neill's café naïve résumé ÉCOLE Ünïcode straße",
  "liveli\u00adhood combining e\u0301 zero\u200bwidth data_science snake_case foo_bar-baz",
  "Added adding egged erred inning outing herring proceeding skies dying lying generously",
  "host.example.com:8080/path and www.example.org and a.b and 192.168.0.1 mp3 h2o x86-64",
  "Mixed 3rd 21st-century COVID-19 SARS-CoV-2 IL-6 p53 TNF-α β-cell α-synuclein",
  "A really -- long — dash – between words... and ellipsis… and “quotes” ‘single’.",
  "ex.com:8080/a?b=1 a_b.c_d.com 1e5.com 32.3E12.EE 12.ab.c x.y.z a.b.. ~p_q-r a~x ../up /..",
  "foo-bar-64 foo-6a-64 a-b_c 2023-01-02 -1.2.3 --5 1.2.3a 1e5x 1.5e10 +3.14 1,000 x86-64",
  "<!DOCTYPE html><?xml a=b?><a b='<'> <a/b> <script>a<b>c</script>d <!--> x --> <a b",
  "&a:b; &aé; &#xZZ; &#12a; 1éXx@y.org a_b@c.com a..b@c.com b_@x.com http://localhost/ svn+ssh://x.com",
];

describe("analyseText equals to_tsvector('english', text)", () => {
  it.each(TRICKY)("%s", async (text) => {
    expect(Object.fromEntries(analyseText(text))).toEqual(await tsvector(text));
  });

  it("numbers positions past stopwords and caps them as Postgres does", async () => {
    const text = Array.from({ length: 300 }, (_, i) => `the cat ${i % 3 ? "sat" : "ran"}`).join(
      " ",
    );
    expect(Object.fromEntries(analyseText(text))).toEqual(await tsvector(text));
  });

  it("agrees on random text built from the characters that steer the parser", async () => {
    const alphabet = [..."aZé9 .-_/@:<>&;#'~+eE\u00ad\u0301—’xX", "http://", "www.", ".com"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((a) => a.join("")),
        async (text) => {
          expect(Object.fromEntries(analyseText(text))).toEqual(await tsvector(text));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("agrees on random numbers, hosts, URLs and paths", async () => {
    const alphabet = [..."ab1eE2 .-_/@:~+#?=&", "com", "http://", "www.", "1.2"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }).map((a) => a.join("")),
        async (text) => {
          expect(debugText(text)).toEqual(await tsDebug(text));
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe("debugText equals ts_debug('english', text)", () => {
  it.each(TRICKY)("%s", async (text) => {
    expect(debugText(text)).toEqual(await tsDebug(text));
  });
});

describe("stemEnglish is PostgreSQL 18's Snowball English stemmer", () => {
  it.each([
    ["added", "add"],
    ["egging", "egg"],
    ["shopped", "shop"],
    ["generously", "generous"],
    ["skies", "sky"],
    ["inning", "inning"],
    ["upped", "up"],
    ["offed", "off"],
  ])("%s -> %s", async (word, stem) => {
    expect(stemEnglish(word)).toBe(stem);
    const { rows } = await pg.query<{ l: string[] }>("select ts_lexize('english_stem', $1) as l", [
      word,
    ]);
    expect(rows[0]!.l).toEqual([stem]);
  });
});
