// Markdown to plain text through a real CommonMark + GFM parser (mdast), so emphasis, links,
// tables and code are handled the way renderers handle them rather than by regex guesses.
import type { Heading, List, PhrasingContent, Root, RootContent, Table } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { frontmatterFromMarkdown } from "mdast-util-frontmatter";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { frontmatter } from "micromark-extension-frontmatter";
import { gfm } from "micromark-extension-gfm";
import { rowText } from "../../src/text/table-rows.ts";
import { decodeUtf8 } from "./decode-utf8.ts";
import { htmlFragmentToText } from "./html.ts";
import type { ExtractedDocument } from "./types.ts";

// Front matter is metadata, not prose; parsing it stops "title: x\n---" becoming a setext heading.
const FRONT_MATTER = ["yaml", "toml"] as const;
// Soft line breaks inside a paragraph are wrapping, not structure: a newline would end a sentence.
const SOFT_BREAK = /[ \t]*\r?\n[ \t]*/g;
// Inline HTML line breaks, the usual way to break a line inside a table cell.
const BREAK_TAG = /^<br\s*\/?>$/i;

export async function loadMarkdown(bytes: Uint8Array): Promise<ExtractedDocument> {
  const tree = fromMarkdown(decodeUtf8(bytes), {
    extensions: [gfm(), frontmatter([...FRONT_MATTER])],
    mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown([...FRONT_MATTER])],
  });
  return { title: findTitle(tree), text: blocksOf(tree.children).join("\n\n") };
}

function findTitle(tree: Root): string | undefined {
  const headings = tree.children.filter((node): node is Heading => node.type === "heading");
  const heading = headings.find((node) => node.depth === 1) ?? headings[0];
  return heading ? phrasingText(heading.children) : undefined;
}

function blocksOf(nodes: readonly RootContent[]): string[] {
  return nodes.flatMap(blockText);
}

function blockText(node: RootContent): string[] {
  switch (node.type) {
    case "heading":
    case "paragraph":
      return nonEmpty(phrasingText(node.children));
    case "code":
      return nonEmpty(node.value);
    case "blockquote":
    case "footnoteDefinition":
      return blocksOf(node.children);
    case "list":
      return nonEmpty(listLines(node).join("\n"));
    case "table":
      return nonEmpty(tableLines(node).join("\n"));
    case "html":
      return nonEmpty(htmlFragmentToText(node.value));
    default:
      // thematicBreak, definition, front matter: nothing a reader would read as text.
      return [];
  }
}

/** One line per list item (markers dropped); nested items follow their parent on their own lines. */
function listLines(list: List): string[] {
  return list.children.flatMap((item) =>
    item.children.flatMap((child) => (child.type === "list" ? listLines(child) : blockText(child))),
  );
}

/** One line per row, header first, in the form the evidence reader parses (table-rows.ts). */
function tableLines(table: Table): string[] {
  // GFM fills a short row with empty cells and drops extra ones; mdast leaves that to the reader,
  // and every row must have the header's cell count to read as part of the table.
  const columns = table.children[0]?.children.length ?? 0;
  return table.children.map((row) =>
    rowText(
      Array.from({ length: columns }, (_, i) => {
        const cell = row.children[i];
        return cell ? phrasingText(cell.children) : "";
      }),
    ),
  );
}

function phrasingText(nodes: readonly PhrasingContent[]): string {
  return nodes.map(inlineText).join("");
}

function inlineText(node: PhrasingContent): string {
  switch (node.type) {
    case "text":
    case "inlineCode":
      return node.value.replace(SOFT_BREAK, " ");
    case "break":
      return "\n";
    case "html":
      return BREAK_TAG.test(node.value) ? "\n" : "";
    case "emphasis":
    case "strong":
    case "delete":
    case "link":
    case "linkReference":
      return phrasingText(node.children);
    default:
      // Inline HTML tags, images and footnote markers carry no prose of their own.
      return "";
  }
}

function nonEmpty(text: string): string[] {
  return text.trim() ? [text] : [];
}
