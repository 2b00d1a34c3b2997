/**
 * Argument names of a JS function or method, read from its source as PyTorch reads a Python
 * function's signature (inspect), so traced graphs name inputs `%x`, `%h`. Types are erased at
 * run time; names are all the tracer needs. Destructured or rest parameters get no name.
 */
export function argumentNames(fn: Function): (string | null)[] {
  const src = Function.prototype.toString.call(fn);
  const open = src.indexOf("(");
  // an arrow function with a single bare parameter: `x => ...`
  const arrow = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (arrow && (open < 0 || src.indexOf("=>") < open)) return [arrow[1]!];
  if (open < 0) return [];
  let depth = 0;
  let end = open;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) {
        end = i;
        break;
      }
    }
  }
  return splitParams(src.slice(open + 1, end)).map((p) => {
    const m = /^\s*([A-Za-z_$][\w$]*)\s*(?:=|$)/.exec(p);
    return m ? m[1]! : null;
  });
}

function splitParams(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of s) {
    if (c === "(" || c === "[" || c === "{") depth++;
    if (c === ")" || c === "]" || c === "}") depth--;
    if (c === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}
