/**
 * SourceImporter: TorchScript classes and functions from an archive's code/ files
 * (import_source.cpp). A qualified name `a.b.C` is looked up in the file of its qualifier,
 * `code/a/b.py`, parsed on first use; classes are declared when first named (their attribute
 * and method signatures), and method bodies compile when the class is loaded.
 *
 * @example
 * const importer = new SourceImporter((path) => files.get(`code/${path}`), constantsTable);
 * const cls = importer.loadType("__torch__.MyCell_v1");     // ImportedClass
 * cls.methods.get("forward")!.graph                         // an IR Graph, self first
 */
import { Types, classType, enumType, tupleType, type ConstantValue, type Graph, type JitType } from "../ir/index.js";
import { Tensor } from "../../tensor/tensor.js";
import { ScriptEnumValue } from "../runtime/enum_value.js";
import type { FunctionTable, ScriptMethod } from "../runtime/objects.js";
import type { ClassDef, Expr, FuncDef } from "./ast.js";
import {
  declareClass, declareFunction, type AttributeDecl, type ClassDecl, type ClassKind, type ConstantDecl, type DeclarationContext,
  type FunctionDecl, type ParamDecl,
} from "./declarations.js";
import type { EmitContext } from "./emit_expr.js";
import { compileFunction } from "./emit_function.js";
import { SourceFile } from "./lexer.js";
import { parseCodeFile } from "./parser.js";
import { annotationType, dottedName } from "./type_expr.js";

/** A compiled method or function with the signature its graph does not carry. */
export interface ImportedMethod {
  readonly name: string;
  readonly qualifiedName: string;
  readonly graph: Graph;
  /** Per graph input (self first for methods): name, type and default as a runtime value. */
  readonly params: readonly ParamDecl[];
  readonly returnType: JitType;
}

export interface ImportedClass {
  readonly kind: "class";
  readonly classKind: ClassKind;
  readonly qualifiedName: string;
  /** A Class type, an Enum type, or the named tuple type of a NamedTuple. */
  readonly type: JitType;
  /** Declared attributes in file order (parameters and buffers flagged), submodules included. */
  readonly attributes: readonly AttributeDecl[];
  readonly constants: readonly ConstantDecl[];
  /** Methods in file order (hooks included; interface methods have no body and are absent). */
  readonly methods: ReadonlyMap<string, ImportedMethod>;
  readonly forwardPreHooks: readonly string[];
  readonly forwardHooks: readonly string[];
  readonly fields: readonly { readonly name: string; readonly type: JitType }[];
  readonly enumMembers: readonly { readonly name: string; readonly value: unknown }[];
  /** int, float or str for an Enum; null for other classes. */
  readonly enumValueType: JitType | null;
  /** Signatures of interface methods (Interface / ModuleInterface). */
  readonly interfaceMethods: readonly FunctionDecl[];
}

export interface ImportedFunction {
  readonly kind: "function";
  readonly qualifiedName: string;
  readonly function: ImportedMethod;
}

type FileItems = Map<string, { readonly file: SourceFile; readonly def: ClassDef | FuncDef }>;

/** The file of qualifier `a.b` relative to code/: `a/b.py`. */
export function qualifierPath(qualifier: string): string {
  return `${qualifier.split(".").join("/")}.py`;
}

export class SourceImporter {
  private readonly files = new Map<string, FileItems | null>();
  private readonly classes = new Map<string, ClassDecl>();
  private readonly functions = new Map<string, FunctionDecl>();
  private readonly loaded = new Map<string, ImportedClass | ImportedFunction>();
  private readonly compiled = new Map<string, ImportedMethod>();
  private readonly compiling = new Set<string>();
  private readonly namedTypes = new Map<string, JitType | null>();

  /**
   * @param read the text of a code file given its path relative to code/
   *   (`__torch__/torch/nn/modules/linear.py`), or undefined when the archive has none.
   * @param constants the unpickled constants.pkl tuple (`CONSTANTS.cN` is entry N).
   */
  constructor(
    private readonly read: (qualifierPath: string) => string | undefined,
    private readonly constants: readonly unknown[],
    /** The archive's version record: ops older than their current meaning are upgraded (Note [operator upgraders]). */
    private readonly operatorVersion = Infinity,
  ) {}

  /** A class (declarations and compiled methods) or a function; undefined when no file defines it. */
  loadType(qualifiedName: string): ImportedClass | ImportedFunction | undefined {
    const done = this.loaded.get(qualifiedName);
    if (done) return done;
    const found = this.lookup(qualifiedName);
    if (!found) return undefined;
    let result: ImportedClass | ImportedFunction;
    if (found.kind === "function") {
      result = { kind: "function", qualifiedName, function: this.compile(found.decl) };
    } else {
      const d = found.decl;
      const interfaceLike = d.kind === "interface" || d.kind === "moduleInterface";
      const methods = new Map<string, ImportedMethod>();
      if (!interfaceLike) for (const [name, m] of d.methods) methods.set(name, this.compile(m));
      result = {
        kind: "class", classKind: d.kind, qualifiedName, type: d.type, attributes: d.attributes, constants: d.constants,
        methods, forwardPreHooks: d.forwardPreHooks, forwardHooks: d.forwardHooks, fields: d.fields,
        enumMembers: d.enumMembers, enumValueType: d.enumValueType, interfaceMethods: interfaceLike ? [...d.methods.values()] : [],
      };
    }
    this.loaded.set(qualifiedName, result);
    return result;
  }

  /**
   * Free functions for the interpreter's prim::CallFunction (`runGraph(g, args, { functions })`),
   * compiled from code/ when first called.
   */
  functionTable(): FunctionTable {
    return {
      get: (qualifiedName: string): ScriptMethod | undefined => {
        const f = this.loadType(qualifiedName);
        return f?.kind === "function" ? { name: qualifiedName, graph: f.function.graph } : undefined;
      },
    };
  }

  // ---- files and declarations ----

  private fileItems(qualifier: string): FileItems | null {
    if (this.files.has(qualifier)) return this.files.get(qualifier)!;
    const path = qualifierPath(qualifier);
    const text = this.read(path);
    let items: FileItems | null = null;
    if (text !== undefined) {
      const file = new SourceFile(`code/${path}`, text);
      items = new Map();
      for (const def of parseCodeFile(file).items) items.set(def.name, { file, def });
    }
    this.files.set(qualifier, items);
    return items;
  }

  private itemOf(qualifiedName: string): { file: SourceFile; def: ClassDef | FuncDef } | null {
    const dot = qualifiedName.lastIndexOf(".");
    if (dot <= 0) return null;
    return this.fileItems(qualifiedName.slice(0, dot))?.get(qualifiedName.slice(dot + 1)) ?? null;
  }

  /** What a qualified name denotes: a declared class or function, or null. */
  lookup(qualifiedName: string): { kind: "class"; decl: ClassDecl } | { kind: "function"; decl: FunctionDecl } | null {
    const cls = this.classes.get(qualifiedName);
    if (cls) return { kind: "class", decl: cls };
    const fn = this.functions.get(qualifiedName);
    if (fn) return { kind: "function", decl: fn };
    const item = this.itemOf(qualifiedName);
    if (!item) return null;
    const ctx = this.declarationContext(item.file);
    if (item.def.kind === "def") {
      const decl = declareFunction(ctx, qualifiedName, item.def, null);
      this.functions.set(qualifiedName, decl);
      return { kind: "function", decl };
    }
    const selfType = item.def.base === "Enum" ? enumType(qualifiedName) : classType(qualifiedName);
    const decl = declareClass(ctx, qualifiedName, item.def, (fields) => tupleType(fields.map((f) => f.type), { name: qualifiedName, fields: fields.map((f) => f.name) }), selfType);
    this.classes.set(qualifiedName, decl);
    return { kind: "class", decl };
  }

  /**
   * The type a qualified name in an annotation denotes (a NamedTuple is its tuple type). Every
   * signature and attribute names its classes again, so the answer is kept (types are frozen).
   */
  private typeOfName(qualifiedName: string): JitType | null {
    let t = this.namedTypes.get(qualifiedName);
    if (t === undefined) this.namedTypes.set(qualifiedName, (t = this.findTypeOfName(qualifiedName)));
    return t;
  }

  private findTypeOfName(qualifiedName: string): JitType | null {
    const item = this.itemOf(qualifiedName);
    if (!item || item.def.kind !== "class") return null;
    if (item.def.base === "NamedTuple") {
      const found = this.lookup(qualifiedName);
      return found?.kind === "class" ? found.decl.type : null;
    }
    return item.def.base === "Enum" ? enumType(qualifiedName) : classType(qualifiedName);
  }

  private declarationContext(file: SourceFile): DeclarationContext {
    const fail = (at: { readonly at: { line: number; column: number } }, what: string): never => {
      throw file.error(at.at, what);
    };
    return {
      file,
      fail,
      resolveType: (e: Expr) => annotationType(e, (name) => this.typeOfName(name), (at, what) => fail(at, what)),
      enumMember: (e: Expr) => {
        const name = dottedName(e);
        const cut = name?.lastIndexOf(".") ?? -1;
        const cls = name && cut > 0 ? this.lookup(name.slice(0, cut)) : null;
        if (cls?.kind !== "class" || cls.decl.kind !== "enum") return null;
        const member = cls.decl.enumMembers.find((m) => m.name === name!.slice(cut + 1));
        if (!member) return fail(e, `Enum '${cls.decl.qualifiedName}' has no member '${name!.slice(cut + 1)}'`);
        return new ScriptEnumValue(cls.decl.qualifiedName, member.name, member.value);
      },
    };
  }

  // ---- compiling ----

  private compile(decl: FunctionDecl): ImportedMethod {
    const done = this.compiled.get(decl.qualifiedName);
    if (done) return done;
    if (this.compiling.has(decl.qualifiedName)) {
      throw decl.file.error(decl.def.at, `${decl.qualifiedName} calls itself without a return annotation: its type cannot be inferred`);
    }
    this.compiling.add(decl.qualifiedName);
    try {
      const graph = compileFunction(decl, this.emitContext(decl.file));
      const m: ImportedMethod = {
        name: decl.name, qualifiedName: decl.qualifiedName, graph, params: decl.params,
        returnType: decl.returnType ?? graph.outputs[0]?.type ?? Types.none,
      };
      this.compiled.set(decl.qualifiedName, m);
      return m;
    } finally {
      this.compiling.delete(decl.qualifiedName);
    }
  }

  private emitContext(file: SourceFile): EmitContext {
    const decls = this.declarationContext(file);
    return {
      resolveType: decls.resolveType,
      lookup: (name) => this.lookup(name),
      classOf: (t) => {
        if (t.kind !== "Class" && t.kind !== "Enum") return null;
        const found = this.lookup(t.name);
        return found?.kind === "class" ? found.decl : null;
      },
      returnTypeOf: (fn) => fn.returnType ?? this.compile(fn).returnType,
      constant: (i) => this.constantAt(i),
      isQualifier: (name) => this.fileItems(name) !== null,
      operatorVersion: this.operatorVersion,
    };
  }

  private constantAt(i: number): ConstantValue | null {
    if (i < 0 || i >= this.constants.length) return null;
    const v = this.constants[i];
    if (v instanceof Tensor) return { type: "Tensor", value: v };
    if (typeof v === "string") return { type: "str", value: v };
    if (typeof v === "boolean") return { type: "bool", value: v };
    if (typeof v === "number") return Number.isInteger(v) ? { type: "int", value: v } : { type: "float", value: v };
    if (v === null) return { type: "None" };
    return null;
  }
}
