// Every SQL statement takes its values as parameters ($1, $2 ... through exec_params): a
// string literal holding SQL that is joined with `+` to something that is not a literal is
// string-built SQL. Each such statement must say in the comment just above it why what
// it joins cannot carry a value from outside: `// sql-safe: <reason>` (a column name from a
// fixed list, a number the program chose, an identifier quoted by the driver).
//
//   node sql_parameters_lint.cjs <source dir>...   (prints each unjustified place; exit 1)
//   node sql_parameters_lint.cjs --self-test       (the checker finds what it must)
"use strict";
const fs = require("fs");
const path = require("path");

const sqlWord = /\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES|FROM|JOIN|SET|AND|OR|ORDER BY|LIMIT|ANY|RETURNING|DECLARE|FETCH)\b/;

// The places in `text` where a literal holding SQL is joined to a non-literal: [{line, code}].
function findConcatenations(text) {
  const lines = text.split("\n");
  const found = [];
  lines.forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "");
    // Literals on this line, and what stands between and around them.
    const literal = /"(?:[^"\\]|\\.)*"/g;
    const parts = [];
    let last = 0;
    let match;
    while ((match = literal.exec(code))) {
      parts.push({ kind: "code", text: code.slice(last, match.index) });
      parts.push({ kind: "literal", text: match[0] });
      last = match.index + match[0].length;
    }
    parts.push({ kind: "code", text: code.slice(last) });
    const hasSql = parts.some((p) => p.kind === "literal" && sqlWord.test(p.text));
    // Continuation lines of a statement: a literal with SQL earlier in the statement.
    const inSqlStatement = hasSql || (i > 0 && /"\s*\+?\s*$/.test(lines[i - 1]) && sqlWord.test(lines[i - 1]));
    if (!inSqlStatement) return;
    // A trailing `+` joins whatever starts the next line.
    const next = (lines[i + 1] || "").trim();
    const joinsNext = /\+\s*$/.test(code) && next !== "" && !next.startsWith('"');
    const joinsValue = joinsNext ||
      parts.some((p) => p.kind === "code" && /\+(?![=+])\s*[A-Za-z_(]|[A-Za-z_0-9)\]]\s*\+(?![=+])/.test(p.text));
    if (joinsValue) found.push({ line: i + 1, code: line.trim() });
  });
  return found;
}

// Whether the statement holding line `lineNumber` (1-based) has a sql-safe: reason in it or
// in the comment lines just above it.
function justified(lines, lineNumber) {
  let start = lineNumber - 1;
  const ends = (text) => /[;{}]\s*(\/\/.*)?$/.test(text.trim());
  while (start > 0 && !ends(lines[start - 1]) && !/^\s*\/\//.test(lines[start - 1])) start--;
  for (let i = start; i < lineNumber; i++) if (lines[i].includes("sql-safe:")) return true;
  for (let i = start - 1; i >= 0 && /^\s*\/\//.test(lines[i]); i--) {
    if (lines[i].includes("sql-safe:")) return true;
  }
  return false;
}

function check(file) {
  const text = fs.readFileSync(file, "utf8");
  const lines = text.split("\n");
  return findConcatenations(text)
    .filter((place) => !justified(lines, place.line))
    .map((place) => `${file}:${place.line}: string-built SQL without a sql-safe: reason: ${place.code}`);
}

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(cpp|hpp)$/.test(entry.name) ? [full] : [];
  });
}

if (process.argv[2] === "--self-test") {
  const bad = [
    'tx.exec("SELECT * FROM workers WHERE worker_name = \'" + name + "\'");',
    'auto q = "DELETE FROM units WHERE unit_id = " +\n    std::to_string(id);',
    'tx.exec(std::string("UPDATE task_runs SET ") + column + " = 1");',
  ];
  const good = [
    'tx.exec_params("SELECT * FROM workers WHERE worker_name = $1", name);',
    'err << "throng: no task run " << id << "; SELECT another";',
    'auto message = "cannot " + what;',
  ];
  let failed = false;
  for (const text of bad) {
    if (findConcatenations(text).length === 0) console.error(`self-test: missed ${text}`), (failed = true);
  }
  for (const text of good) {
    if (findConcatenations(text).length !== 0) console.error(`self-test: flagged ${text}`), (failed = true);
  }
  const annotated = '// sql-safe: a column from the fixed list above\ntx.exec("SELECT " + column + " FROM t");';
  if (!justified(annotated.split("\n"), 2)) console.error("self-test: ignored sql-safe"), (failed = true);
  console.log(failed ? "self-test failed" : "self-test ok");
  process.exit(failed ? 1 : 0);
}

const problems = process.argv.slice(2).flatMap(sources).flatMap(check);
for (const problem of problems) console.log(problem);
if (problems.length) {
  console.log(`${problems.length} string-built SQL statements: use exec_params, or say why it is safe`);
  process.exit(1);
}
console.log("every SQL statement takes its values as parameters (or says why it is safe)");
