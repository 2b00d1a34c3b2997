/**
 * Imported classes and functions as the printer's descriptions (src/jit/printer
 * class_printer.ts), so a loaded archive prints its code/ files and `.code` again.
 */
import { Types, type JitType } from "../ir/index.js";
import type { ArgumentSpec, ClassDescription, FunctionDescription, MethodDescription } from "../printer/index.js";
import type { ImportedClass, ImportedFunction, ImportedMethod } from "./source_importer.js";

/** A method's signature for the printer (`printMethod(graph, methodSignature(m))`). */
export function methodSignature(m: ImportedMethod): MethodDescription {
  const args: ArgumentSpec[] = m.params.map((p) => (p.default ? { name: p.name, type: p.type, default: p.default } : { name: p.name, type: p.type }));
  return { name: m.name, graph: m.graph, args, returnType: m.returnType };
}

export function describeImportedFunction(f: ImportedFunction): FunctionDescription {
  const { graph, args, returnType } = methodSignature(f.function);
  return { kind: "function", qualifiedName: f.qualifiedName, graph, args, returnType };
}

export function describeImportedClass(c: ImportedClass): ClassDescription {
  switch (c.classKind) {
    case "namedtuple":
      return { kind: "namedtuple", qualifiedName: c.qualifiedName, fields: c.fields };
    case "enum":
      return { kind: "enum", qualifiedName: c.qualifiedName, valueType: c.enumValueType ?? Types.int, members: c.enumMembers };
    case "interface":
    case "moduleInterface":
      return {
        kind: c.classKind,
        qualifiedName: c.qualifiedName,
        methods: c.interfaceMethods.map((m) => ({
          name: m.name,
          args: m.params.slice(1).map((p) => ({ name: p.name, type: p.type })),
          returnType: m.returnType ?? Types.none,
        })),
      };
    case "module":
    case "class": {
      const hookNames = new Set([...c.forwardPreHooks, ...c.forwardHooks]);
      const method = (name: string): MethodDescription => {
        const m = c.methods.get(name);
        if (!m) throw new Error(`${c.qualifiedName}: hook '${name}' has no method body`);
        return methodSignature(m);
      };
      return {
        kind: c.classKind,
        qualifiedName: c.qualifiedName,
        attributes: c.attributes,
        constants: c.constants,
        methods: [...c.methods.values()].filter((m) => !hookNames.has(m.name)).map(methodSignature),
        forwardPreHooks: c.forwardPreHooks.map(method),
        forwardHooks: c.forwardHooks.map(method),
      };
    }
  }
}
