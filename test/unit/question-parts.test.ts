import { describe, expect, it } from "vitest";
import { splitNamedAlternatives, splitQuestion } from "../../src/text/question-parts.ts";

describe("splitQuestion", () => {
  it("splits a second question joined by 'and' into a question of its own", () => {
    expect(splitQuestion("What does Basic cost and how long does the trash keep files?")).toEqual([
      "What does Basic cost?",
      "how long does the trash keep files?",
    ]);
    expect(
      splitQuestion("How much does the Basic plan cost and what is the capital of France?"),
    ).toEqual(["How much does the Basic plan cost?", "what is the capital of France?"]);
  });

  it("splits questions asked one after another", () => {
    expect(splitQuestion("What does Basic cost? How long is the trash kept?")).toEqual([
      "What does Basic cost?",
      "How long is the trash kept?",
    ]);
    expect(splitQuestion("Is my data encrypted?   Where is it stored?")).toEqual([
      "Is my data encrypted?",
      "Where is it stored?",
    ]);
  });

  it("splits three questions joined in one sentence, and ends each with a question mark", () => {
    expect(
      splitQuestion(
        "How much does Basic cost, and how long is the trash kept, and what uptime is promised?",
      ),
    ).toEqual([
      "How much does Basic cost?",
      "how long is the trash kept?",
      "what uptime is promised?",
    ]);
  });

  it.each([
    "How much does the Basic plan cost?",
    "What is the difference between Basic and Team?",
    // The subject carries on after "and is": one question about one person.
    "Who wrote Freakonomics and is also an anthropologist?",
    // Two question words asking about one event.
    "Where and when did the plague begin?",
    "What company was formed by the merger of Sky Television and British Satellite Broadcasting?",
    // Names coordinated are split only when the whole is refused (splitNamedAlternatives).
    "Trash retention on Team and Premium?",
    // A statement mentioning 'and what' is not a question asking two things.
    "Tell me the price and what it includes",
  ])("keeps %j whole", (question) => {
    expect(splitQuestion(question)).toEqual([question]);
  });

  it("keeps a question whole when a part would be too short to ask anything", () => {
    expect(splitQuestion("What does Basic cost and how?")).toEqual([
      "What does Basic cost and how?",
    ]);
    expect(splitQuestion("Basic? Team?")).toEqual(["Basic? Team?"]);
  });

  it("answers more than four questions as one: that is a list, not a question", () => {
    const four = "What is Basic? What is Team? What is Premium? What is Enterprise?";
    expect(splitQuestion(four)).toHaveLength(4);
    const five = `${four} What is Free?`;
    expect(splitQuestion(five)).toEqual([five]);
  });
});

describe("splitNamedAlternatives", () => {
  it("asks the rest of the question once for each of two coordinated names", () => {
    expect(splitNamedAlternatives("Trash retention on Team and Premium?")).toEqual([
      "Trash retention on Team?",
      "Trash retention on Premium?",
    ]);
    expect(splitNamedAlternatives("How long is the trash kept on Basic or Team plans?")).toEqual([
      "How long is the trash kept on Basic plans?",
      "How long is the trash kept on Team plans?",
    ]);
  });

  it.each([
    "What is the difference between Basic and Team?",
    "Who wrote Freakonomics and is also an anthropologist?",
    "Where and when did the plague begin?",
    // Multi-word names are one thing each: a merger of two companies names no alternatives.
    "What company was formed by the merger of Sky Television and British Satellite Broadcasting?",
    "What did both Mayow and Boyle find?",
    "How much does the Basic plan cost?",
  ])("keeps %j whole", (question) => {
    expect(splitNamedAlternatives(question)).toEqual([question]);
  });

  it("does not split questions joined by 'and': that is splitQuestion's job", () => {
    const question = "What does Basic cost and how long does the trash keep files?";
    expect(splitNamedAlternatives(question)).toEqual([question]);
  });
});
