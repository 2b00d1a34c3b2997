/**
 * The type lattice: printing in graph and annotation form, parsing both (and schema form),
 * subtyping and unification, checked against PyTorch 1.13 where it is installed.
 */
import { describe, expect, it } from "vitest";
import {
  Types, annotationStr, classType, dictType, futureType, isSubtypeOf, listType, optionalType, parseSchemaType,
  parseType, printType, tensorType, tensorTypeOf, tupleType, typeEquals, typeStr, unifyTypeList, unifyTypes,
  unionType, type JitType,
} from "../../../src/jit/ir/index.js";
import { torch } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

const F34 = tensorType({ scalarType: "Float", sizes: [3, 4], strides: [4, 1], requiresGrad: false, device: "cpu" });

/** [type, graph form, annotation form] */
const TABLE: [JitType, string, string][] = [
  [Types.tensor, "Tensor", "Tensor"],
  [F34, "Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)", "Tensor"],
  [tensorType({ scalarType: "Long", sizes: [], requiresGrad: false, device: "cpu" }), "Long(requires_grad=0, device=cpu)", "Tensor"],
  [tensorType({ scalarType: "Float", requiresGrad: false, device: "cpu" }), "FloatTensor(requires_grad=0, device=cpu)", "Tensor"],
  [tensorType({ scalarType: "Float", sizes: [null, 3], strides: [3, 1] }), "Float(*, 3, strides=[3, 1])", "Tensor"],
  [tensorType({ sizes: [2] }), "Tensor(2)", "Tensor"],
  [Types.int, "int", "int"],
  [Types.float, "float", "float"],
  [Types.bool, "bool", "bool"],
  [Types.str, "str", "str"],
  [Types.none, "NoneType", "NoneType"],
  [Types.device, "Device", "Device"],
  [Types.scalar, "Scalar", "number"],
  [Types.any, "Any", "Any"],
  [listType(Types.int), "int[]", "List[int]"],
  [listType(optionalType(Types.tensor)), "Tensor?[]", "List[Optional[Tensor]]"],
  [optionalType(listType(Types.int)), "int[]?", "Optional[List[int]]"],
  [optionalType(Types.tensor), "Tensor?", "Optional[Tensor]"],
  [listType(F34), "Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)[]", "List[Tensor]"],
  [tupleType([Types.tensor, Types.int]), "(Tensor, int)", "Tuple[Tensor, int]"],
  [tupleType([]), "()", "Tuple[()]"],
  [tupleType([F34, F34]), "(Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu), Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu))", "Tuple[Tensor, Tensor]"],
  [dictType(Types.str, Types.tensor), "Dict(str, Tensor)", "Dict[str, Tensor]"],
  [dictType(Types.str, F34), "Dict(str, Tensor)", "Dict[str, Tensor]"],
  [tupleType([listType(tupleType([Types.str, Types.tensor]))]), "((str, Tensor)[])", "Tuple[List[Tuple[str, Tensor]]]"],
  [unionType([Types.str, Types.int]), "Union(int, str)", "Union[int, str]"],
  [unionType([Types.int, Types.str, Types.none]), "Union(int, NoneType, str)", "Union[int, NoneType, str]"],
  [unionType([Types.int, Types.float, Types.complex, Types.str]), "Union(, str, Scalar)", "Union[, str, number]"],
  [futureType(Types.int), "Future[int]", "Future[int]"],
  [futureType(F34), "Future[Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)]", "Future[Tensor]"],
  [classType("__torch__.torch.nn.modules.linear.Linear"), "__torch__.torch.nn.modules.linear.Linear", "__torch__.torch.nn.modules.linear.Linear"],
  [tupleType([Types.int, Types.tensor], { name: "__torch__.P", fields: ["a", "b"] }), "NamedTuple(a : int, b : Tensor)", "__torch__.P"],
];

describe("printing", () => {
  for (const [t, graph, annotation] of TABLE) {
    it(`${graph}  /  ${annotation}`, () => {
      expect(printType(t)).toBe(graph);
      expect(annotationStr(t)).toBe(annotation);
    });
  }

  it("str() never shows tensor details", () => {
    expect(typeStr(listType(F34))).toBe("Tensor[]");
    expect(typeStr(futureType(Types.int))).toBe("Future(int)");
  });

  it("a type printer renames classes in annotations", () => {
    const t = listType(classType("__torch__.MyCell"));
    expect(annotationStr(t, (x) => (x.kind === "Class" ? x.name.replace("__torch__.", "") : null))).toBe("List[MyCell]");
  });
});

describe("parsing", () => {
  for (const [t, graph, annotation] of TABLE) {
    it(`graph form ${graph}`, () => {
      const parsed = parseType(graph);
      expect(printType(parsed)).toBe(graph);
      // The graph form drops a named tuple's qualified name and a dict's tensor details.
      if (!graph.startsWith("NamedTuple") && !graph.startsWith("Dict")) expect(typeEquals(parsed, t)).toBe(true);
    });
    // A named tuple's annotation is its class name, which reads back as a class type.
    if (!annotation.startsWith("__torch__.P")) {
      it(`annotation form ${annotation}`, () => expect(annotationStr(parseType(annotation))).toBe(annotation));
    }
  }

  it("reads None and number in annotations", () => {
    expect(parseType("Optional[number]")).toEqual(optionalType(Types.scalar));
    expect(parseType("Union[int, None]")).toEqual(optionalType(Types.int));
  });

  it("reads schema types", () => {
    expect(printType(parseSchemaType("int[1]?"))).toBe("int[]?");
    expect(printType(parseSchemaType("Tensor(a!)"))).toBe("Tensor");
    expect(printType(parseSchemaType("Tensor(a)[]"))).toBe("Tensor[]");
    expect(printType(parseSchemaType("ScalarType?"))).toBe("int?");
    expect(printType(parseSchemaType("t[](a)"))).toBe("t[]");
    expect(parseSchemaType("Tensor?[]")).toEqual(listType(optionalType(Types.tensor)));
  });

  it("rejects unknown names with the position", () => {
    expect(() => parseType("Widget")).toThrow(/unknown type 'Widget' at column 1/);
    expect(() => parseType("List[int")).toThrow(/expected ',' or '\]' at column 9/);
    expect(() => parseType("int int")).toThrow(/unexpected text after the type/);
  });
});

describe("subtyping and unification", () => {
  it("tensor details refine Tensor", () => {
    expect(isSubtypeOf(F34, Types.tensor)).toBe(true);
    expect(isSubtypeOf(Types.tensor, F34)).toBe(false);
    expect(isSubtypeOf(F34, tensorType({ scalarType: "Float" }))).toBe(true);
    expect(isSubtypeOf(F34, tensorType({ scalarType: "Long" }))).toBe(false);
  });

  it("numbers are Scalars, None and T are Optional[T], everything is Any", () => {
    expect(isSubtypeOf(Types.int, Types.scalar)).toBe(true);
    expect(isSubtypeOf(Types.bool, Types.scalar)).toBe(false);
    expect(isSubtypeOf(Types.none, optionalType(Types.int))).toBe(true);
    expect(isSubtypeOf(Types.int, optionalType(Types.int))).toBe(true);
    expect(isSubtypeOf(optionalType(Types.int), Types.int)).toBe(false);
    expect(isSubtypeOf(listType(Types.int), Types.any)).toBe(true);
    expect(isSubtypeOf(Types.int, unionType([Types.int, Types.str]))).toBe(true);
    expect(isSubtypeOf(unionType([Types.int, Types.str]), unionType([Types.str, Types.int, Types.none]))).toBe(true);
  });

  it("lists are invariant, tuples covariant", () => {
    expect(isSubtypeOf(listType(F34), listType(Types.tensor))).toBe(false);
    expect(isSubtypeOf(tupleType([F34]), tupleType([Types.tensor]))).toBe(true);
  });

  it("unifies None with T into Optional[T], tensors by merging", () => {
    expect(unifyTypes(Types.int, Types.none)).toEqual(optionalType(Types.int));
    expect(unifyTypes(Types.none, optionalType(Types.str))).toEqual(optionalType(Types.str));
    expect(unifyTypes(optionalType(Types.int), Types.int)).toEqual(optionalType(Types.int));
    const f3 = tensorType({ scalarType: "Float", sizes: [3] });
    const f4 = tensorType({ scalarType: "Float", sizes: [4] });
    expect(printType(unifyTypes(f3, f4)!)).toBe("Float(*)");
    expect(unifyTypes(Types.int, Types.str)).toBeNull();
    expect(printType(unifyTypes(listType(f3), listType(f4))!)).toBe("Tensor[]");
    expect(() => unifyTypeList([Types.int, Types.str])).toThrow(
      "Could not unify type list since element 1 of type str did not match the types before it (int)",
    );
  });

  it("keeps unions canonical", () => {
    expect(unionType([Types.int])).toBe(Types.int);
    expect(unionType([Types.int, Types.none])).toEqual(optionalType(Types.int));
    expect(unionType([optionalType(Types.int), Types.str])).toEqual(unionType([Types.none, Types.str, Types.int]));
    expect(optionalType(optionalType(Types.int))).toEqual(optionalType(Types.int));
  });

  it("types a traced tensor completely", () => {
    const x = torch.zeros(3, 4);
    expect(printType(tensorTypeOf(x))).toBe("Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)");
    expect(printType(tensorTypeOf(torch.tensor(3)))).toBe("Long(requires_grad=0, device=cpu)");
  });
});

describe.skipIf(!hasTorch)("against PyTorch 1.13", () => {
  const annotations = [
    "int", "float", "bool", "str", "Tensor", "List[int]", "List[Tensor]", "Optional[Tensor]", "Optional[List[int]]",
    "List[Optional[Tensor]]", "Tuple[Tensor, int]", "Tuple[()]", "Dict[str, Tensor]", "Dict[str, List[int]]",
    "Union[int, str]", "Union[str, int, None]", "Union[int, float, complex, str]", "Optional[Union[int, str]]",
    "Tuple[List[Tuple[str, Tensor]], Optional[float]]", "Any", "Device", "number", "Future[int]",
  ];
  const ref = hasTorch
    ? runTorch<[string, string, string][]>(`
out = []
for a in ${JSON.stringify(annotations)}:
    f = torch.jit.CompilationUnit("def f(x: %s):\\n    return 1\\n" % a).f
    g = str(f.graph).splitlines()[0]
    out.append([a, g[len("graph(%x : "):-2], f.code.splitlines()[0][len("def f(x: "):-len(") -> int:")]])
print(json.dumps(out))
`)
    : [];
  for (const [a, graph, code] of ref) {
    it(a, () => {
      const t = parseType(a);
      expect(printType(t)).toBe(graph);
      expect(annotationStr(t)).toBe(code);
      expect(typeEquals(parseType(graph), t)).toBe(true);
    });
  }
});
