// Content validation for incoming requests: the parsing boundary where `unknown` becomes typed.
//
// One validator per request type, in a table (house style 1): adding a request type is one
// entry. A validator returns the typed content, filling the spec's defaults, or a string saying
// what is wrong; the handler turns that string into an error reply, so malformed content never
// reaches the evaluator and never goes unanswered.

import { codePointLength } from "./cursor.js";
import type { Envelope, JsonObject, Request, RequestContentMap, RequestType } from "./messages.js";
import type { RawMessage } from "./wire.js";

type Fields = Record<string, unknown>;
type Validator<K extends RequestType> = (c: Fields) => RequestContentMap[K] | string;

class Invalid {
  constructor(readonly why: string) {}
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Field readers: they throw Invalid (caught in `validateRequest`) to keep validators one-liners.
function str(c: Fields, key: string, fallback?: string): string {
  const v = c[key] ?? fallback;
  if (typeof v !== "string") throw new Invalid(`"${key}" must be a string`);
  return v;
}

function bool(c: Fields, key: string, fallback: boolean): boolean {
  const v = c[key] ?? fallback;
  if (typeof v !== "boolean") throw new Invalid(`"${key}" must be a boolean`);
  return v;
}

function int(c: Fields, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new Invalid(`"${key}" must be an integer`);
  return v;
}

function obj(c: Fields, key: string): JsonObject {
  const v = c[key] ?? {};
  if (!isObject(v)) throw new Invalid(`"${key}" must be an object`);
  // Parsed JSON is JSON: the only unchecked cast at this boundary.
  return v as JsonObject;
}

/** cursor_pos counts code points (see cursor.ts); the default is the end of the code. */
function cursor(c: Fields, code: string): number {
  const length = codePointLength(code);
  const pos = int(c, "cursor_pos", length);
  if (pos < 0 || pos > length) throw new Invalid(`"cursor_pos" ${pos} is outside the code (${length} code points)`);
  return pos;
}

function stringMap(c: Fields, key: string): { [name: string]: string } {
  const v = obj(c, key);
  for (const [name, expr] of Object.entries(v)) {
    if (typeof expr !== "string") throw new Invalid(`"${key}.${name}" must be a string`);
  }
  return v as { [name: string]: string };
}

const empty = (): Record<string, never> => ({});

const VALIDATORS: { [K in RequestType]: Validator<K> } = {
  execute_request: (c) => {
    const silent = bool(c, "silent", false);
    return {
      code: str(c, "code"),
      silent,
      // Spec: silent forces store_history off.
      store_history: silent ? false : bool(c, "store_history", true),
      user_expressions: stringMap(c, "user_expressions"),
      allow_stdin: bool(c, "allow_stdin", true),
      stop_on_error: bool(c, "stop_on_error", true),
    };
  },
  kernel_info_request: empty,
  complete_request: (c) => {
    const code = str(c, "code");
    return { code, cursor_pos: cursor(c, code) };
  },
  inspect_request: (c) => {
    const code = str(c, "code");
    const level = int(c, "detail_level", 0);
    if (level !== 0 && level !== 1) return `"detail_level" must be 0 or 1`;
    return { code, cursor_pos: cursor(c, code), detail_level: level };
  },
  is_complete_request: (c) => ({ code: str(c, "code") }),
  history_request: (c) => {
    const output = bool(c, "output", false);
    const raw = bool(c, "raw", true);
    const access = str(c, "hist_access_type", "tail");
    switch (access) {
      case "tail":
        return { hist_access_type: "tail", output, raw, n: int(c, "n", 10) };
      case "range":
        return { hist_access_type: "range", output, raw, session: int(c, "session", 0), start: int(c, "start", 0), stop: int(c, "stop", 0) };
      case "search":
        return { hist_access_type: "search", output, raw, n: int(c, "n", 10), pattern: str(c, "pattern", "*"), unique: bool(c, "unique", false) };
      default:
        return `"hist_access_type" must be "tail", "range" or "search", got ${JSON.stringify(access)}`;
    }
  },
  comm_info_request: (c) => (c["target_name"] === undefined ? {} : { target_name: str(c, "target_name") }),
  comm_open: (c) => {
    const content = { comm_id: str(c, "comm_id"), target_name: str(c, "target_name"), data: obj(c, "data") };
    return c["target_module"] === undefined || c["target_module"] === null ? content : { ...content, target_module: str(c, "target_module") };
  },
  comm_msg: (c) => ({ comm_id: str(c, "comm_id"), data: obj(c, "data") }),
  comm_close: (c) => ({ comm_id: str(c, "comm_id"), data: obj(c, "data") }),
  shutdown_request: (c) => ({ restart: bool(c, "restart", false) }),
  interrupt_request: empty,
  input_reply: (c) => ({ value: str(c, "value") }),
};

function isRequestType(msgType: string): msgType is RequestType {
  return Object.prototype.hasOwnProperty.call(VALIDATORS, msgType);
}

export type Validated =
  | { kind: "request"; request: Request }
  | { kind: "malformed"; envelope: Envelope; msgType: string; why: string }
  | { kind: "unknown"; envelope: Envelope; msgType: string };

/** Types the content of a decoded message by its `msg_type`. Never throws. */
export function validateRequest(raw: RawMessage): Validated {
  const { identities, header, parent_header, metadata, buffers } = raw;
  const envelope: Envelope = { identities, header, parent_header, metadata, buffers };
  const msgType = header.msg_type;
  if (!isRequestType(msgType)) return { kind: "unknown", envelope, msgType };
  if (!isObject(raw.content)) return { kind: "malformed", envelope, msgType, why: "content must be a JSON object" };
  let result: RequestContentMap[RequestType] | string;
  try {
    result = (VALIDATORS[msgType] as Validator<RequestType>)(raw.content);
  } catch (e) {
    if (e instanceof Invalid) return { kind: "malformed", envelope, msgType, why: e.why };
    throw e;
  }
  if (typeof result === "string") return { kind: "malformed", envelope, msgType, why: result };
  // The table pairs each msg_type with its validator, so content matches msg_type by construction.
  return { kind: "request", request: { ...envelope, msg_type: msgType, content: result } as Request };
}
