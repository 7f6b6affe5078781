import { runAuditCli } from "../src/cli/audit.ts";
import { loadSourceText } from "./source-text.ts";

// `npm run audit`: the audit CLI lives in src/cli; re-reading source files as ingest read them
// (verify-sources) is the pipeline's, so this entry point plugs it in.
runAuditCli({ loadText: loadSourceText });
