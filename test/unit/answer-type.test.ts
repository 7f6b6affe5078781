import { describe, expect, it } from "vitest";
import {
  expectedAnswerType,
  statesAnswerType,
  type AnswerType,
} from "../../src/scoring/answer-type.ts";

describe("expectedAnswerType", () => {
  it.each<[string, AnswerType | null]>([
    ["How much does the Premium plan cost?", "money"],
    ["how much do I pay for extra seats?", "money"],
    ["What is the price of the Basic plan?", "money"],
    ["What are the fees for late payment?", "money"],
    ["How long does a refund take?", "duration"],
    ["How soon will my order ship?", "duration"],
    ["When did Acme open its first office?", "date"],
    ["What year was the handbook published?", "date"],
    ["What percentage of the fee is refunded?", "percent"],
    ["Which share of revenue goes to partners?", "percent"],
    ["How many seats does the Team plan include?", "quantity"],
    ["How much storage do I get?", "quantity"],
    ["How often are backups taken?", "quantity"],
    ["Who founded Acme?", null],
    ["Can I cancel online?", null],
    ["Whenever I log in I see an error; why?", null],
  ])("%s -> %s", (question, type) => {
    expect(expectedAnswerType(question)).toBe(type);
  });

  it("prefers the most specific kind: a price question is money, not quantity", () => {
    expect(expectedAnswerType("How much does it cost?")).toBe("money");
    expect(expectedAnswerType("How much does it weigh?")).toBe("quantity");
  });
});

describe("statesAnswerType", () => {
  it.each<[AnswerType, string, boolean]>([
    ["money", "The Premium plan costs $8 per month.", true],
    ["money", "Shipping is 5 euros within the EU.", true],
    ["money", "The Basic plan is free.", true],
    ["money", "Premium pricing is available from sales on request.", false],
    ["money", "Contact sales for a quote.", false],
    ["percent", "We refund 50% of the fee.", true],
    ["percent", "Ten percent of orders ship late.", true],
    ["percent", "We refund part of the fee.", false],
    ["duration", "Refunds take 5 business days.", true],
    ["duration", "Refunds take two weeks.", true],
    ["duration", "Access is revoked immediately.", true],
    ["duration", "Refunds are processed by the billing team.", false],
    ["date", "Acme was founded in 1998.", true],
    ["date", "The office opened in March.", true],
    ["date", "The office opened after the merger.", false],
    ["quantity", "The Team plan includes 10 seats.", true],
    ["quantity", "Backups are taken daily.", true],
    ["quantity", "The Team plan includes three seats.", true],
    ["quantity", "The Team plan includes extra seats.", false],
  ])("%s: %s -> %s", (type, sentence, states) => {
    expect(statesAnswerType(sentence, type)).toBe(states);
  });

  it("matches whole number words only", () => {
    expect(statesAnswerType("Someone will call.", "quantity")).toBe(false);
    expect(statesAnswerType("Tent pegs are sold separately.", "quantity")).toBe(false);
  });
});
