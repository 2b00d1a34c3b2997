// Jupyter messaging protocol 5.3 message types, as discriminated unions keyed by `msg_type`.
//
// The wire names (`execute_request`, `execution_count`, ...) appear here and in the validators
// only (house style 13); the rest of the kernel speaks in the Evaluator's camelCase terms.
// Reference: jupyter_client's "Messaging in Jupyter" (protocol 5.3/5.4).

import { randomUUID } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";

/** Any JSON value: what the protocol can carry in content and metadata. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  /** ISO 8601 with a time zone ("Z"); jupyter_client parses it with dateutil. */
  date: string;
  msg_type: string;
  version: string;
}

/** The parent of a message: the request's header, or `{}` for unsolicited messages. */
export type ParentHeader = Header | Record<string, never>;

/** A MIME bundle: `{"text/plain": "...", "text/html": "...", ...}`. */
export type MimeBundle = { [mime: string]: Json };

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

// ---------------------------------------------------------------------------------------------
// Requests (shell, control, stdin), after validation (see validate.ts).

export interface ExecuteRequestContent {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: { [name: string]: string };
  allow_stdin: boolean;
  stop_on_error: boolean;
}

export type HistoryRequestContent =
  | { hist_access_type: "tail"; output: boolean; raw: boolean; n: number }
  | { hist_access_type: "range"; output: boolean; raw: boolean; session: number; start: number; stop: number }
  | { hist_access_type: "search"; output: boolean; raw: boolean; n: number; pattern: string; unique: boolean };

export interface RequestContentMap {
  execute_request: ExecuteRequestContent;
  kernel_info_request: Record<string, never>;
  complete_request: { code: string; cursor_pos: number };
  inspect_request: { code: string; cursor_pos: number; detail_level: 0 | 1 };
  is_complete_request: { code: string };
  history_request: HistoryRequestContent;
  comm_info_request: { target_name?: string };
  comm_open: { comm_id: string; target_name: string; data: JsonObject; target_module?: string };
  comm_msg: { comm_id: string; data: JsonObject };
  comm_close: { comm_id: string; data: JsonObject };
  shutdown_request: { restart: boolean };
  interrupt_request: Record<string, never>;
  input_reply: { value: string };
}

export type RequestType = keyof RequestContentMap;

/** Everything a validated incoming message carries besides its typed content. */
export interface Envelope {
  /** ZeroMQ routing identities, echoed on the reply (and used to route `input_request`). */
  identities: Buffer[];
  header: Header;
  parent_header: ParentHeader;
  metadata: JsonObject;
  buffers: Buffer[];
}

export type Request = {
  [K in RequestType]: Envelope & { msg_type: K; content: RequestContentMap[K] };
}[RequestType];

export type RequestOf<K extends RequestType> = Extract<Request, { msg_type: K }>;

/** Frontend → kernel comm messages: shell messages that get no reply (spec). */
export const NO_REPLY_TYPES: ReadonlySet<string> = new Set(["comm_open", "comm_msg", "comm_close", "input_reply"]);

// ---------------------------------------------------------------------------------------------
// Replies (shell, control).

export type ReplyStatus = "ok" | "error" | "aborted";

export type ErrorReplyContent = { status: "error" } & ErrorContent;

export type ExecuteReplyContent =
  | { status: "ok"; execution_count: number; user_expressions: { [name: string]: Json }; payload: Json[] }
  | ({ status: "error"; execution_count: number } & ErrorContent)
  | { status: "aborted" };

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  pygments_lexer: string;
  codemirror_mode: string | JsonObject;
  nbconvert_exporter: string;
}

export interface HelpLink {
  text: string;
  url: string;
}

export interface KernelInfoReplyContent {
  status: "ok";
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  help_links: HelpLink[];
  debugger: boolean;
}

export interface CompleteReplyContent {
  status: "ok";
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: JsonObject;
}

export interface InspectReplyContent {
  status: "ok";
  found: boolean;
  data: MimeBundle;
  metadata: JsonObject;
}

export type IsCompleteReplyContent =
  | { status: "complete" | "invalid" | "unknown" }
  | { status: "incomplete"; indent: string };

/** `[session, line_number, input]` or, with `output: true`, `[session, line_number, [input, output]]`. */
export type HistoryTuple = [number, number, string] | [number, number, [string, string | null]];

export interface ReplyContentMap {
  execute_reply: ExecuteReplyContent;
  kernel_info_reply: KernelInfoReplyContent;
  complete_reply: CompleteReplyContent | ErrorReplyContent;
  inspect_reply: InspectReplyContent | ErrorReplyContent;
  is_complete_reply: IsCompleteReplyContent;
  history_reply: { status: "ok"; history: HistoryTuple[] } | ErrorReplyContent;
  comm_info_reply: { status: "ok"; comms: { [commId: string]: { target_name: string } } } | ErrorReplyContent;
  shutdown_reply: { status: "ok"; restart: boolean };
  interrupt_reply: { status: "ok" } | ErrorReplyContent;
}

export type ReplyType = keyof ReplyContentMap;

/**
 * A reply. Known replies are typed by `msg_type`; a request the kernel does not know (or whose
 * content is malformed) still gets `<name>_reply` with an error, never silence.
 */
export type Reply =
  | { [K in ReplyType]: { msg_type: K; content: ReplyContentMap[K] } }[ReplyType]
  | { msg_type: `${string}_reply`; content: ErrorReplyContent };

// ---------------------------------------------------------------------------------------------
// IOPub (and stdin's kernel → frontend request).

export type ExecutionState = "busy" | "idle" | "starting";
export type StreamName = "stdout" | "stderr";

export interface IopubContentMap {
  status: { execution_state: ExecutionState };
  stream: { name: StreamName; text: string };
  display_data: { data: MimeBundle; metadata: JsonObject; transient: { display_id?: string } };
  update_display_data: { data: MimeBundle; metadata: JsonObject; transient: { display_id: string } };
  clear_output: { wait: boolean };
  execute_input: { code: string; execution_count: number };
  execute_result: { execution_count: number; data: MimeBundle; metadata: JsonObject };
  error: ErrorContent;
  comm_open: { comm_id: string; target_name: string; data: JsonObject; target_module?: string };
  comm_msg: { comm_id: string; data: JsonObject };
  comm_close: { comm_id: string; data: JsonObject };
}

export type IopubType = keyof IopubContentMap;

export type IopubMessage = {
  [K in IopubType]: { msg_type: K; content: IopubContentMap[K]; metadata?: JsonObject; buffers?: Uint8Array[] };
}[IopubType];

export interface InputRequestMessage {
  msg_type: "input_request";
  content: { prompt: string; password: boolean };
}

/** Anything the kernel sends: built into frames by wire.ts. */
export type Outgoing = Reply | IopubMessage | InputRequestMessage;

// ---------------------------------------------------------------------------------------------
// Headers.

/** Makes headers for one kernel session (one process lifetime). */
export class HeaderFactory {
  constructor(
    readonly session: string = randomUUID(),
    readonly username: string = "kernel",
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {}

  make(msgType: string): Header {
    return {
      msg_id: this.newId(),
      session: this.session,
      username: this.username,
      date: this.now().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
  }
}

/**
 * The reply type for a request type: `execute_request` → `execute_reply`. Names that do not end
 * in `_request` get `_reply` appended, so even nonsense gets an addressable answer.
 */
export function replyTypeFor(msgType: string): `${string}_reply` {
  const base = msgType.endsWith("_request") ? msgType.slice(0, -"_request".length) : msgType;
  return `${base}_reply`;
}

export function errorReply(msgType: string, ename: string, evalue: string): Reply {
  return { msg_type: replyTypeFor(msgType), content: { status: "error", ename, evalue, traceback: [] } };
}

// ---------------------------------------------------------------------------------------------
// kernel_info.

export interface KernelInfoOptions {
  /** The TypeScript version the evaluator compiles with (`ts.version`). */
  languageVersion: string;
  implementationVersion: string;
  banner?: string;
  helpLinks?: HelpLink[];
}

export function kernelInfoContent(options: KernelInfoOptions): KernelInfoReplyContent {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "tsjit",
    implementation_version: options.implementationVersion,
    language_info: {
      name: "typescript",
      version: options.languageVersion,
      mimetype: "text/typescript",
      file_extension: ".ts",
      pygments_lexer: "typescript",
      // CodeMirror 6 (JupyterLab 4) finds TypeScript by this name; mimetype covers older UIs.
      codemirror_mode: "typescript",
      nbconvert_exporter: "script",
    },
    banner: options.banner ?? `tsjit ${options.implementationVersion}: TypeScript ${options.languageVersion} with tensors`,
    help_links: options.helpLinks ?? [
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
    ],
    debugger: false,
  };
}
