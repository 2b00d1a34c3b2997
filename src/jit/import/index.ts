/**
 * Loading TorchScript source from archives (code/ files) into the one IR: see README.md.
 */
export {
  SourceImporter, qualifierPath, type ImportedClass, type ImportedFunction, type ImportedMethod,
} from "./source_importer.js";
export type { AttributeDecl, ConstantDecl, ClassKind, ParamDecl, FunctionDecl } from "./declarations.js";
export { describeImportedClass, describeImportedFunction, methodSignature } from "./describe.js";
export { parseCodeFile } from "./parser.js";
export { SourceFile, tokenize, type Token } from "./lexer.js";
export type { CodeFile, ClassDef, FuncDef, Stmt, Expr } from "./ast.js";
