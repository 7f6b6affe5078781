/** Numbers written as words, which name quantities as surely as digits do ("five divisions"). */
export const NUMBER_WORDS =
  "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|half|once|twice|first|second|third|fourth|fifth";

const NUMBER_WORD = new RegExp(`^(${NUMBER_WORDS})$`, "i");

export function isNumberWord(token: string): boolean {
  return NUMBER_WORD.test(token);
}
