/** The pickle opcodes this reader and writer know (protocol 2; torchscript-format.md §4.1). */
export const OP = {
  PROTO: 0x80, STOP: 0x2e, MARK: 0x28, POP: 0x30, POP_MARK: 0x31, DUP: 0x32,
  EMPTY_TUPLE: 0x29, TUPLE: 0x74, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
  EMPTY_LIST: 0x5d, APPEND: 0x61, APPENDS: 0x65, LIST: 0x6c,
  EMPTY_DICT: 0x7d, SETITEM: 0x73, SETITEMS: 0x75, DICT: 0x64,
  NONE: 0x4e, NEWTRUE: 0x88, NEWFALSE: 0x89,
  BININT1: 0x4b, BININT2: 0x4d, BININT: 0x4a, LONG1: 0x8a, BINFLOAT: 0x47,
  BINUNICODE: 0x58,
  BINPUT: 0x71, LONG_BINPUT: 0x72, BINGET: 0x68, LONG_BINGET: 0x6a,
  GLOBAL: 0x63, NEWOBJ: 0x81, REDUCE: 0x52, BUILD: 0x62, BINPERSID: 0x51,
} as const;

export const OPCODE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(OP).map(([k, v]) => [v, k]));
