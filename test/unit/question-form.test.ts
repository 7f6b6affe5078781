import { describe, expect, it } from "vitest";
import { isKeywordNoise } from "../../src/scoring/question-form.ts";

/** The searchable terms of an input, one per distinct word, as the query analysis gives them. */
const terms = (...surfaces: string[]) => surfaces.map((surface) => ({ surface }));

describe("isKeywordNoise", () => {
  it.each([
    ["Basic", terms("Basic")],
    ["trash", terms("trash")],
    ["trash?", terms("trash")],
    ["  Basic.  ", terms("Basic")],
  ])("calls the lone keyword %j noise", (text, t) => {
    expect(isKeywordNoise(text, t)).toBe(true);
  });

  it.each([
    ["plan plan plan plan", terms("plan")],
    ["plan plan plan plan plan plan plan plan", terms("plan")],
    ["Plan plan PLAN cost", terms("plan", "cost")],
    ["trash trash trash basic plan", terms("trash", "basic", "plan")],
  ])("calls one word said over and over %j noise", (text, t) => {
    expect(isKeywordNoise(text, t)).toBe(true);
  });

  it.each([
    // A question word or an inverted auxiliary asks something even about one thing.
    ["What is Basic?", terms("Basic")],
    ["Is it encrypted?", terms("encrypted")],
    ["How much does the Basic plan cost?", terms("Basic", "plan", "cost")],
    // Two keywords relate two things: a terse question, not a keyword.
    ["Basic plan", terms("Basic", "plan")],
    ["Minimum password length?", terms("Minimum", "password", "length")],
    ["2FA backup codes", terms("2FA", "backup", "codes")],
    // A word twice is emphasis or grammar, and a real question may name its topic thrice.
    ["plan plan cost", terms("plan", "cost")],
    [
      "Which plan costs less, the Basic plan or the Team plan?",
      terms("plan", "costs", "less", "Basic", "Team"),
    ],
  ])("lets %j through", (text, t) => {
    expect(isKeywordNoise(text, t)).toBe(false);
  });

  it("counts repeats as whole words, not inside longer ones", () => {
    // "planning", "planned" and "plans" are other words than "plan".
    expect(isKeywordNoise("plan planning planned plans", terms("plan", "planning"))).toBe(false);
  });
});
