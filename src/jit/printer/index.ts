/**
 * The printer of TorchScript's Python subset (see README.md beside this file): `.code` of
 * methods and functions, archive code/ files, and their notebook display.
 */
export { printMethod, printFunction, unqualifiedName, type CodeOptions } from "./code.js";
export {
  printClass, printCodeFile,
  type ClassDescription, type ScriptClassDescription, type NamedTupleDescription, type EnumDescription,
  type InterfaceDescription, type InterfaceMethod, type FunctionDescription, type CodeFileItem,
  type ClassAttribute, type ClassConstant, type MethodDescription,
} from "./class_printer.js";
export { PythonPrinter, type PrinterOptions, type FunctionSignature, type ArgumentSpec } from "./python_printer.js";
export { ConstantTable, printRuntimeValue, type ConstantEntry } from "./values.js";
export { schemaForNode, necessaryArgs, parsePrinterSchema, type PrinterSchema, type PrinterArg } from "./schema_lookup.js";
export { printOpName } from "./expressions.js";
export { highlightTorchScript, displayBundle } from "./highlight.js";
export { RESERVED_NAMES, isValidIdentifier, makeValidIdentifier } from "./names.js";
