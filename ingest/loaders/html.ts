// Readable text from an HTML page: the main content only, without navigation, chrome or scripts.
import * as cheerio from "cheerio";
import type { CheerioAPI } from "cheerio";
import { decodeUtf8 } from "./decode-utf8.ts";
import { htmlNodesToText } from "./html-text.ts";
import type { ExtractedDocument } from "./types.ts";

// Never part of the readable text, wherever they appear.
const NOISE = [
  ...["script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas"],
  ...["nav", "aside", "form", "button", "dialog", "footer"],
  ...["[hidden]", "[aria-hidden=true]"],
  ...["[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=search]"],
  "[role=complementary]",
].join(", ");
// A page-level <header> is the site banner; an <article>'s own header holds its title and byline.
const CONTENT_SCOPE = "article, main, [role=main]";
const CONTENT_ROOTS = ["main", "[role=main]"];

export async function loadHtml(bytes: Uint8Array): Promise<ExtractedDocument> {
  const $ = cheerio.load(decodeUtf8(bytes));
  const pageTitle = collapse($("title").first().text());
  removeNoise($);
  const root = contentRoot($);
  const heading = collapse(root.find("h1").first().text());
  return { title: pageTitle || heading || undefined, text: htmlNodesToText(root.toArray()) };
}

/** Text of an HTML fragment, e.g. raw HTML embedded in Markdown. */
export function htmlFragmentToText(html: string): string {
  const $ = cheerio.load(html, null, false);
  removeNoise($);
  return htmlNodesToText($.root().contents().toArray());
}

function removeNoise($: CheerioAPI): void {
  $(NOISE).remove();
  $("header")
    .filter((_, element) => $(element).closest(CONTENT_SCOPE).length === 0)
    .remove();
}

function contentRoot($: CheerioAPI) {
  for (const selector of CONTENT_ROOTS) {
    const found = $(selector).first();
    if (found.length > 0) return found;
  }
  // Several articles (a listing page) are all content; nested ones are already inside their parent.
  const articles = $("article").filter((_, element) => $(element).parents("article").length === 0);
  if (articles.length > 0) return articles;
  const body = $("body");
  return body.length > 0 ? body : $.root();
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
