/**
 * The JIT's one IR (see README.md beside this file): types, Graph / Block / Node / Value, the
 * printer and parser of graph text, and the verifier.
 */
export * from "./types.js";
export { printType, typeStr, annotationStr, type TypePrinter } from "./type_print.js";
export { parseType, parseSchemaType, TypeCursor, TypeParseError, type TypeParseOptions } from "./type_parse.js";
export {
  isSubtypeOf, unifyTypes, unifyTypeList, optionalType, unionType, unshapedType, withContained, mergeTensorTypes,
} from "./subtype.js";
export { Attr, printAttributeValue, attributeEquals, type AttributeValue, type AttributeKind, type TensorAttribute, type EnumMember } from "./attributes.js";
export { formatG, formatDoubleRepr, formatFixed, formatScientific, quoteString, decodeQuotedString } from "./cformat.js";
export { formatTensorAttribute, formatTensorCpp, tensorText, MAX_TENSOR_DISPLAY_SIZE, type TensorText } from "./tensor_text.js";
export { readTensorText } from "./tensor_text_read.js";
export { sourceRange, formatSourceRange, parseSourceRange, type SourceRange } from "./source_range.js";
export { PRIM_KINDS, primKindSpec, kindHasSideEffects, splitKind, type NodeKindSpec, type Arity, type AttributeSpec } from "./node_kinds.js";
export { Value, splitSuffix, type Use } from "./value.js";
export { Node } from "./node.js";
export { Block } from "./block.js";
export { Graph, type CreateOptions } from "./graph.js";
export { createConstant, insertConstant, constantValue, type ConstantValue } from "./constants.js";
export { printGraph, printNode, nodeHeader, printValueRef, printValuesWithTypes, type PrintOptions } from "./print_graph.js";
export { parseGraph, parseGraphWithValues, IRParseError } from "./parse_graph.js";
export { verifyGraph, IRVerifyError } from "./verify.js";
export { resolveOverload, schemaArgType, schemaReturnType, schemaMismatch, matchTypeVariables, evalTypeVariables } from "./op_match.js";
